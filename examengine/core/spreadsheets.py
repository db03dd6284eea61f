"""Cells for the spreadsheets the product writes (CSV and XLSX): formula injection guard.

A spreadsheet runs a text cell that starts with `=`, `+`, `-` or `@` as a formula (and a leading tab
or carriage return can hide such a start), so names, titles and other user data written to a CSV or
XLSX file go through `neutralize()` first: it makes such text inert with a leading apostrophe, which
Excel and LibreOffice read as "this is text".
"""
from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value):
    """Text a spreadsheet would run as a formula, made inert with a leading apostrophe; other values as given."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralize_row(row) -> list:
    return [neutralize(value) for value in row]
