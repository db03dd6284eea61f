"""One cell: its value as the text it shows when read (`cell_text`, `_tidy`), text as a value to write
(`_cell_value`, which keeps text that looks like a formula inert), and cell coordinates (`C7`)."""
from __future__ import annotations

import datetime
import re

from examengine.core.spreadsheets import FORMULA_STARTS, neutralize

# A leading apostrophe that `neutralize` (or `_cell_value`, for text already starting with apostrophes)
# put before a formula character.
_NEUTRALIZED = re.compile("'+[" + re.escape("".join(FORMULA_STARTS)) + "]")
_ILLEGAL_IN_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def cell_text(value) -> str:
    """A cell's value as the text it shows: `443` for 443.0, dates as ISO, the neutralizing apostrophe off."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    text = str(value)
    if _NEUTRALIZED.match(text):
        text = text[1:]
    return text


def _number_text(number: float) -> str:
    """Up to 15 significant digits, as Excel shows them: 2.0 -> "2", 0.1 + 0.2 -> "0.3"."""
    if number != number or number in (float("inf"), float("-inf")):
        return str(number)
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return f"{number:.15g}"


def _coordinate(column: int, row: int) -> str:
    """"C7" for the 0-based column 2 of row 7."""
    return f"{_column_letters(column)}{row}"


def _column_letters(column: int) -> str:
    """"A" for the 0-based column 0, "AA" for 26."""
    letters = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_BLANK_LINES_AROUND = re.compile(r"\A(?:[ \t]*\n)+|(?:\n[ \t]*)+\Z")


def _tidy(text: str) -> str:
    """Line breaks as \\n, without blank lines around the text (its lines are kept as typed: Markdown)."""
    if not text.strip():
        return ""
    if "\n" not in text and "\r" not in text:
        return text
    return _BLANK_LINES_AROUND.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _cell_value(value):
    """What goes into a cell: text made inert for a spreadsheet (see the package docstring), numbers as numbers."""
    if not isinstance(value, str):
        return value
    text = _ILLEGAL_IN_XLSX.sub("", value)  # control characters can't be stored in an .xlsx at all
    if _NEUTRALIZED.match(text):
        return "'" + text
    return neutralize(text)
