"""The examinee's path through an attempt: the service API the exam pages call.

Start/resume lives in attempt_start.py, saves in saves.py, finalizing and grading in grading.py, the
home page's cards in exam_home.py and the review in review.py; everything is importable from here.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from ...core.timing import is_overdue
from ...core.timing import seconds_left as _seconds_left
from ...extensions import db
from ...models import Attempt, User
from ...models._time import utcnow
from ..exams.access import AttemptRefused, grace_seconds, is_assigned, recompute_deadlines
from .evidence import RecordResult, record_events
from .home import ExamCard, exam_cards
from .paper import SlotView, paper_view
from .review import ReviewSlot, ReviewView, review_view
from .saves import SaveResult, changes_from_form, save_changes
from .start import MAX_DB_INT, serve_paper, start_or_resume
from .submission import close_overdue, finalize

__all__ = [
    "AttemptRefused", "ExamCard", "RecordResult", "ReviewSlot", "ReviewView", "SaveResult", "SlotView", "changes_from_form",
    "close_overdue", "exam_cards", "is_assigned", "own_attempt", "paper_view", "recompute_deadlines",
    "record_events", "review_view", "save_changes", "seconds_left", "serve_paper", "start_or_resume", "submit",
]


def own_attempt(attempt_id: Any, user: User, now: datetime | None = None) -> Attempt | None:
    """The attempt if it is the user's and its exam is published (else None: the web answers 404);
    finalized first if overdue."""
    if not (isinstance(attempt_id, int) and not isinstance(attempt_id, bool) and 0 < attempt_id <= MAX_DB_INT):
        return None
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != user.id or attempt.exam.status != "published":
        return None  # an archived exam is hidden from its examinees with everything in it
    now = now or utcnow()
    if attempt.state == "in_progress" and is_overdue(attempt.deadline, now, grace_seconds()):
        finalize(attempt.id, now=now, by="timeout")
    return attempt


def seconds_left(attempt: Attempt, now: datetime | None = None) -> int:
    return _seconds_left(attempt.deadline, now or utcnow())


def submit(attempt: Attempt, now: datetime | None = None, by: str = "examinee") -> Attempt:
    """Finalize and grade, exactly once (a second submit changes nothing). Past deadline + grace, the
    attempt is finalized as a timeout with the answers saved in time."""
    now = now or utcnow()
    if attempt.state != "in_progress":
        return attempt  # already finalized; an object still saying in_progress takes the conditional UPDATE
    if by == "examinee" and is_overdue(attempt.deadline, now, grace_seconds()):
        by = "timeout"
    finalize(attempt.id, now=now, by=by)
    return attempt
