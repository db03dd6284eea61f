"""One foreign file -> the Markdown bank it becomes, with the normal bank check already run on it.

What the CLI's `banks convert` and the upload page show: the converter's problems (`path:location`),
the Markdown, and the check's errors (`NAME.md:line`), which point at the Markdown the admin sees.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from examengine.core.banks import ParseResult, parse_bank
from examengine.core.converters.drafts import Conversion
from examengine.core.converters.formats import Format, convert, detect
from examengine.core.converters.markdown import write_bank

_NOT_ID = re.compile(r"[^\w.-]+")


@dataclass
class ConvertedBank:
    source: str  # the input's name
    format: Format | None
    conversion: Conversion
    name: str  # the Markdown file's name: `<input stem>.md`
    markdown: str
    check: ParseResult

    @property
    def ok(self) -> bool:
        """Importable: no converter error and a clean check (skipped questions are reported, not blocking)."""
        return not self.conversion.errors and self.check.ok

    @property
    def counts(self) -> dict[str, int]:
        """Questions per type in the converted bank."""
        questions = self.check.bank.questions if self.check.bank else self.conversion.drafts
        return dict(Counter(question.qtype for question in questions))

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def bank_key_for(path: str) -> str:
    """A bank id from a file name: `题库 2026.xlsx` -> `题库-2026`."""
    stem = path.replace("\\", "/").rsplit("/", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    key = _NOT_ID.sub("-", stem).strip("-.")[:100]
    return key or "bank"


def convert_to_bank(path: str, data: bytes, fmt: Format | None = None) -> ConvertedBank:
    fmt = fmt or detect(path, data)
    conversion = convert(path, data, fmt)
    key = bank_key_for(path)
    name = f"{key}.md"
    markdown = write_bank(conversion.drafts, key=key, title=conversion.title or key)
    return ConvertedBank(path, fmt, conversion, name, markdown, parse_bank(markdown, source=name, default_key=key))
