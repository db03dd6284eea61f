"""The examinee's path through an attempt: the service API the exam pages call.

Start/resume lives in attempt_start.py, saves in saves.py, finalizing and grading in grading.py, the
home page's cards in exam_home.py and the review in review.py; everything is importable from here.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select

from ...core import qtypes
from ...core.timing import is_overdue
from ...core.timing import seconds_left as _seconds_left
from ...extensions import db
from ...models import Attempt, AttemptEvent, User
from ...models._time import utcnow
from ..exams.access import AttemptRefused, grace_seconds, is_assigned, recompute_deadlines
from .home import ExamCard, exam_cards
from .review import ReviewSlot, ReviewView, paper_rows, review_view
from .saves import SaveResult, bad_request, changes_from_form, save_changes
from .start import MAX_DB_INT, start_or_resume
from .submission import close_overdue, finalize

__all__ = [
    "AttemptRefused", "ExamCard", "ReviewSlot", "ReviewView", "SaveResult", "SlotView", "changes_from_form",
    "close_overdue", "exam_cards", "is_assigned", "own_attempt", "paper_view", "recompute_deadlines",
    "record_events", "review_view", "save_changes", "seconds_left", "start_or_resume", "submit",
]

MAX_EVENTS_PER_REQUEST = 50
MAX_EVENTS_PER_ATTEMPT = 2000
EVENT_KINDS = ("blur", "focus", "hidden", "visible")


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


@dataclass
class SlotView:
    """One question of the paper as the exam page shows it: never any key material."""

    position: int
    section: int
    qtype: str
    title: str
    points: float
    template: str
    context: dict
    response: Any
    flagged: bool
    answered: bool
    seq: int
    section_title: str = ""


def paper_view(attempt: Attempt) -> list[SlotView]:
    """Every slot with its type's template context, rendered WITHOUT the key (show_key=False)."""
    titles = [section.title for section in attempt.exam.sections]
    rows = paper_rows(attempt.id)
    views = []
    for slot, version in rows:
        qtype = qtypes.get(version.qtype)
        context = qtype.template_context(
            version.payload, stem_md=version.stem, field_name=f"q{slot.position}", response=slot.response,
            option_order=slot.option_order, show_key=False,
        )
        views.append(SlotView(
            position=slot.position, section=slot.section, qtype=version.qtype, title=version.title,
            points=float(slot.points), template=qtype.template, context=context, response=slot.response,
            flagged=bool(slot.flagged), answered=qtype.is_answered(slot.response), seq=slot.response_seq,
            section_title=titles[slot.section] if 0 <= slot.section < len(titles) else "",
        ))
    return views


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


def record_events(attempt: Attempt, events: Any, now: datetime | None = None) -> int:
    """Store leave/return evidence (`[{"kind": "blur"|"focus"|"hidden"|"visible", "at": ISO}]`) while
    the attempt is in progress; unknown kinds are skipped. Capped per request and per attempt."""
    if not isinstance(events, (list, tuple)):
        raise bad_request("expected a list of events")
    if attempt.state != "in_progress":
        return 0
    now = now or utcnow()
    room = MAX_EVENTS_PER_ATTEMPT - db.session.scalar(
        select(func.count(AttemptEvent.id)).where(AttemptEvent.attempt_id == attempt.id))
    rows = []
    for event in list(events)[:min(MAX_EVENTS_PER_REQUEST, max(0, room))]:
        if isinstance(event, Mapping) and event.get("kind") in EVENT_KINDS:
            rows.append({"attempt_id": attempt.id, "kind": event["kind"], "client_time": _client_time(event.get("at")),
                         "server_time": now})
    if rows:
        try:
            db.session.execute(insert(AttemptEvent), rows)
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
    return len(rows)


def _client_time(value: Any) -> datetime | None:
    """An ISO time from the browser as naive UTC (a time without zone is taken as UTC); None if invalid."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed
