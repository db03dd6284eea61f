"""at most one attempt in progress per exam and user

Parallel starts (a double click, two tabs) could each insert an attempt in progress, using up the
attempts allowed. A partial unique index on attempts(exam_id, user_id) WHERE state = 'in_progress'
(SQLite and PostgreSQL) now makes the database refuse the second one; the start service then resumes
the winner's attempt.

Existing duplicates must go first, or the index cannot be built. For each (exam, user) with more than
one attempt in progress, the newest (highest number) stays in progress and every older one is closed:
state 'submitted', submitted_by 'timeout', submitted_at the earlier of its deadline and now. Their
saved answers are kept. They are NOT graded here (grading needs the question types' code, which a
migration must not import): their slots keep score NULL and needs_grading false, a state no normal
submission leaves. The next `flask attempts close-overdue` (run from cron every minute) finds them
(`services.attempts.submission.ungraded_ids`) and grades them as a timeout would have, one
transaction each; until then they show as submitted without a score.

Downgrade drops the index only; the closed duplicates stay closed.

Revision ID: c7d1e2f3a4b5
Revises: e2b7c4d9a1f3
Create Date: 2026-12-02 09:00:00.000000

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c7d1e2f3a4b5'
down_revision = 'e2b7c4d9a1f3'
branch_labels = None
depends_on = None

INDEX = 'uq_attempts_one_in_progress'
IN_PROGRESS = "state = 'in_progress'"

attempts = sa.table(
    'attempts',
    sa.column('id', sa.Integer), sa.column('exam_id', sa.Integer), sa.column('user_id', sa.Integer),
    sa.column('number', sa.Integer), sa.column('state', sa.String), sa.column('deadline', sa.DateTime),
    sa.column('submitted_at', sa.DateTime), sa.column('submitted_by', sa.String),
)


def close_surplus_attempts(bind, now: datetime) -> int:
    """Close all but the newest attempt in progress of each (exam, user); how many were closed."""
    rows = bind.execute(
        sa.select(attempts.c.id, attempts.c.exam_id, attempts.c.user_id, attempts.c.deadline)
        .where(attempts.c.state == 'in_progress')
        .order_by(attempts.c.exam_id, attempts.c.user_id, attempts.c.number.desc(), attempts.c.id.desc())
    ).all()
    kept, closed = set(), 0
    for row in rows:
        if (row.exam_id, row.user_id) not in kept:
            kept.add((row.exam_id, row.user_id))
            continue
        submitted_at = min(row.deadline, now) if row.deadline is not None else now
        closed += bind.execute(
            sa.update(attempts).where(attempts.c.id == row.id, attempts.c.state == 'in_progress')
            .values(state='submitted', submitted_by='timeout', submitted_at=submitted_at)
        ).rowcount
    return closed


def upgrade():
    close_surplus_attempts(op.get_bind(), datetime.now(UTC).replace(tzinfo=None))  # naive UTC, as stored
    op.create_index(INDEX, 'attempts', ['exam_id', 'user_id'], unique=True,
                    sqlite_where=sa.text(IN_PROGRESS), postgresql_where=sa.text(IN_PROGRESS))


def downgrade():
    op.drop_index(INDEX, table_name='attempts')
