"""The database itself keeps one attempt in progress per (exam, user): the partial unique index
uq_attempts_one_in_progress of models/attempts.py (parallel starts over HTTP: tests/web/attempts/
test_parallel_starts.py)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from examengine.extensions import db
from examengine.models import Attempt
from examengine.services.attempts import start_or_resume, submit
from tests.exam_builders import build_exam, ensure_user


def copy_of(attempt: Attempt, number: int, state: str) -> Attempt:
    return Attempt(exam_id=attempt.exam_id, user_id=attempt.user_id, number=number, code=f"COPY{number}",
                   seed=1, state=state, started_at=attempt.started_at, deadline=attempt.deadline, max_score=1)


def test_a_second_attempt_in_progress_is_refused_by_the_database(app):
    with app.app_context():
        exam = build_exam(users=["ann", "bob"], rules=[{"count": 1, "qtype": "single"}], attempts_allowed=5)
        first = start_or_resume(exam.id, ensure_user("ann"))
        db.session.add(copy_of(first, 2, "in_progress"))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        db.session.add_all([copy_of(first, 2, "submitted"), copy_of(first, 3, "graded")])  # any number of these
        db.session.commit()
        start_or_resume(exam.id, ensure_user("bob"))  # other users are independent
        submit(first)
        second = start_or_resume(exam.id, ensure_user("ann"))
        assert second.number == 4 and second.state == "in_progress"
        with pytest.raises(IntegrityError):
            db.session.execute(update(Attempt).where(Attempt.id == first.id).values(state="in_progress"))
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Attempt).where(Attempt.state == "in_progress")) == 2
