"""Attempts: an examinee's sitting of an exam, from start to the graded, reviewable result.

`start` freezes the paper and sets the server's deadline, `saves` takes autosaves (newest sequence
wins), `submission` submits exactly once and grades the objective items (`update_total` keeps the
total open while anything needs a reviewer), `review` is what the examinee sees afterwards,
`home` the examinee's exam cards, `evidence` the leave-page events (leaves and seconds away on the
server's clock, reloads, the exam's leave limit), and `flow` the operations the exam pages call.
Owns the `attempts`, `attempt_slots` and `attempt_events` tables.
"""
from . import admission
from .evidence import LEAVE_LIMIT_BY, leave_limit_message, summarize_events, summary_of
from .flow import (
    AttemptRefused,
    SlotView,
    changes_from_form,
    exam_cards,
    is_assigned,
    own_attempt,
    paper_view,
    record_events,
    review_view,
    save_changes,
    seconds_left,
    serve_paper,
    start_or_resume,
    submit,
)
from .review import score_visible
from .saves import own_save_target
from .start import MAX_DB_INT
from .submission import OverdueRun, close_overdue, finalize, update_total

__all__ = [
    "admission",
    "LEAVE_LIMIT_BY", "leave_limit_message", "summarize_events", "summary_of",
    "MAX_DB_INT", "AttemptRefused", "OverdueRun", "SlotView", "changes_from_form", "close_overdue", "exam_cards", "finalize",
    "is_assigned", "own_attempt", "own_save_target", "paper_view", "record_events", "review_view", "save_changes", "score_visible",
    "seconds_left", "serve_paper", "start_or_resume", "submit", "update_total",
]
