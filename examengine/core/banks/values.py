"""Values shared by front matter and question metadata: ids, points, difficulty, tags.

Each parser returns (value, None) or (None, message) so the caller can point at the right line.
"""
from __future__ import annotations

import re

from examengine.core.messages import N_
from examengine.core.text import parse_number

# Letters (any script), digits, `_`, `-`, `.`; no `:` so an id never looks like a content identity.
_ID = re.compile(r"[\w.-]{1,100}")
MAX_POINTS = 1000.0
DEFAULT_DIFFICULTY = 3
DIFFICULTY_WORDS = {
    "easy": 1, "易": 1, "简单": 1,
    "medium": 3, "中": 3, "中等": 3,
    "hard": 5, "难": 5, "困难": 5,
}
_TAG_SEPARATORS = re.compile(r"[,，]")

Parsed = tuple[object, str | None]


def parse_id(value: object, what: str = N_("id")) -> Parsed:
    text = str(value).strip()
    if not _ID.fullmatch(text):
        return None, N_("%(what)s %(text)r is not valid: use up to 100 letters, digits, `_`, `-` or `.`, "
                        "without spaces", what=what, text=text)
    return text, None


def parse_points(value: object) -> Parsed:
    number = _number(value)
    if number is None or not 0 < number <= MAX_POINTS:
        return None, N_("points must be a number above 0 and at most %(max)s, not %(value)r",
                          max=f"{MAX_POINTS:g}", value=value)
    return float(number), None


def parse_difficulty(value: object) -> Parsed:
    number = _number(value)
    if isinstance(value, str) and value.strip().casefold() in DIFFICULTY_WORDS:
        return DIFFICULTY_WORDS[value.strip().casefold()], None
    if number is not None and number in range(1, 6):
        return int(number), None
    return None, N_("difficulty must be 1 to 5, easy/medium/hard or 易/中/难, not %(value)r", value=value)


def _number(value: object) -> float | None:
    if isinstance(value, str):
        return parse_number(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return float(value)
        except OverflowError:  # a YAML integer with hundreds of digits
            return None
    return None


def split_tags(text: str) -> list[str]:
    return unique(tag.strip() for tag in _TAG_SEPARATORS.split(text))


def unique(items) -> list[str]:
    """Non-empty items, first occurrence kept, order kept."""
    return list(dict.fromkeys(item for item in items if item))
