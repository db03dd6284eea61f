"""Exams: what an admin defines before anyone sits it, and who may sit it when.

`admin` (settings, copy, delete, the lock once attempts exist), `difficulty` (measured facility per
question version, and the measured levels a "measured" exam freezes at its first attempt), `rules` (sections and draw rules,
refused when the pool cannot fill them, and the total every paper has), `blueprint` (the whole paper
as one table of counts per question type or dimension, saved as draw rules in one submit), `access` (assignment, the window, overrides, deadlines of
attempts in progress), `overrides` (per-user extra time/attempts/close), `samples` (the preview: sample papers and
their difficulty spread), `listing` (the admin's exam list), `scoring` (dimension weights, grade
bands, the appeal window, and the official score of an attempt under them), `release` (when the
examinee sees the score, marks, answers and feedback; the admin's manual release of the results),
`lifecycle` (draft → published → closed → archived: publish with its checks, unpublish, close now,
archive, restore), `files` (exams as YAML files, by their `key`: apply one in one transaction with every
problem at its line, export one, give an exam made on the web its key; the format is `core.exam_files`).
Owns the `exams`, `exam_sections`, `exam_rules`, `exam_overrides` and assignment tables.
"""
from .access import (
    AttemptRefused,
    Window,
    assigned_exams,
    grace_seconds,
    is_assigned,
    overrides_for,
    recompute_deadlines,
    window_for,
    window_from,
)
from .admin import LOCKED_SETTINGS, ExamError, ExamSettings, copy_exam, create_exam, delete_exam, is_locked, update_exam
from .blueprint import BlueprintInput, BlueprintRow, apply_blueprint, availability, row_error_key
from .difficulty import current_levels, freeze_measured_levels, frozen_levels, min_responses, version_facilities
from .files import ApplyResult, apply_exam_file, exam_by_id, exam_by_key, exam_file_of, export_exam_file, key_exam
from .lifecycle import (
    SHOWN_STATES,
    PublishCheck,
    archive,
    close_now,
    latest_close,
    lifecycle_state,
    publish,
    publish_check,
    restore,
    unpublish,
)
from .listing import LIST_FILTERS, exam_rows, exam_status, question_count
from .overrides import assigned_users, delete_override, overrides_of, set_override
from .release import (
    ItemRelease,
    ReleaseRefused,
    ReleaseStatus,
    attempt_visibility,
    release_results,
    release_status,
    withdraw_release,
)
from .rules import (
    RuleInput,
    add_rule,
    add_section,
    delete_rule,
    delete_section,
    move_rule,
    move_section,
    rename_section,
    shortfall_messages,
    uniform_total,
    update_rule,
)
from .samples import SEED_MAX, preview
from .scoring import (
    ScoringInput,
    band_label,
    band_labels,
    dimension_label,
    dimension_sums,
    exam_dimensions,
    official_score,
    reset_bands,
    save_scoring,
    scoring_of,
)

__all__ = [
    "LIST_FILTERS", "SHOWN_STATES", "PublishCheck", "archive", "close_now", "latest_close", "lifecycle_state",
    "publish", "publish_check", "restore", "unpublish",
    "LOCKED_SETTINGS", "SEED_MAX", "AttemptRefused", "BlueprintInput", "BlueprintRow", "apply_blueprint",
    "availability", "row_error_key", "uniform_total", "ExamError", "ExamSettings", "RuleInput", "ScoringInput",
    "Window", "add_rule", "add_section", "assigned_exams", "assigned_users", "band_label", "band_labels",
    "copy_exam", "create_exam", "current_levels", "freeze_measured_levels", "frozen_levels", "min_responses",
    "version_facilities", "delete_exam", "delete_override", "delete_rule", "delete_section",
    "dimension_label", "dimension_sums", "exam_dimensions", "exam_rows", "exam_status", "grace_seconds",
    "is_assigned", "is_locked", "move_rule", "move_section", "official_score", "overrides_for", "overrides_of",
    "preview", "question_count", "recompute_deadlines", "rename_section", "reset_bands", "save_scoring",
    "scoring_of", "set_override", "shortfall_messages", "update_exam", "update_rule", "window_for", "window_from",
    "ItemRelease", "ReleaseRefused", "ReleaseStatus", "attempt_visibility", "release_results", "release_status",
    "withdraw_release",
    "ApplyResult", "apply_exam_file", "exam_by_id", "exam_by_key", "exam_file_of", "export_exam_file", "key_exam",
]
