"""Analysis: how good each question, each exam and each reviewer is (the seeds' objectivity principle).

`exams` computes the item analysis of an exam, or of a set of exams that share questions, from their
finalized attempts (figures in `core.statistics`), cached until a score changes; `versions` pools each
question version's figures over every exam that used it (the question browser, `banks check --stats`);
`export` writes an analysis as JSON, CSV or XLSX; `reviewers` measures how alike the reviewers mark
(agreement of double marks, severity, time per answer). Reads attempts, slots and marks; owns no table.
"""
from .exams import (
    ATTEMPT_CHOICES,
    ExamAnalysis,
    ExamChoice,
    ExamTest,
    QuestionAnalysis,
    exam_analysis,
    exam_choices,
    exams_analysis,
    exams_by_id,
)
from .exams import clear_cache as _clear_exam_cache
from .export import analysis_csv, analysis_json, analysis_xlsx
from .reviewers import ReviewerAnalysis, reviewer_analysis
from .versions import VersionStatistics, flagged_version_ids, version_statistics
from .versions import clear_cache as _clear_version_cache


def clear_cache() -> None:
    """Forget every cached analysis (the stamps make this unnecessary for correctness; tests use it)."""
    _clear_exam_cache()
    _clear_version_cache()


__all__ = [
    "ATTEMPT_CHOICES", "ExamAnalysis", "ExamChoice", "ExamTest", "QuestionAnalysis", "ReviewerAnalysis",
    "VersionStatistics", "analysis_csv", "analysis_json", "analysis_xlsx", "clear_cache", "exam_analysis",
    "exam_choices", "exams_analysis", "exams_by_id", "flagged_version_ids", "reviewer_analysis",
    "version_statistics",
]
