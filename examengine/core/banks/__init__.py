"""Markdown question banks: parse, validate and check (pure: no Flask, no database).

The format is specified in docs/question-bank-format.md.
"""
from examengine.core.banks.check import CheckReport, check_paths, duplicate_bank_keys
from examengine.core.banks.errors import BankError
from examengine.core.banks.parser import (
    DEFAULT_MAX_BYTES,
    file_stem,
    load_bank_bytes,
    parse_bank,
)
from examengine.core.banks.specs import BankSpec, ParseResult, QuestionSpec

__all__ = [
    "DEFAULT_MAX_BYTES", "BankError", "BankSpec", "CheckReport", "ParseResult", "QuestionSpec",
    "check_paths", "duplicate_bank_keys", "file_stem", "load_bank_bytes", "parse_bank",
]
