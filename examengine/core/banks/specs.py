"""What a parsed bank is made of."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property

from examengine.core.banks.errors import BankError


@dataclass
class QuestionSpec:
    """One parsed question. Not changed after parsing: `fingerprint` and `identity` are computed once."""

    qtype: str
    title: str
    line: int  # line of the `## [type]` heading
    key: str | None  # the author's `id:`, unique in the bank
    points: float
    difficulty: int  # 1..5
    tags: list[str]
    dimension: str  # '' if none
    stem: str  # Markdown (fill: blanks replaced by `{{n}}` markers)
    explanation: str  # Markdown, '' if none
    payload: dict  # type-specific, JSON-serialisable, includes the answer key

    @cached_property
    def fingerprint(self) -> str:
        """sha256 of the content: everything but where it sits (`line`) and what it is called (`key`).

        Re-imports compare fingerprints to tell an unchanged question from a new version.
        """
        content = {
            "qtype": self.qtype, "title": self.title, "points": float(self.points),
            "difficulty": self.difficulty, "tags": self.tags, "dimension": self.dimension,
            "stem": self.stem, "explanation": self.explanation, "payload": self.payload,
        }
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()

    @cached_property
    def identity(self) -> str:
        """Stable across re-imports: the id, or for a question without one, its content."""
        return self.key if self.key else "content:" + self.fingerprint[:16]


@dataclass
class BankSpec:
    key: str
    title: str
    description: str
    source: str
    questions: list[QuestionSpec]


@dataclass
class ParseResult:
    """A parsed bank, or None when there are errors: a bank with errors is never half-imported."""
    bank: BankSpec | None
    errors: list[BankError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors
