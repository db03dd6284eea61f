"""The audit history of one attempt: every recorded score change (automatic grading, reviewers,
regrades, appeals, admins), newest first, with who, when, old and new score, why, and the question.
Rendered by `templates/appeals/_history.html` (admins only: it names the reviewers)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import AttemptSlot, QuestionVersion, ScoreChange, User
from .audit import shown_reason


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    who: str | None  # None: the system (automatic grading)
    source: str  # auto | reviewer | regrade | appeal | admin
    old: float | None
    new: float | None
    reason: str
    position: int | None  # the question's 0-based position; None for a change of the attempt as a whole
    question_title: str | None


def history(attempt_id: int) -> list[HistoryEntry]:
    actor = aliased(User)
    rows = db.session.execute(
        select(ScoreChange, actor.display_name, actor.username, AttemptSlot.position, QuestionVersion.title)
        .outerjoin(actor, actor.id == ScoreChange.actor_id)
        .outerjoin(AttemptSlot, AttemptSlot.id == ScoreChange.slot_id)
        .outerjoin(QuestionVersion, QuestionVersion.id == AttemptSlot.question_version_id)
        .where(ScoreChange.attempt_id == attempt_id)
        .order_by(ScoreChange.created_at.desc(), ScoreChange.id.desc())
    )
    return [
        HistoryEntry(when=change.created_at, who=(name or username) if username else None, source=change.source,
                     old=_num(change.old_score), new=_num(change.new_score), reason=shown_reason(change.reason or ""),
                     position=position, question_title=title)
        for change, name, username, position, title in rows
    ]


def _num(value) -> float | None:
    return None if value is None else float(value)
