"""Question banks: importing checked Markdown banks as versioned questions, browsing them, and the
question pool that exams draw from.

`imports` (all or nothing, a changed question gets a new version), `checks` (limits the database
needs beyond the core's checks), `browser` (the admin's filters and pages), `pool` (the candidates a
draw rule matches, and the cached paper plan per pool version), `rendered` (each version's HTML,
rendered once and stored with it: every page that shows a version asks `version_renderer(s)`),
`exports` (a stored bank as Markdown, Moodle XML, QTI or the XLSX template).
Owns the `banks`, `questions`, `question_versions` and `question_tags` tables.
"""
from .browser import (
    QuestionFilters,
    bank_summaries,
    browse_questions,
    current_versions,
    filter_choices,
    get_question,
    version_of,
)
from .exports import ExportFile, bank_by_key, bank_spec, export_bank, export_formats, import_template
from .imports import ImportReport, import_banks, parse_all
from .pool import cached_plan, candidate_pool, clear_plan_cache, paper_spec, rule_spec
from .rendered import version_renderer, version_renderers

__all__ = [
    "ExportFile", "ImportReport", "bank_by_key", "bank_spec", "export_bank", "export_formats", "import_template", "QuestionFilters", "bank_summaries", "browse_questions", "cached_plan", "candidate_pool",
    "clear_plan_cache", "current_versions", "filter_choices", "get_question", "import_banks", "paper_spec",
    "parse_all", "rule_spec", "version_of", "version_renderer", "version_renderers",
]
