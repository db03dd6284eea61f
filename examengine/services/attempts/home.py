"""The employee home: one card per assigned exam, with its status for this user and released results."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ...core.timing import seconds_left as _seconds_left
from ...core.timing import window_state
from ...extensions import db
from ...models import Attempt, Exam, User
from ...models._time import utcnow
from ..exams.access import assigned_exams, overrides_for, window_from
from ..exams.scoring import official_score
from .review import score_visible as _score_visible
from .submission import finalize, overdue_ids


@dataclass
class ExamCard:
    exam: Exam
    status: str  # "upcoming" | "open" | "in_progress" | "submitted" | "graded" | "closed"
    attempt: Attempt | None  # the latest attempt, whatever its state
    seconds_left: int | None  # while in progress
    attempts_used: int
    attempts_allowed: int
    opens_at: datetime
    closes_at: datetime  # effective for this user (override included), naive UTC
    score_visible: bool
    score: float | None
    max_score: float | None
    percent: float | None
    passed: bool | None
    # The latest finalized attempt (the one whose result the card shows, and to link to its review).
    review_attempt: Attempt | None = None


def exam_cards(user: User, now: datetime | None = None) -> list[ExamCard]:
    """The user's assigned exams, soonest closing first; their overdue attempts are finalized first."""
    now = now or utcnow()
    for attempt_id in overdue_ids(now, user_id=user.id):
        finalize(attempt_id, now=now, by="timeout")
    exams = assigned_exams(user)
    ids = [exam.id for exam in exams]
    overrides = overrides_for(user, ids)
    attempts: dict[int, list[Attempt]] = {}
    if ids:
        for attempt in db.session.scalars(
            select(Attempt).where(Attempt.user_id == user.id, Attempt.exam_id.in_(ids))
            .order_by(Attempt.exam_id, Attempt.number)
        ):
            attempts.setdefault(attempt.exam_id, []).append(attempt)
    return [_card(exam, attempts.get(exam.id, []), overrides.get(exam.id), now) for exam in exams]


def _card(exam: Exam, mine: list[Attempt], override, now: datetime) -> ExamCard:
    window = window_from(exam, override)
    latest = mine[-1] if mine else None
    finalized = [a for a in mine if a.state != "in_progress"]
    shown = finalized[-1] if finalized else None
    state = window_state(now, window.opens_at, window.closes_at)
    if latest is not None and latest.state == "in_progress":
        status = "in_progress"
    elif state == "upcoming":
        status = "upcoming"
    elif state == "open" and len(mine) < window.attempts_allowed:
        status = "open"
    elif shown is not None:
        status = shown.state
    else:
        status = "closed"
    visible = shown is not None and _score_visible(exam, shown)
    score, maximum, percent, passed = official_score(shown) if visible else (None, None, None, None)
    return ExamCard(
        exam=exam, status=status, attempt=latest,
        seconds_left=_seconds_left(latest.deadline, now) if status == "in_progress" else None,
        attempts_used=len(mine), attempts_allowed=window.attempts_allowed,
        opens_at=window.opens_at, closes_at=window.closes_at,
        score_visible=visible, score=score, max_score=maximum, percent=percent,
        passed=passed, review_attempt=shown,
    )
