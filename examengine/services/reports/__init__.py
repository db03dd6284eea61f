"""Question reports: an examinee says a question of their paper seems wrong; the bank's admins resolve it.

`filing` is the examinee's side (report a slot during or after the attempt, read back their reports),
`listing` the admins' reads (a question's reports, the paginated list), `resolution` the admin's transaction. Owns the `question_reports` table; reads attempts
and banks, changes neither.
"""
from .filing import MAX_COMMENT_CHARS, ReportRefused, attempt_reports, report_question
from .listing import (
    LIST_STATES,
    ReportFilters,
    ReportPage,
    ReportRow,
    open_reports,
    reports_for_question,
)
from .resolution import MAX_NOTE_CHARS, resolve

__all__ = [
    "LIST_STATES", "MAX_COMMENT_CHARS", "MAX_NOTE_CHARS", "ReportFilters", "ReportPage", "ReportRefused", "ReportRow",
    "attempt_reports", "open_reports", "report_question", "reports_for_question", "resolve",
]
