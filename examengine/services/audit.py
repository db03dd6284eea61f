"""The audit log of score changes. Every path that changes a slot's score (automatic grading,
reviewers, regrade, appeals, admins) records it here, in the caller's transaction. Admin changes of
the grading setup that are not scores (calibration) go to the `examengine.audit` logger."""
from __future__ import annotations

import logging
import re

from sqlalchemy import insert

from ..core.messages import N_, Message
from ..extensions import db
from ..models import ScoreChange
from ..models._time import utcnow
from .messages import translate

SOURCES = ("auto", "reviewer", "regrade", "appeal", "admin")

# The reasons the system itself writes into ScoreChange.reason. The column keeps their English text
# (as every row before translation did: old and new rows read the same, and exports stay stable);
# `shown_reason` translates a reason matching one of these when it is shown. Any other text (a
# reviewer's comment, an appeal's answer, a wording this version no longer writes) is shown as written.
AUTO_GRADED = N_("graded automatically on submission")
REGRADED = N_("regraded against version %(number)s of %(title)s")
RUBRIC_ONLY = N_("rubric")  # a reviewer's mark without a comment
BLANK_ANSWER = N_("blank answer")
SYSTEM_REASONS = (AUTO_GRADED, REGRADED, RUBRIC_ONLY, BLANK_ANSWER)
_REASON_PATTERNS = [
    (reason.id, re.compile(re.sub(r"%\\\((\w+)\\\)s", r"(?P<\1>.+?)", re.escape(reason.id)), re.DOTALL))
    for reason in SYSTEM_REASONS
]


def shown_reason(stored: str) -> str:
    """A stored score-change reason in the reader's language (see SYSTEM_REASONS)."""
    for template, pattern in _REASON_PATTERNS:
        match = pattern.fullmatch(stored)
        if match:
            return translate(Message(template, match.groupdict()))
    return stored


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


# --- admin changes that are not scores ---

admin_log = logging.getLogger("examengine.audit")  # one name, so deployments can route it to their audit trail


def record_admin_change(action: str, *, actor_id: int | None, exam_id: int | None = None, **details) -> None:
    """An admin's change of grading setup (calibration samples, calibration settings): one structured
    log line on the `examengine.audit` logger. The rows the change touched keep who and when as well
    (e.g. a removed calibration sample keeps `deleted_by_id` and `deleted_at`)."""
    fields = " ".join(f"{key}={value!r}" for key, value in sorted(details.items()))
    admin_log.info("admin change %s by user %s on exam %s %s", action, actor_id, exam_id, fields)
