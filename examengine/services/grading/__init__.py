"""Grading: reviewers marking the answers that need a person, against the question's rubric.

`queue` (what a reviewer grades next, in groups of equal answers, anonymously), `claims` (expiring,
race-safe holds on the answers shown), `marks` (saving a mark or scoring blanks; double marking and
the deciding third mark), `scores` (parsing and bounding a mark), `setup` (an exam's reviewers and
marking mode), `stats` (progress and reviewer agreement).
Owns the `grading_claims` and `grading_marks` tables; totals go through `attempts.update_total`.
"""
from .claims import claim_seconds, release, release_question
from .marks import SaveOutcome, clean_slot_ids, save_mark, score_blank
from .queue import (
    WAITING_CAP,
    agreement,
    can_review,
    next_group,
    question_progress,
    question_waiting,
    reviewer_exams,
    waiting_count,
    written_version,
)
from .scores import GradingRefused, item_values
from .setup import reviewer_candidates, set_grading

__all__ = [
    "WAITING_CAP", "GradingRefused", "SaveOutcome", "agreement", "can_review", "claim_seconds", "clean_slot_ids",
    "item_values", "next_group", "question_progress", "question_waiting", "release", "release_question",
    "reviewer_candidates", "reviewer_exams", "save_mark", "score_blank", "set_grading", "waiting_count",
    "written_version",
]
