"""The audit log of score changes. Every path that changes a slot's score (automatic grading,
reviewers, regrade, appeals, admins) records it here, in the caller's transaction."""
from __future__ import annotations

from sqlalchemy import insert

from ..extensions import db
from ..models import ScoreChange
from ..models._time import utcnow

SOURCES = ("auto", "reviewer", "regrade", "appeal", "admin")


def record_score_change(*, attempt_id: int, slot_id: int | None, source: str, old: float | None,
                        new: float | None, actor_id: int | None = None, reason: str = "") -> None:
    record_score_changes([dict(attempt_id=attempt_id, slot_id=slot_id, old=old, new=new)],
                         source=source, actor_id=actor_id, reason=reason)


def record_score_changes(changes: list[dict], *, source: str, actor_id: int | None = None,
                         reason: str = "") -> None:
    """Bulk form: each change is {attempt_id, slot_id, old, new}; unchanged scores are skipped."""
    if source not in SOURCES:
        raise ValueError(f"unknown score-change source {source!r}")
    now = utcnow()
    rows = [
        {"attempt_id": c["attempt_id"], "slot_id": c["slot_id"], "source": source, "actor_id": actor_id,
         "old_score": c["old"], "new_score": c["new"], "reason": reason, "created_at": now}
        for c in changes if c["old"] != c["new"]
    ]
    if rows:
        db.session.execute(insert(ScoreChange), rows)
