"""What an exam file says, as plain values: no YAML and no database here.

`ExamFile` holds every value the file gives (or its default) under the names of the exam's settings
(`services.exams.ExamSettings`), times as naive UTC, and `lines`: the file line of each key, so that a
problem the services find later (an unknown group, a rule the pool cannot fill, a locked setting) is
reported at the line that caused it.

Paths name a place in the file: the keys from the top, joined by "." with list positions counted from
0, e.g. "window.closes", "groups.2", "sections.0.rules.1.count", "dimension_weights.网络".
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

STATUSES = ("draft", "published")
DIFFICULTY_RANGE = (1, 5)

# The path in the file of each setting that does not simply keep its name.
FIELD_PATHS = {
    "opens_at": "window.opens",
    "closes_at": "window.closes",
    "attempts_allowed": "attempts",
    "shuffle_questions": "shuffle.questions",
    "shuffle_options": "shuffle.options",
    "release_score": "release.score",
    "release_marks": "release.marks",
    "release_answers": "release.answers",
    "release_feedback": "release.feedback",
}


def path_of(name: str) -> str:
    """The file path of a setting (an `ExamFile` field name)."""
    return FIELD_PATHS.get(name, name)


@dataclass
class FileRule:
    """A draw rule (`count` and filters; empty filters accept anything) or a fixed rule (`questions`
    as "bank/id"), with the names of `services.exams.RuleInput` where they differ: banks, questions."""

    kind: str = "draw"  # "draw" or "fixed"
    count: int | None = 1
    banks: list[str] = field(default_factory=list)
    qtype: str | None = None
    tags: list[str] = field(default_factory=list)
    dimension: str | None = None
    difficulty_min: int = DIFFICULTY_RANGE[0]
    difficulty_max: int = DIFFICULTY_RANGE[1]
    points: float | None = None  # None: each question's own points
    questions: list[str] = field(default_factory=list)


@dataclass
class FileSection:
    title: str = ""
    rules: list[FileRule] = field(default_factory=list)


@dataclass
class ExamFile:
    """An exam as its file defines it. Defaults are those of a new exam on the web."""

    key: str = ""
    title: str = ""
    status: str | None = None  # None: not given (a new exam is a draft, an existing one keeps its state)
    instructions: str = ""
    opens_at: datetime | None = None  # naive UTC
    closes_at: datetime | None = None
    time_limit_minutes: int | None = 60
    attempts_allowed: int | None = 1
    pass_percent: float | None = 60.0
    shuffle_questions: bool = True
    shuffle_options: bool = True
    multiple_scoring: str = "all-or-nothing"
    difficulty_source: str = "author"
    difficulty_tolerance: int | None = 0
    leave_notice: bool = False
    leave_limit: int | None = None
    fullscreen_on_start: bool = False
    release_score: str = "after_grading"
    release_marks: str = "after_grading"
    release_answers: str = "after_close"
    release_feedback: str = "after_grading"
    groups: list[str] = field(default_factory=list)
    users: list[str] = field(default_factory=list)
    sections: list[FileSection] = field(default_factory=list)
    dimension_weights: dict[str, float | None] = field(default_factory=dict)
    grade_bands: list[tuple[str, float | None]] | None = None  # None: the default bands
    appeal_days: int | None = 7
    double_marking: bool = False
    double_marking_tolerance: float | None = 20.0
    reviewers: list[str] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def line(self, path: str) -> int:
        """The line of `path`, or of the nearest enclosing key the file has (line 1 at worst)."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path.rpartition(".")[0]
        return self.lines.get("", 1)


@dataclass(frozen=True)
class FileProblem:
    """Something to fix in the file: its line (from 1) and a message (a core `Message` or text)."""

    line: int
    message: str

    def format(self, source: str, translate: Callable[[str], str] = str) -> str:
        return f"{source}:{self.line}: {translate(self.message)}"


@dataclass
class ReadResult:
    """The file read: `exam_file` is complete only when `problems` is empty. With problems it holds
    what could be read (the rest at defaults), so that names can still be checked and every problem
    reported at once; it must not be applied. None when the text is not YAML `key: value` lines."""

    exam_file: ExamFile | None
    problems: list[FileProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.exam_file is not None and not self.problems
