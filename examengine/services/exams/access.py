"""Who may sit which exam, and when: assignment (directly or through a group) and per-user overrides.

Every refusal on the examinee's path is an `AttemptRefused` with a reason the web layer maps to a
status code and a human message in the user's language.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import and_, or_, select

from ...core.timing import attempt_deadline
from ...extensions import db
from ...models import Attempt, Exam, ExamOverride, User, exam_groups, exam_users, user_groups
from ..messages import _

REASONS = ("not_assigned", "not_open_yet", "closed", "no_attempts_left", "finalized", "too_late",
           "bad_request", "cannot_assemble")




class AttemptRefused(Exception):
    """The examinee may not do this now. `.reason` is one of REASONS; `.message` is for people;
    `.details` is extra data for the page (e.g. the positions a late save could not store)."""

    def __init__(self, reason: str, message: str | None = None, details: dict | None = None):
        self.reason = reason
        self.message = message or default_message(reason)
        self.details = dict(details or {})
        super().__init__(f"{reason}: {self.message}")


def default_message(reason: str) -> str:
    messages = {
        "not_assigned": lambda: _("This exam is not assigned to you."),
        "not_open_yet": lambda: _("This exam is not open yet."),
        "closed": lambda: _("This exam is closed."),
        "no_attempts_left": lambda: _("You have used all your attempts at this exam."),
        "finalized": lambda: _("This attempt has already been submitted; it cannot be changed."),
        "too_late": lambda: _("Time is up: answers sent after the deadline are no longer accepted."),
        "bad_request": lambda: _("The request was not understood."),
        "cannot_assemble": lambda: _("Your paper cannot be put together: the question banks no longer "
                                     "match the exam's rules. Please tell the exam's administrator."),
    }
    return messages.get(reason, lambda: reason)()


def grace_seconds() -> int:
    return int(current_app.config.get("EXAMENGINE_GRACE_SECONDS", 60))


@dataclass(frozen=True)
class Window:
    """The exam as it applies to one user, overrides included (naive UTC)."""

    opens_at: datetime
    closes_at: datetime
    attempts_allowed: int
    extra_minutes: int


def window_for(exam: Exam, user_id: int) -> Window:
    return window_from(exam, db.session.get(ExamOverride, (exam.id, user_id)))


def window_from(exam: Exam, override: ExamOverride | None) -> Window:
    closes_at = exam.closes_at
    if override is not None and override.closes_at is not None:
        closes_at = max(closes_at, override.closes_at)  # an override only ever extends the window
    extra_attempts = (override.extra_attempts or 0) if override is not None else 0
    return Window(
        opens_at=exam.opens_at,
        closes_at=closes_at,
        attempts_allowed=(exam.attempts_allowed or 0) + extra_attempts,
        extra_minutes=(override.extra_minutes or 0) if override is not None else 0,
    )


def _assigned_clause(user_id: int):
    direct = select(exam_users.c.exam_id).where(exam_users.c.user_id == user_id)
    via_group = (select(exam_groups.c.exam_id)
                 .join(user_groups, user_groups.c.group_id == exam_groups.c.group_id)
                 .where(user_groups.c.user_id == user_id))
    # Drafts and archived exams do not exist for examinees (services/exams/lifecycle.py).
    return and_(Exam.status == "published", or_(Exam.id.in_(direct), Exam.id.in_(via_group)))


def is_assigned(exam: Exam, user: User) -> bool:
    """Published and assigned to the user directly or through one of their groups."""
    return db.session.scalar(select(Exam.id).where(Exam.id == exam.id, _assigned_clause(user.id))) is not None


def assigned_exams(user: User) -> list[Exam]:
    """The user's published exams, soonest closing first."""
    return list(db.session.scalars(
        select(Exam).where(_assigned_clause(user.id)).order_by(Exam.closes_at, Exam.id)
    ))


def overrides_for(user: User, exam_ids: list[int]) -> dict[int, ExamOverride]:
    if not exam_ids:
        return {}
    rows = db.session.scalars(select(ExamOverride).where(
        ExamOverride.user_id == user.id, ExamOverride.exam_id.in_(exam_ids)))
    return {row.exam_id: row for row in rows}


def recompute_deadlines(exam_id: int, user_id: int | None = None) -> int:
    """After an exam's time limit or close, or a user's override, changed: set the deadline of the
    attempts in progress (of one user, or all) to what a start at their start time would get now.
    Returns how many changed. Attempts already finalized are left alone. Runs in the caller's
    transaction (the caller commits), so the change and the new deadlines land together."""
    exam = db.session.get(Exam, exam_id)
    if exam is None:
        return 0
    query = select(Attempt).where(Attempt.exam_id == exam_id, Attempt.state == "in_progress")
    if user_id is not None:
        query = query.where(Attempt.user_id == user_id)
    changed = 0
    for attempt in db.session.scalars(query):
        window = window_from(exam, db.session.get(ExamOverride, (exam_id, attempt.user_id)))
        deadline = attempt_deadline(attempt.started_at, exam.time_limit_minutes, window.extra_minutes,
                                    window.closes_at)
        if deadline != attempt.deadline:
            attempt.deadline = deadline
            changed += 1
    return changed
