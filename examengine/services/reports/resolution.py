"""The admin resolves a report, with an optional note for the other admins (the examinee sees only that
it was resolved: a note may well discuss the key).

Resolving is a conditional UPDATE of the open report, so two admins resolve it once and the second is
told. Who, when and the note stay on the report (it is never reopened: the examinee may file a new one),
and each resolution is also written to the `examengine.audit` log. It is not a score change, so it does
not go to the score audit log (`services/audit.py`), whose entries open appeal windows.
"""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import update

from ...extensions import db
from ...models import QuestionReport, User
from ...models._time import utcnow
from ..messages import _
from .filing import ReportRefused, clean_text

MAX_NOTE_CHARS = 2_000
audit_log = logging.getLogger("examengine.audit")


def resolve(report, admin: User, note: str | None, now: datetime | None = None) -> QuestionReport:
    """Mark the open report (a QuestionReport or its id) resolved by `admin`; ReportRefused, nothing written."""
    now = now or utcnow()
    report_id = report.id if isinstance(report, QuestionReport) else report
    found = db.session.get(QuestionReport, report_id) \
        if isinstance(report_id, int) and 0 < report_id < 2**31 else None
    if found is None or admin is None or not admin.has_role("admin"):
        raise ReportRefused("not_found", _("There is no such report."))
    text = clean_text(note)
    if len(text) > MAX_NOTE_CHARS:
        raise ReportRefused("bad_input", _("The note is too long: at most %(count)s characters.",
                                           count=f"{MAX_NOTE_CHARS:,}"))
    try:
        won = db.session.execute(
            update(QuestionReport).where(QuestionReport.id == found.id, QuestionReport.state == "open")
            .values(state="resolved", resolved_by_id=admin.id, resolved_at=now, resolution_note=text)
            .execution_options(synchronize_session=False)
        ).rowcount == 1
        if not won:
            db.session.rollback()
            raise ReportRefused("resolved", _("This report has already been resolved."))
        db.session.commit()
    except ReportRefused:
        raise
    except Exception:
        db.session.rollback()
        raise
    audit_log.info("question report %s (question %s, version %s) resolved by user %s", found.id,
                   found.question_id, found.version_id, admin.id)
    db.session.refresh(found)
    return found
