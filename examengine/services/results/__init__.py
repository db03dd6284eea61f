"""Results: scores by weighted competency dimension, for the admin (an exam's results, one attempt
in full, exports) and for the employee (their own results); and regrades.

`overview` (the rows, filters, histogram and averages of an exam), `detail` (one attempt with its
score history), `export` (CSV and XLSX, guarded against formula injection), `mine` (the employee's
results across exams), `regrade` (a dry run, then apply; every change audited).
Reads attempts and marks; writes only through regrade (scores, audit log, totals).
"""
from .detail import attempt_detail
from .export import question_scores_table, results_table, to_csv, to_xlsx
from .mine import my_results
from .overview import (
    SORT_KEYS,
    ExamResults,
    dimension_averages,
    exam_results,
    gc_paused,
    histogram,
    select_rows,
    summary,
)
from .regrade import RegradePlan, RegradeRefused, apply_regrade, regrade_plan

__all__ = [
    "SORT_KEYS", "ExamResults", "RegradePlan", "RegradeRefused", "apply_regrade", "attempt_detail",
    "dimension_averages", "exam_results", "gc_paused", "histogram", "my_results", "question_scores_table",
    "regrade_plan", "results_table", "select_rows", "summary", "to_csv", "to_xlsx",
]
