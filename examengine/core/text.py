"""Text rules shared by every layer: answer normalization, numbers as people type them, and the
characters no stored text may hold.

Examinees type on Chinese input methods, which produce full-width characters (`４４３`, `ＨＴＴＰＳ`,
`，`); NFKC folds those to their ASCII forms so they match the key as the author wrote it.

Numbers (`parse_number`): ASCII digits, or the full-width digits of Chinese input methods (`１２．５`),
and nothing else: other scripts' digits (`١`, `४`), superscripts or circled digits are refused, so a
number means the same whatever database stores it.

Stored text (`unstorable`): PostgreSQL text cannot hold NUL, and a lone surrogate (`"\\ud800"` sent as
a JSON escape) cannot be encoded as UTF-8, so every page that shows it would fail. Both are refused at
the door: the web layer checks every request, the services check what they store.
"""
from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

_WHITESPACE = re.compile(r"\s+")
# Plain decimal notation only: float() would also accept "inf", "nan" and "1_000".
# ASCII digits only: [0-9], not \d, which matches the digits of every script.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
# Full-width ASCII (U+FF01..U+FF5E: `１２．５`, `－３`, `１Ｅ３`) to ASCII, and the usual minus signs.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
# Dash variants typed for a minus or a hyphen: hyphen, non-breaking hyphen, figure dash, en and em
# dashes, horizontal bar, minus sign, small and full-width hyphen-minus.
_DASHES = {code: "-" for code in (0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xFE58, 0xFE63,
                                  0xFF0D)}
_NUMBER_FORMS = str.maketrans({**_FULL_WIDTH, **_DASHES})
_DASH_FORMS = str.maketrans(_DASHES)
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# A typed number as people write it: thousands separators (`1,024`, `1，024`), then an optional unit.
_TYPED_NUMBER = re.compile(
    r"(?P<number>[+-]?(?:(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)"
    r"\s*(?P<unit>\S{0,12})")
_UNIT = re.compile(r"%|‰|°[CF]?|℃|[A-Za-z]{1,8}(?:/[A-Za-z]{1,4})?|[\u4e00-\u9fff]{1,4}")
# Sentence punctuation an examinee may type after a one-word answer (`HTTPS。`).
_TRAILING_PUNCTUATION = re.compile(r"[\s。．.，,]+$")
_SPACE_RUNS = re.compile(r"[^\S\n]+")


def normalize_answer(text: str, *, case_sensitive: bool = False) -> str:
    """NFKC, trim, fold inner whitespace to one space, casefold unless `case_sensitive`."""
    text = unicodedata.normalize("NFKC", text)
    text = _WHITESPACE.sub(" ", text).strip()
    return text if case_sensitive else text.casefold()


def normalize_blank(text: str, *, case_sensitive: bool = False) -> str:
    """A fill-in blank as compared: `normalize_answer`, dash variants as `-`, and trailing sentence
    punctuation (。．.，,) dropped, so `HTTPS。` and `ＨＴＴＰＳ` match `HTTPS`."""
    text = normalize_answer(text.translate(_DASH_FORMS), case_sensitive=case_sensitive)
    return _TRAILING_PUNCTUATION.sub("", text)


def normalize_written(text: str) -> str:
    """A written answer as grouped: NFKC, trimmed, runs of spaces collapsed; case and line breaks kept,
    so `grep -i ERROR` and `GREP -I error` stay two answers a reviewer sees separately."""
    text = unicodedata.normalize("NFKC", text).replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACE_RUNS.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(lines).strip("\n")


def parse_typed_number(text: str) -> tuple[float, str] | None:
    """(value, unit) for a number as an examinee types it, else None.

    Beyond `parse_number`: thousands separators in groups of three (`1,024`, full-width `１，０２４`),
    and a trailing unit (`85%`, `８５％`, `30 min`, `30分钟`; "" when none). Trailing sentence
    punctuation is ignored (`85%。`). The same digits as parse_number: ASCII and full-width only.
    """
    if not isinstance(text, str):
        return None
    compact = _TRAILING_PUNCTUATION.sub("", text.translate(_NUMBER_FORMS).strip())
    match = _TYPED_NUMBER.fullmatch(compact)
    if not match:
        return None
    unit = unicodedata.normalize("NFKC", match.group("unit"))
    if unit and not _UNIT.fullmatch(unit):
        return None
    value = parse_number(match.group("number").replace(",", ""))
    return None if value is None else (value, unit)


def units_match(given: str, expected: str | None) -> bool:
    """A typed unit is accepted when it is absent or the unit the key implies (case-insensitive)."""
    return not given or (expected is not None and given.casefold() == expected.casefold())


def parse_number(text: str) -> float | None:
    """The finite number `text` spells in ASCII or full-width digits (`12.5`, `１２．５`, `−3`), else None.

    Digits of other scripts (`١`, `٣.٥`), superscripts and circled digits are refused (None): Python's
    float() would read `١` as 1 where a database would not, so the rule is decided here, once.
    """
    if not isinstance(text, str):
        return None
    compact = text.translate(_NUMBER_FORMS).strip()
    if not _NUMBER.fullmatch(compact):
        return None
    value = float(compact)
    return value if math.isfinite(value) else None


def has_foreign_digits(text: str) -> bool:
    """Whether `text` holds a decimal digit that parse_number does not read (e.g. Arabic-Indic `١`)."""
    return any(char.isdecimal() for char in str(text).translate(_NUMBER_FORMS) if not "0" <= char <= "9")


def unstorable(value: Any) -> str | None:
    """"nul" or "surrogate" when a string in `value` holds a NUL or a lone surrogate, else None.

    `value` is a string or parsed JSON (lists and dicts of them, keys included), walked without
    recursion. A properly paired surrogate in JSON (`"\\ud83d\\ude00"`) decodes to one character and
    passes; only unpaired halves remain in the range U+D800..U+DFFF.
    """
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            found = _UNSTORABLE.search(item)
            if found:
                return "nul" if found.group() == "\x00" else "surrogate"
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, (list, tuple)):
            pending.extend(item)
    return None


def numbers_match(given: float, expected: float, tolerance: float | None) -> bool:
    """`given` within `tolerance` of `expected`; a little slack absorbs binary rounding (3.15 - 3.14)."""
    slack = 1e-9 * max(1.0, abs(expected))
    return abs(given - expected) <= (tolerance or 0.0) + slack
