"""Starting (or resuming) an attempt: checks, the examinee's own frozen paper, the server's deadline.

The paper is assembled once, from a random seed, and frozen in the attempt's slots (exact question
version, points, option order), so it never changes afterwards. An exam balanced on measured
difficulty first freezes its measured levels while it has no attempt (`exams/difficulty.py`), and every
paper is drawn on the frozen levels read under the exam's shared row lock.

Two starts at once (double click, two tabs, two machines, twenty parallel requests) end with one
attempt in progress, and it is the database that guarantees it: the partial unique index
`uq_attempts_one_in_progress` on (exam, user) WHERE state = 'in_progress' (and the unique (exam, user,
number)) lets one insert win; the others get an IntegrityError, roll back and resume the winner's
attempt, so a burst of starts never uses up a second attempt.

The clock starts when the paper is first served (`serve_paper`, called by the exam page), not when
"start" was pressed: under a synchronized start the page may wait behind other requests, and that
wait is the server's, not the examinee's. Until then the deadline set at creation stands.
"""
from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ...core.papers import InfeasibleRules, draw_paper
from ...core.timing import attempt_deadline, is_overdue, window_state
from ...extensions import db
from ...models import Attempt, AttemptSlot, Exam, User
from ...models._time import utcnow
from ..banks.pool import cached_plan, paper_spec
from ..exams.access import AttemptRefused, Window, grace_seconds, is_assigned, window_for
from ..exams.difficulty import freeze_measured_levels, frozen_levels
from ..messages import _
from .submission import finalize

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 10
MAX_DB_INT = 2**31 - 1  # Integer columns are 4 bytes on PostgreSQL


def new_code() -> str:
    """The attempt's anonymous code, shown to reviewers instead of the examinee's name."""
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def start_or_resume(exam_id: int, user: User, now: datetime | None = None) -> Attempt:
    """The user's attempt in progress at this exam, else a new one if the window and attempts allow.

    Resuming never resets the clock. An attempt found past its deadline + grace is finalized with its
    saved answers and refused as "finalized" (the next start, if attempts are left, makes a new one).
    """
    now = now or utcnow()
    if _db_int(exam_id):
        freeze_measured_levels(exam_id)  # its own transaction, before this one's shared lock of the exam
    exam = _exam_for_start(exam_id)
    if exam is None or not is_assigned(exam, user):
        raise AttemptRefused("not_assigned")
    for _try in range(3):
        current = _in_progress(exam.id, user.id)
        if current is not None:
            if not is_overdue(current.deadline, now, grace_seconds()):
                return current
            finalize(current.id, now=now, by="timeout")
            raise AttemptRefused("finalized", _("Time ran out on your attempt; it was submitted with the "
                                                "answers you had saved."))
        window = window_for(exam, user.id)
        state = window_state(now, window.opens_at, window.closes_at)
        if state == "upcoming":
            raise AttemptRefused("not_open_yet")
        if state == "closed":
            raise AttemptRefused("closed")
        used, last_number = db.session.execute(
            select(func.count(Attempt.id), func.coalesce(func.max(Attempt.number), 0))
            .where(Attempt.exam_id == exam.id, Attempt.user_id == user.id)
        ).one()
        if used >= window.attempts_allowed:
            if _in_progress(exam.id, user.id) is not None:
                continue  # a concurrent start just created it: resume that one
            raise AttemptRefused("no_attempts_left")
        try:
            return _create(exam, user, last_number + 1, window, now)
        except IntegrityError:
            # Another request started an attempt first (uq_attempts_one_in_progress, or the same number),
            # or, very rarely, the code was taken: the next round resumes the winner's attempt.
            db.session.rollback()
    raise AttemptRefused("bad_request", _("The exam could not be started; please try again."))


def _exam_for_start(exam_id) -> Exam | None:
    """The exam with a shared row lock (PostgreSQL) until commit: a rules edit, which takes the row
    FOR UPDATE, cannot slip in between reading the rules and inserting the attempt."""
    if not _db_int(exam_id):
        return None
    return db.session.scalar(select(Exam).where(Exam.id == exam_id).with_for_update(read=True)
                             .execution_options(populate_existing=True))  # the measured levels as frozen now


def _db_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_DB_INT


def _in_progress(exam_id: int, user_id: int) -> Attempt | None:
    return db.session.scalar(
        select(Attempt)
        .where(Attempt.exam_id == exam_id, Attempt.user_id == user_id, Attempt.state == "in_progress")
        .order_by(Attempt.number.desc())
        .limit(1)
    )


def _create(exam: Exam, user: User, number: int, window: Window, now: datetime) -> Attempt:
    seed = secrets.randbelow(MAX_DB_INT)
    try:
        paper = draw_paper(cached_plan(paper_spec(exam), frozen_levels(exam)), seed)
    except InfeasibleRules:
        raise AttemptRefused("cannot_assemble") from None
    if not paper.slots:
        raise AttemptRefused("cannot_assemble")
    attempt = Attempt(
        exam_id=exam.id, user_id=user.id, number=number, code=new_code(), seed=seed, state="in_progress",
        started_at=now,
        deadline=attempt_deadline(now, exam.time_limit_minutes, window.extra_minutes, window.closes_at),
        max_score=round(paper.total_points, 2),
    )
    try:
        db.session.add(attempt)
        db.session.flush()
        db.session.execute(insert(AttemptSlot), [
            {"attempt_id": attempt.id, "position": slot.position, "section": slot.section,
             "question_version_id": slot.version_id, "points": slot.points,
             "option_order": list(slot.option_order) if slot.option_order is not None else None,
             "response_seq": 0, "flagged": False, "needs_grading": False}
            for slot in paper.slots
        ])
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return attempt




def serve_paper(attempt: Attempt, now: datetime | None = None) -> None:
    """Start the attempt's clock now if its paper is being served for the first time.

    One conditional UPDATE (`paper_served_at IS NULL`), so of two tabs opening the page at once only the
    first stamps the clock, on any server; later views change nothing. The deadline is computed as at
    creation (time limit, the examinee's extra minutes, never past the window's close).
    """
    if attempt.paper_served_at is not None or attempt.state != "in_progress":
        return
    now = now or utcnow()
    window = window_for(attempt.exam, attempt.user_id)
    deadline = attempt_deadline(now, attempt.exam.time_limit_minutes, window.extra_minutes, window.closes_at)
    result = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.paper_served_at.is_(None), Attempt.state == "in_progress")
        .values(paper_served_at=now, started_at=now, deadline=deadline)
    )
    db.session.commit()
    if not result.rowcount:
        db.session.refresh(attempt)  # another request served it first: its stamp holds
