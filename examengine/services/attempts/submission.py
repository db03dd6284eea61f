"""Finalizing attempts exactly once, and grading their objective questions.

`finalize()` flips the attempt from in_progress to submitted with one conditional UPDATE; only the
caller whose UPDATE matched grades, in the same transaction, so a racing submit, timeout and
`close-overdue` finalize and grade an attempt once. On PostgreSQL that UPDATE waits for the row lock a
save in flight holds (see attempts.save_changes) and then grades the committed answers; on SQLite the
database write lock serializes them the same way.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import exists, select, update

from ...core import qtypes
from ...core.answer_groups import response_key
from ...core.scoring import SlotGrade, attempt_total, max_score
from ...extensions import db
from ...models import Attempt, AttemptSlot, Exam, QuestionVersion
from ...models._time import utcnow
from ..audit import record_score_changes
from ..exams.access import grace_seconds

FINALIZED_BY = ("examinee", "timeout", "admin", "leave_limit")

log = logging.getLogger(__name__)


def finalize(attempt_id: int, *, now: datetime | None = None, by: str = "examinee") -> bool:
    """Submit and grade the attempt if it is still in progress; True for the one caller that did."""
    now = now or utcnow()
    try:
        won = db.session.execute(
            update(Attempt)
            .where(Attempt.id == attempt_id, Attempt.state == "in_progress")
            .values(state="submitted", submitted_at=now, submitted_by=by)
            .execution_options(synchronize_session=False)
        ).rowcount == 1
        if won:
            grade_attempt(attempt_id)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return won


def grade_attempt(attempt_id: int) -> None:
    """Grade every slot automatically (written ones are marked as needing a reviewer) and total the
    attempt. Within the caller's transaction; the raw responses are kept, so this can be rerun."""
    scoring = db.session.scalar(
        select(Exam.multiple_scoring).join(Attempt, Attempt.exam_id == Exam.id).where(Attempt.id == attempt_id)
    )
    rows = db.session.execute(
        select(AttemptSlot.id, AttemptSlot.points, AttemptSlot.response, AttemptSlot.score,
               QuestionVersion.qtype, QuestionVersion.payload)
        .join(QuestionVersion, AttemptSlot.question_version_id == QuestionVersion.id)
        .where(AttemptSlot.attempt_id == attempt_id)
    ).all()
    updates, changes = [], []
    for slot_id, points, response, old_score, qtype_name, payload in rows:
        grade = qtypes.get(qtype_name).grade(payload, response, float(points), multiple_scoring=scoring)
        updates.append({"id": slot_id, "auto_score": grade.score, "score": grade.score,
                        "needs_grading": grade.needs_grading, "response_key": response_key(qtype_name, response)})
        changes.append({"attempt_id": attempt_id, "slot_id": slot_id, "old": old_score, "new": grade.score})
    if updates:
        db.session.execute(update(AttemptSlot), updates)
        record_score_changes(changes, source="auto", reason="graded automatically on submission")
    update_total(attempt_id)


def update_total(attempt_id: int) -> None:
    """Set the attempt's score and state from its slots: "graded" with the sum once no slot needs
    grading, else "submitted" with no score. Reviewers' grading (next issue) calls this too."""
    grades = [SlotGrade(float(points), None if score is None else float(score), needs)
              for points, score, needs in db.session.execute(
                  select(AttemptSlot.points, AttemptSlot.score, AttemptSlot.needs_grading)
                  .where(AttemptSlot.attempt_id == attempt_id))]
    total = attempt_total(grades)
    db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt_id, Attempt.state != "in_progress")
        .values(score=total, max_score=max_score(grades), state="graded" if total is not None else "submitted")
        .execution_options(synchronize_session=False)
    )


def overdue_ids(now: datetime, *, user_id: int | None = None) -> list[int]:
    """In-progress attempts past deadline + grace (of one user, or everyone's)."""
    query = select(Attempt.id).where(Attempt.state == "in_progress",
                                     Attempt.deadline < now - timedelta(seconds=grace_seconds()))
    if user_id is not None:
        query = query.where(Attempt.user_id == user_id)
    return list(db.session.scalars(query.order_by(Attempt.id)))


@dataclass
class OverdueRun:
    """What one `close_overdue` did: attempts finalized, ungraded ones graded, and the ids that failed."""

    finalized: int = 0
    graded: int = 0
    failed: list[int] = field(default_factory=list)


def _never_graded():
    """A slot with neither a score nor a wait for a reviewer: `finalize` never leaves one (it grades in
    the same transaction); migration c7d1e2f3a4b5 does, for the surplus attempts it closed."""
    return exists().where(AttemptSlot.attempt_id == Attempt.id, AttemptSlot.score.is_(None),
                          AttemptSlot.needs_grading.is_(False))


def ungraded_ids() -> list[int]:
    """Attempts submitted by "timeout" that were never graded (see `_never_graded`)."""
    return list(db.session.scalars(
        select(Attempt.id).where(Attempt.state == "submitted", Attempt.submitted_by == "timeout", _never_graded())
        .order_by(Attempt.id)))


def grade_ungraded(attempt_id: int) -> bool:
    """Grade a submitted attempt that was never graded, once: the guard UPDATE takes the attempt's row
    lock (PostgreSQL; SQLite's write lock alike) and the check is repeated under it, so two runs at
    once grade it once. True for the caller that graded it."""
    try:
        locked = db.session.execute(
            update(Attempt).where(Attempt.id == attempt_id, Attempt.state == "submitted")
            .values(state=Attempt.state).execution_options(synchronize_session=False)
        ).rowcount == 1
        graded = locked and db.session.scalar(select(Attempt.id).where(Attempt.id == attempt_id, _never_graded()))
        if graded:
            grade_attempt(attempt_id)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return bool(graded)


def close_overdue(now: datetime | None = None) -> OverdueRun:
    """Finalize (as "timeout") every attempt past its deadline + grace, and grade the attempts left
    submitted but ungraded (`ungraded_ids`).

    Each attempt in its own transaction: one that fails (say, an answer stored before the input checks
    refused text UTF-8 cannot encode) is rolled back, logged and counted in `failed`, and the others are
    still closed. Idempotent, and safe to run twice at once: each attempt is finalized by one caller only.
    """
    now = now or utcnow()
    run = OverdueRun()
    for attempt_id in overdue_ids(now):
        try:
            run.finalized += finalize(attempt_id, now=now, by="timeout")
        except Exception:  # finalize rolled back; this attempt stays in progress for the next run
            db.session.rollback()
            log.exception("close-overdue: attempt %s could not be finalized", attempt_id)
            run.failed.append(attempt_id)
    for attempt_id in ungraded_ids():
        try:
            run.graded += grade_ungraded(attempt_id)
        except Exception:
            db.session.rollback()
            log.exception("close-overdue: attempt %s could not be graded", attempt_id)
            run.failed.append(attempt_id)
    return run
