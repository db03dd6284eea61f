"""Grading: reviewers marking the answers that need a person, against the question's rubric.

`queue` (what a reviewer grades next, in groups of equal answers, anonymously), `claims` (expiring,
race-safe holds on the answers shown), `marks` (saving a mark or scoring blanks; double marking and
the deciding third mark), `scores` (parsing and bounding a mark), `setup` (an exam's reviewers and
marking mode), `stats` (progress and reviewer agreement), `calibration` (sample answers with reference
marks that reviewers must mark within a tolerance before the queue gives them a question).
Owns the `grading_claims`, `grading_marks`, `calibration_samples` and `calibration_marks` tables; totals
go through `attempts.update_total` (calibration marks never do).
"""
from .calibration import (
    ANSWER_CHOICES,
    AnswerChoice,
    CalibrationStatus,
    QuestionCalibration,
    active_samples,
    add_sample,
    answer_choice,
    answer_choices,
    calibration_overview,
    calibration_status,
    calibration_version,
    own_mark,
    remove_sample,
    reviewer_states,
    sample_counts,
    sample_of,
    save_calibration_mark,
)
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
from .scores import GradingRefused, item_values, within_tolerance
from .setup import reviewer_candidates, set_grading

__all__ = [
    "ANSWER_CHOICES", "AnswerChoice", "CalibrationStatus", "QuestionCalibration", "active_samples", "add_sample", "answer_choice",
    "answer_choices", "calibration_overview", "calibration_status", "calibration_version", "own_mark",
    "remove_sample", "reviewer_states", "sample_counts", "sample_of", "save_calibration_mark",
    "WAITING_CAP", "GradingRefused", "SaveOutcome", "agreement", "can_review", "claim_seconds", "clean_slot_ids",
    "item_values", "next_group", "question_progress", "question_waiting", "release", "release_question",
    "reviewer_candidates", "reviewer_exams", "save_mark", "score_blank", "set_grading", "waiting_count",
    "within_tolerance", "written_version",
]
