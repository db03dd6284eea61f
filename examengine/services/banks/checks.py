"""Checks an import adds on top of the parser: things only visible across files or against the schema.

The parser validates one file on its own; these catch what would otherwise surface as a database
error (a value longer than its column, the same question twice) or a silent overwrite (two files
with the same bank id).
"""
from __future__ import annotations

import re

from ...core.banks import BankError, BankSpec
from ...core.banks.errors import MAX_TEXT_CHARS
from ..messages import _

# Column sizes in examengine.models.banks; PostgreSQL rejects longer values, SQLite would not.
MAX_BANK_KEY = 100
MAX_BANK_TITLE = 200
MAX_IDENTITY = 200
MAX_QUESTION_TITLE = 300
MAX_DIMENSION = 100
MAX_TAG = 100

_FRONT_MATTER_ID = re.compile(r"^\s*id\s*[:：]")




def source_lines(data: bytes) -> list[str]:
    """The file's lines as the parser numbers them (1-based: index 0 is line 1)."""
    return data.decode("utf-8-sig", errors="replace").splitlines()


def line_text(lines: list[str], line: int) -> str:
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return text if len(text) <= MAX_TEXT_CHARS else text[:MAX_TEXT_CHARS] + "…"


def check_duplicate_keys(banks: list[BankSpec], data_by_source: dict[str, bytes]) -> list[BankError]:
    """Two files in one import must not name the same bank: one would silently replace the other."""
    errors = []
    first_source: dict[str, str] = {}
    for bank in banks:
        if bank.key not in first_source:
            first_source[bank.key] = bank.source
            continue
        lines = source_lines(data_by_source.get(bank.source, b""))
        line = _bank_id_line(lines)
        message = _("Bank id “%(key)s” is also used by %(other)s in this upload; each bank needs its own id.",
                    key=bank.key, other=first_source[bank.key])
        errors.append(BankError(bank.source, line, message, line_text(lines, line)))
    return errors


def _bank_id_line(lines: list[str]) -> int:
    """The `id:` line of the front matter, else line 1 (the id then comes from the file name)."""
    if not lines or lines[0].strip() != "---":
        return 1
    for number, text in enumerate(lines[1:], start=2):
        if text.strip() == "---":
            break
        if _FRONT_MATTER_ID.match(text):
            return number
    return 1


def check_bank_limits(bank: BankSpec, data: bytes) -> list[BankError]:
    lines = source_lines(data)
    errors = []

    def error(line: int, message: str) -> None:
        errors.append(BankError(bank.source, line, message, line_text(lines, line)))

    if len(bank.key) > MAX_BANK_KEY:
        error(_bank_id_line(lines), _("The bank id is longer than %(n)d characters.", n=MAX_BANK_KEY))
    if len(bank.title or "") > MAX_BANK_TITLE:
        error(1, _("The bank title is longer than %(n)d characters.", n=MAX_BANK_TITLE))
    seen: dict[str, int] = {}
    for question in bank.questions:
        for message in _question_limit_problems(question):
            error(question.line, message)
        if question.identity in seen:
            error(question.line, _("This question is the same as the one on line %(line)d; remove one of them "
                                   "or give each its own id.", line=seen[question.identity]))
        seen.setdefault(question.identity, question.line)
    return errors


def _question_limit_problems(question) -> list[str]:
    problems = []
    if len(question.identity) > MAX_IDENTITY:
        problems.append(_("The question id is longer than %(n)d characters.", n=MAX_IDENTITY))
    if len(question.title or "") > MAX_QUESTION_TITLE:
        problems.append(_("The question title is longer than %(n)d characters.", n=MAX_QUESTION_TITLE))
    if len(question.dimension or "") > MAX_DIMENSION:
        problems.append(_("The dimension is longer than %(n)d characters.", n=MAX_DIMENSION))
    long_tags = [tag for tag in question.tags or () if len(tag) > MAX_TAG]
    if long_tags:
        problems.append(_("The tag “%(tag)s…” is longer than %(n)d characters.", tag=long_tags[0][:20], n=MAX_TAG))
    return problems
