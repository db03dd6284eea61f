"""Migration c7d1e2f3a4b5 (at most one attempt in progress per exam and user), on SQLite and
PostgreSQL: it closes the surplus attempts in progress that parallel starts left (keeping the newest),
builds the partial unique index the models declare, and `close-overdue` then grades what it closed."""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask_migrate import stamp, upgrade
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from examengine.extensions import db
from examengine.models import Attempt, AttemptSlot
from examengine.models._time import utcnow
from examengine.services.attempts import close_overdue, start_or_resume
from tests.exam_builders import build_exam, ensure_user
from tests.migration_helpers import previous_revision

REVISION = "c7d1e2f3a4b5"
INDEX = "uq_attempts_one_in_progress"


def duplicate_in_progress(attempt: Attempt, number: int, minutes_later: int) -> int:
    """A copy of `attempt` (slots too) still in progress, as a lost race used to leave it."""
    copy = Attempt(exam_id=attempt.exam_id, user_id=attempt.user_id, number=number, code=f"DUP{number}{attempt.id}",
                   seed=attempt.seed, state="in_progress", started_at=attempt.started_at + timedelta(minutes=minutes_later),
                   deadline=attempt.deadline + timedelta(minutes=minutes_later), max_score=attempt.max_score)
    db.session.add(copy)
    db.session.flush()
    db.session.execute(insert(AttemptSlot), [
        {"attempt_id": copy.id, "position": slot.position, "section": slot.section,
         "question_version_id": slot.question_version_id, "points": slot.points, "option_order": slot.option_order,
         "response": slot.response, "response_seq": slot.response_seq, "flagged": False, "needs_grading": False}
        for slot in attempt.slots])
    db.session.commit()
    return copy.id


def test_the_migration_closes_surplus_attempts_and_adds_the_index(migrated_app):
    now = utcnow()
    exam = build_exam(users=["ann", "bob", "cat"], rules=[{"count": 1, "qtype": "single"},
                                                            {"count": 1, "qtype": "short"}],
                      attempts_allowed=3, time_limit_minutes=60)
    ann, bob, cat = (start_or_resume(exam.id, ensure_user(name), now=now) for name in ("ann", "bob", "cat"))
    ann_first, bob_only, cat_only = ann.id, bob.id, cat.id
    db.session.execute(update(Attempt).where(Attempt.id == cat_only).values(state="submitted",
                                                                            submitted_by="examinee"))
    db.session.commit()
    # Undo the revision's work and leave what parallel starts used to: ann has three attempts in progress.
    with db.engine.begin() as connection:
        connection.exec_driver_sql(f"DROP INDEX {INDEX}")
    ann_second = duplicate_in_progress(db.session.get(Attempt, ann_first), 2, 1)
    ann_newest = duplicate_in_progress(db.session.get(Attempt, ann_first), 3, 2)
    stamp(revision=previous_revision(REVISION))
    db.session.remove()

    upgrade(revision=REVISION)

    rows = {row.id: row for row in db.session.execute(
        select(Attempt.id, Attempt.state, Attempt.submitted_by, Attempt.submitted_at, Attempt.deadline))}
    assert rows[ann_newest].state == "in_progress" and rows[bob_only].state == "in_progress"
    assert rows[cat_only].submitted_by == "examinee"  # untouched
    for closed in (ann_first, ann_second):
        assert (rows[closed].state, rows[closed].submitted_by) == ("submitted", "timeout")
        assert now <= rows[closed].submitted_at <= max(utcnow(), rows[closed].deadline)
    assert rows[ann_first].submitted_at <= rows[ann_first].deadline
    # The database now refuses a second attempt in progress, but not a second submitted one.
    with pytest.raises(IntegrityError):
        db.session.execute(update(Attempt).where(Attempt.id == ann_first).values(state="in_progress"))
        db.session.flush()
    db.session.rollback()
    db.session.execute(update(Attempt).where(Attempt.id == ann_second).values(state="graded"))
    db.session.commit()
    # close-overdue grades the attempt the migration closed and left ungraded.
    run = close_overdue()
    assert (run.finalized, run.graded, run.failed) == (0, 1, [])
    slots = db.session.scalars(select(AttemptSlot).where(AttemptSlot.attempt_id == ann_first)).all()
    assert all(slot.score is not None or slot.needs_grading for slot in slots)
    assert close_overdue().graded == 0
