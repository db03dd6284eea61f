"""Appeals (复核与申诉): an employee contests one graded question; another reviewer decides.

`policy` holds the rules (window, who may handle), `cases` the two transactions (file, resolve),
`listing` the reads (the employee's own, the admin's list, a handler's queue, one case).
Owns the `appeals` table; a changed score goes through the audit log and `attempts.update_total`.
"""
from .cases import create_appeal, resolve_appeal
from .listing import all_appeals, appeal_case, appeal_exams, count_appeals, handler_queue, my_appeals
from .policy import (
    MAX_REASON_CHARS,
    AppealRefused,
    appeal_deadline,
    handler_refusal,
    release_time,
    slot_appeals,
)

__all__ = [
    "MAX_REASON_CHARS", "AppealRefused", "all_appeals", "appeal_deadline", "release_time", "appeal_case", "appeal_exams", "count_appeals",
    "create_appeal", "handler_queue", "handler_refusal", "my_appeals", "resolve_appeal", "slot_appeals",
]
