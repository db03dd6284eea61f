"""Answer normalization for fill-in-the-blank matching.

Examinees type on Chinese input methods, which produce full-width characters (`４４３`, `ＨＴＴＰＳ`,
`，`); NFKC folds those to their ASCII forms so they match the key as the author wrote it.
"""
from __future__ import annotations

import math
import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")
# Plain decimal notation only: float() would also accept "inf", "nan" and "1_000".
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
# NFKC leaves these minus signs alone.
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2013": "-", "\ufe63": "-"})


def normalize_answer(text: str, *, case_sensitive: bool = False) -> str:
    """NFKC, trim, fold inner whitespace to one space, casefold unless `case_sensitive`."""
    text = unicodedata.normalize("NFKC", text)
    text = _WHITESPACE.sub(" ", text).strip()
    return text if case_sensitive else text.casefold()


def parse_number(text: str) -> float | None:
    """The finite number `text` spells (full-width digits accepted), else None."""
    compact = unicodedata.normalize("NFKC", text).translate(_MINUS_SIGNS).strip()
    if not _NUMBER.fullmatch(compact):
        return None
    value = float(compact)
    return value if math.isfinite(value) else None


def numbers_match(given: float, expected: float, tolerance: float | None) -> bool:
    """`given` within `tolerance` of `expected`; a little slack absorbs binary rounding (3.15 - 3.14)."""
    slack = 1e-9 * max(1.0, abs(expected))
    return abs(given - expected) <= (tolerance or 0.0) + slack
