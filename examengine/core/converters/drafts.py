"""What every converter produces and every writer takes: questions in a neutral form, and problems.

A `QuestionDraft` says what a question is in the terms of our bank format (docs/question-bank-format.md),
without its syntax: a reader of a foreign format builds drafts, `markdown.write_bank` turns them into a
bank file that the normal parser and check read, and the exporters build drafts from a parsed bank
(`from_bank`). A fill question's stem holds its blanks as the markers `{{1}}`, `{{2}}`, … in order (the
same convention as a stored stem), with a literal `{{` written `\\{{`.

A `Problem` points at a place in the input file: `location` is what that format counts in ("12" for a
line, "B7" for a cell, "¶4" for a paragraph), shown as `path:location: message`. Its kind says what it
did: an `error` is bad input (the file can't be imported until it is fixed), `skipped` is a question our
types can't express ("not converted: <reason>", reported so nothing is dropped silently), and a `warning`
converted something with a change the admin should know of.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from examengine.core.messages import N_

QTYPES = ("single", "multiple", "truefalse", "fill", "short", "analysis")
ProblemKind = Literal["error", "skipped", "warning"]


@dataclass
class Option:
    text: str  # Markdown
    correct: bool = False


@dataclass
class Blank:
    """One blank of a fill question: accepted alternatives, or one number with a tolerance."""
    answers: list[str]
    tolerance: float | None = None


@dataclass
class RubricItem:
    points: float
    text: str  # one line


@dataclass
class QuestionDraft:
    qtype: str  # one of QTYPES
    stem: str  # Markdown; fill: blanks as `{{n}}` markers
    title: str = ""
    key: str | None = None  # the question's stable id, if the source has one
    points: float | None = None  # None: the format's default for the type
    difficulty: int | None = None  # 1..5, None: the bank default
    tags: list[str] = field(default_factory=list)
    dimension: str = ""
    explanation: str = ""
    options: list[Option] = field(default_factory=list)  # single, multiple
    shuffle: bool = True
    scoring: str | None = None  # multiple: "all-or-nothing" or "partial"
    answer: bool | None = None  # truefalse
    blanks: list[Blank] = field(default_factory=list)  # fill
    case_sensitive: bool = False  # fill
    case: str = ""  # short, analysis: case material (Markdown)
    reference: str = ""  # short, analysis: reference answer (Markdown)
    rubric: list[RubricItem] = field(default_factory=list)  # short, analysis
    location: str = ""  # where the question starts in its source file


@dataclass(frozen=True)
class Problem:
    path: str
    location: str  # '' for the file as a whole
    message: str  # usually a core.messages.Message
    kind: ProblemKind = "error"

    def format(self, translate=str) -> str:
        where = f"{self.path}:{self.location}" if self.location else self.path
        return f"{where}: {translate(self.message)}"


@dataclass
class Conversion:
    """A converted file: its questions, every problem found, and the files it brought (images)."""
    path: str
    title: str = ""
    drafts: list[QuestionDraft] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)  # relative path in the Markdown -> content

    def problem(self, location: str, message: str, kind: ProblemKind = "error") -> None:
        self.problems.append(Problem(self.path, location, message, kind))

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.kind == "error"]

    @property
    def skipped(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.kind == "skipped"]


def never_raises(read: Callable[[Conversion, bytes], None]) -> Callable[[str, bytes], Conversion]:
    """A reader `read(conversion, data)` as `reader(path, data) -> Conversion` that never raises.

    A reader's bug must not turn an upload into a 500: the exception becomes one error of the file (and
    whatever it had converted is dropped, so nothing half-read is imported); the fuzz tests hunt for these.
    """
    @functools.wraps(read)
    def reader(path: str, data: bytes) -> Conversion:
        conversion = Conversion(path)
        try:
            read(conversion, data)
        except Exception as exc:  # noqa: BLE001 -- see the docstring
            conversion.drafts, conversion.files = [], {}
            conversion.problem("", N_("internal error while converting this file (%(error)s); please report it",
                                      error=type(exc).__name__))
        return conversion
    return reader
