"""The grouping key of a written answer: texts equal after `normalize_written` (NFKC, trimmed, runs of
spaces collapsed; case and line breaks kept) get the same key, so a reviewer grades them once. Nothing
looser: `grep -i ERROR` and `GREP -I error` can deserve different marks. Set on every slot when the attempt is graded on submission (`grading.grade_attempt`).
"""
from __future__ import annotations

import hashlib
from typing import Any

from . import qtypes
from .text import normalize_written

BLANK_KEY = ""  # every blank (unanswered or whitespace-only) written answer


def written_types() -> list[str]:
    """The question types a reviewer grades."""
    return [qtype.name for qtype in qtypes.all_types() if not qtype.auto_graded]


def text_key(response: Any) -> str:
    """The key of a written response: BLANK_KEY when blank, else a hash of its normalized text."""
    text = normalize_written(response) if isinstance(response, str) else ""
    if not text:
        return BLANK_KEY
    return hashlib.sha1(text.encode("utf-8")).hexdigest()  # 40 hex digits; grouping, not security


def response_key(qtype_name: str, response: Any) -> str | None:
    """The key for a slot of `qtype_name`: None for auto-graded types."""
    return None if qtypes.get(qtype_name).auto_graded else text_key(response)
