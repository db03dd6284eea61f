"""release of results and answers per item, and the manual release of an exam's results

Replaces the exam settings show_score / show_correctness / show_answers with one condition per item
of feedback (core/release.py): release_score, release_marks, release_answers, release_feedback, each
"immediately", "after_close", "after_grading", "manual" or "never"; and records the admin's manual
release (results_released_at, results_released_by_id; NULL = not released).

Existing exams get the closest policy (the same mapping as core.release.legacy_policy):
- release_score = show_score ("immediately", "after_grading" or "never" carry over);
- release_marks = "never" without show_correctness; with it "after_grading" when show_score was
  "after_grading" (the old page showed the marks before grading was complete, which the policy meant
  to hold back), else "immediately" (as shown before);
- release_answers = "after_close" with show_answers (the key was shown once the exam had closed for
  everybody and the examinee had no attempts left, as now), else "never";
- release_feedback = release_answers (the rubric was part of the key; the comments are new).
Nothing is released manually. The downgrade maps back: show_score = release_score (else
"after_grading"), show_correctness = marks not "never", show_answers = answers not "never".

Revision ID: b2c3d4e5f6a7
Revises: f3a4b5c6d7e8
Create Date: 2026-12-12 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b2c3d4e5f6a7'
down_revision = 'f3a4b5c6d7e8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('exams', schema=None) as batch_op:
        batch_op.add_column(sa.Column('release_score', sa.String(length=20), server_default='after_grading',
                                      nullable=False))
        batch_op.add_column(sa.Column('release_marks', sa.String(length=20), server_default='after_grading',
                                      nullable=False))
        batch_op.add_column(sa.Column('release_answers', sa.String(length=20), server_default='after_close',
                                      nullable=False))
        batch_op.add_column(sa.Column('release_feedback', sa.String(length=20), server_default='after_grading',
                                      nullable=False))
        batch_op.add_column(sa.Column('results_released_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('results_released_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_exams_results_released_by_id_users', 'users',
                                    ['results_released_by_id'], ['id'])
    op.execute("UPDATE exams SET release_score = CASE WHEN show_score IN ('immediately', 'after_grading', 'never') "
               "THEN show_score ELSE 'after_grading' END")
    op.execute("UPDATE exams SET release_marks = CASE WHEN NOT show_correctness THEN 'never' "
               "WHEN release_score = 'after_grading' THEN 'after_grading' ELSE 'immediately' END")
    op.execute("UPDATE exams SET release_answers = CASE WHEN show_answers THEN 'after_close' ELSE 'never' END")
    op.execute("UPDATE exams SET release_feedback = release_answers")
    with op.batch_alter_table('exams', schema=None) as batch_op:
        batch_op.drop_column('show_score')
        batch_op.drop_column('show_correctness')
        batch_op.drop_column('show_answers')


def downgrade():
    with op.batch_alter_table('exams', schema=None) as batch_op:
        batch_op.add_column(sa.Column('show_score', sa.String(length=20), server_default='after_grading',
                                      nullable=False))
        batch_op.add_column(sa.Column('show_correctness', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('show_answers', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute("UPDATE exams SET show_score = CASE WHEN release_score IN ('immediately', 'after_grading', 'never') "
               "THEN release_score ELSE 'after_grading' END")
    op.execute("UPDATE exams SET show_correctness = (release_marks <> 'never')")
    op.execute("UPDATE exams SET show_answers = (release_answers <> 'never')")
    with op.batch_alter_table('exams', schema=None) as batch_op:
        batch_op.drop_constraint('fk_exams_results_released_by_id_users', type_='foreignkey')
        batch_op.drop_column('results_released_by_id')
        batch_op.drop_column('results_released_at')
        batch_op.drop_column('release_feedback')
        batch_op.drop_column('release_marks')
        batch_op.drop_column('release_answers')
        batch_op.drop_column('release_score')
