"""Analysis: how good each question, each exam and each reviewer is (the seeds' objectivity principle).

`exams` computes an exam's item analysis from its finalized attempts (figures in `core.statistics`),
cached until a score changes; `export` writes it as CSV or XLSX; `reviewers` measures how alike the
reviewers mark (agreement of double marks, severity, time per answer). Reads attempts, slots and marks; owns
no table.
"""
from .exams import ATTEMPT_CHOICES, ExamAnalysis, QuestionAnalysis, clear_cache, exam_analysis
from .export import analysis_csv, analysis_json, analysis_xlsx
from .reviewers import ReviewerAnalysis, reviewer_analysis

__all__ = [
    "ATTEMPT_CHOICES", "ExamAnalysis", "QuestionAnalysis", "analysis_csv", "analysis_json", "analysis_xlsx",
    "ReviewerAnalysis", "clear_cache", "exam_analysis", "reviewer_analysis",
]
