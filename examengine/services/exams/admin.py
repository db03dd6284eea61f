"""Defining exams: settings, assignments, the lock, copy and delete.

Sections and rules are in `exam_rules`, per-user overrides in `exam_overrides`, the preview in
`exam_preview`, the exam list and statuses in `exam_list`. Every change validates the would-be state first and commits once; a refused change
raises `ExamError` and stores nothing.

The lock: once an attempt exists, whatever decides a paper or its grading is frozen, so that every
examinee sits the same exam: sections and rules, the time limit, the pass mark, the multiple-choice
scoring rule, both shuffle settings and the difficulty source (`LOCKED_SETTINGS`: papers already drawn
were balanced on it). The title, instructions, window, attempts
allowed, assignments, overrides and review policy stay editable. `copy_exam` makes an unlocked copy.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from ...core.markup import too_complex
from ...core.markup_limits import MarkupProblem
from ...core.release import CONDITIONS as RELEASE_CONDITIONS
from ...core.text import unstorable
from ...extensions import db
from ...models import (
    DIFFICULTY_SOURCE_CHOICES,
    MULTIPLE_SCORING_CHOICES,
    Attempt,
    Exam,
    ExamOverride,
    Group,
    User,
)
from ...models.exams import ExamRule, ExamSection
from ..messages import unstorable_message
from .access import recompute_deadlines

TITLE_MAX = 200
INSTRUCTIONS_MAX = 20_000
TIME_LIMIT_MAX = 1440  # minutes: a day
ATTEMPTS_MAX = 100
LEAVE_LIMIT_MAX = 100
LOCKED_SETTINGS = ("time_limit_minutes", "pass_percent", "multiple_scoring", "shuffle_questions", "shuffle_options",
                   "difficulty_source")
LOCKED_SETTINGS += ("difficulty_tolerance",)  # attempts' papers were drawn within it
TOLERANCE_MAX = 20  # total-difficulty points; a paper of 20 questions spans 20 to 100
RELEASE_FIELDS = ("release_score", "release_marks", "release_answers", "release_feedback")


class ExamError(ValueError):
    """A refused change. `errors` maps a field name to its messages: "pool" holds the shortfalls of the
    question pool (check_feasibility's messages), "" problems of the exam as a whole."""

    def __init__(self, errors: dict[str, list[str]] | str) -> None:
        if isinstance(errors, str):
            errors = {"": [errors]}
        self.errors = {name: list(messages) for name, messages in errors.items() if messages}
        super().__init__(" ".join(self.messages))

    @property
    def messages(self) -> list[str]:
        return [message for messages in self.errors.values() for message in messages]


@dataclass
class ExamSettings:
    """Everything on the settings form except the assignments. Times are naive UTC."""

    title: str
    opens_at: datetime | None
    closes_at: datetime | None
    time_limit_minutes: int | None = 60
    instructions: str = ""
    attempts_allowed: int | None = 1
    pass_percent: float | None = 60.0
    # When the examinee sees each item of feedback (core/release.py): score, marks, answers, feedback.
    release_score: str = "after_grading"
    release_marks: str = "after_grading"
    release_answers: str = "after_close"
    release_feedback: str = "after_grading"
    multiple_scoring: str = "all-or-nothing"
    shuffle_questions: bool = True
    shuffle_options: bool = True
    difficulty_source: str = "author"  # what papers are balanced on: "author" labels or "measured"
    difficulty_tolerance: int = 0  # total-difficulty points a paper may differ from the target
    # Leave-page evidence (services/attempts/evidence.py): all off by default.
    leave_notice: bool = False
    leave_limit: int | None = None  # submit the attempt after this many leaves; None: no limit
    fullscreen_on_start: bool = False

    @classmethod
    def of(cls, exam: Exam) -> ExamSettings:
        return cls(**{f.name: getattr(exam, f.name) for f in fields(cls)})


def _int_between(value, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def settings_errors(s: ExamSettings) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    title = (s.title or "").strip()
    if not title:
        add("title", _("Enter a title."))
    elif len(title) > TITLE_MAX:
        add("title", _("The title can have at most %(max)d characters.", max=TITLE_MAX))
    if len(s.instructions or "") > INSTRUCTIONS_MAX:
        add("instructions", _("The instructions can have at most %(max)d characters.", max=INSTRUCTIONS_MAX))
    elif (problem := too_complex(s.instructions or "")) is not None:
        add("instructions", _instructions_problem(problem))
    for name in ("title", "instructions"):
        kind = unstorable(getattr(s, name))
        if kind:
            add(name, unstorable_message(kind))
    if not _int_between(s.time_limit_minutes, 1, 10**9):
        add("time_limit_minutes", _("The time limit must be at least 1 minute."))
    elif s.time_limit_minutes > TIME_LIMIT_MAX:
        add("time_limit_minutes", _("The time limit can be at most %(max)d minutes.", max=TIME_LIMIT_MAX))
    if s.opens_at is None:
        add("opens_at", _("Enter when the exam opens."))
    if s.closes_at is None:
        add("closes_at", _("Enter when the exam closes."))
    elif s.opens_at is not None and s.closes_at <= s.opens_at:
        add("closes_at", _("The exam must close after it opens."))
    if not _int_between(s.attempts_allowed, 1, ATTEMPTS_MAX):
        add("attempts_allowed", _("Allow from 1 to %(max)d attempts.", max=ATTEMPTS_MAX))
    if not isinstance(s.pass_percent, int | float) or not 0 <= s.pass_percent <= 100:
        add("pass_percent", _("The pass mark must be a percentage from 0 to 100."))
    for name in RELEASE_FIELDS:
        if getattr(s, name) not in RELEASE_CONDITIONS:
            add(name, _("Choose when this is shown to the examinee."))
    if s.multiple_scoring not in MULTIPLE_SCORING_CHOICES:
        add("multiple_scoring", _("Choose how multiple-choice questions are scored."))
    if s.difficulty_source not in DIFFICULTY_SOURCE_CHOICES:
        add("difficulty_source", _("Choose what papers are balanced on."))
    if not _int_between(s.difficulty_tolerance, 0, TOLERANCE_MAX):
        add("difficulty_tolerance", _("The difficulty tolerance must be a whole number from 0 to %(max)d.",
                                      max=TOLERANCE_MAX))
    if s.leave_limit is not None and not _int_between(s.leave_limit, 1, LEAVE_LIMIT_MAX):
        add("leave_limit", _("The leave limit is a number of leaves from 1 to %(max)d, or empty for no limit.",
                             max=LEAVE_LIMIT_MAX))
    return errors


def _instructions_problem(problem: MarkupProblem) -> str:
    """Why the instructions would be shown unformatted (core/markup_limits.py), for the settings form."""
    line, limit = problem.line, problem.limit
    messages = {
        "field_chars": _("The instructions can have at most %(max)d characters.", max=limit),
        "field_lines": _("The instructions can have at most %(max)d lines.", max=limit),
        "line_chars": _("Line %(line)d of the instructions is longer than %(max)d characters.", line=line, max=limit),
        "nesting": _("Line %(line)d of the instructions nests lists or quotes more than %(max)d levels deep.",
                     line=line, max=limit),
        "brackets": _("Line %(line)d of the instructions nests brackets more than %(max)d deep (or leaves them "
                      "open).", line=line, max=limit),
        "html": _("Line %(line)d of the instructions nests HTML tags more than %(max)d deep (or leaves them open).",
                  line=line, max=limit),
        "table_columns": _("Line %(line)d of the instructions has a table row with more than %(max)d columns.",
                           line=line, max=limit),
        "markers": _("The instructions have more than %(max)d markup characters (* _ ` [ ] < | &).", max=limit),
        "html_depth": _("The formatting of the instructions is nested more than %(max)d levels deep.", max=limit),
        "html_tags": _("The formatted instructions would have more than %(max)d HTML tags.", max=limit),
    }
    return messages[problem.kind]


def stored_values(s: ExamSettings) -> dict:
    """The settings as the exam's columns store them (trimmed title, LF line ends, rounded percent)."""
    values = {f.name: getattr(s, f.name) for f in fields(s)}
    values["title"] = s.title.strip()
    values["instructions"] = (s.instructions or "").replace("\r\n", "\n")
    values["pass_percent"] = round(float(s.pass_percent), 2)
    for name in ("shuffle_questions", "shuffle_options", "leave_notice", "fullscreen_on_start"):
        values[name] = bool(values[name])
    return values


def _assignees(group_ids, user_ids) -> tuple[list[Group], list[User], dict[str, list[str]]]:
    group_ids, user_ids = set(group_ids or ()), set(user_ids or ())
    groups = list(db.session.scalars(select(Group).where(Group.id.in_(group_ids)))) if group_ids else []
    users = list(db.session.scalars(select(User).where(User.id.in_(user_ids)))) if user_ids else []
    errors = {}
    if len(groups) != len(group_ids):
        errors["groups"] = [_("A chosen group no longer exists.")]
    if len(users) != len(user_ids):
        errors["users"] = [_("A chosen user no longer exists.")]
    return groups, users, errors


def create_exam(settings: ExamSettings, *, group_ids=(), user_ids=(), created_by_id: int | None = None) -> Exam:
    groups, users, errors = _assignees(group_ids, user_ids)
    errors |= settings_errors(settings)
    if errors:
        raise ExamError(errors)
    exam = Exam(**stored_values(settings), created_by_id=created_by_id, groups=groups, users=users)
    db.session.add(exam)
    _commit()
    return exam


def update_exam(exam: Exam, settings: ExamSettings, *, group_ids=(), user_ids=()) -> Exam:
    """Raises ExamError for invalid values, and for changes of `LOCKED_SETTINGS` once attempts exist."""
    try:
        ensure_editable(exam)
        groups, users, errors = _assignees(group_ids, user_ids)
        errors |= settings_errors(settings)
        if not errors:
            errors = lock_errors(exam, stored_values(settings)) | override_errors(exam, settings.closes_at)
        if errors:
            raise ExamError(errors)
        for name, value in stored_values(settings).items():
            setattr(exam, name, value)
        if exam.difficulty_source != "measured":
            exam.measured_difficulty = None  # a snapshot only means something to a "measured" exam
        exam.groups, exam.users = groups, users
        db.session.flush()
        recompute_deadlines(exam.id)  # a moved close time applies to attempts in progress
        _commit()
    except Exception:
        db.session.rollback()
        raise
    return exam


def override_errors(exam: Exam, closes_at: datetime) -> dict[str, list[str]]:
    """A user's later close must stay later than the exam's, or it would cut their window short."""
    earlier = sorted(o.user.username for o in exam.overrides if o.closes_at is not None and o.closes_at <= closes_at)
    if not earlier:
        return {}
    return {"closes_at": [_("The later close of these users' overrides would no longer be later: %(users)s. "
                            "Change or remove those overrides first.", users=", ".join(earlier))]}


def lock_errors(exam: Exam, values: dict) -> dict[str, list[str]]:
    changed = [name for name in LOCKED_SETTINGS if values[name] != getattr(exam, name)]
    if not changed or not is_locked(exam, for_update=True):
        return {}
    message = _("Attempts exist, so this setting is locked. Copy the exam to change it.")
    errors = {name: [message] for name in changed}
    if "difficulty_source" in errors:
        errors["difficulty_source"] = [_("Attempts exist and their papers were balanced on this difficulty, so it "
                                         "cannot change: later papers would be balanced differently. Copy the "
                                         "exam to change it.")]
    return errors


def lock_exam_row(exam: Exam) -> None:
    """Hold the exam's row until commit (PostgreSQL): starting an attempt inserts a row referencing it,
    which waits for this lock, so no attempt can appear between the lock check and the change."""
    db.session.execute(select(Exam.id).where(Exam.id == exam.id).with_for_update())


def attempt_count(exam_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Attempt).where(Attempt.exam_id == exam_id)) or 0


def is_locked(exam: Exam, *, for_update: bool = False) -> bool:
    if exam.id is None:
        return False
    if for_update:
        lock_exam_row(exam)
    return attempt_count(exam.id) > 0


def ensure_editable(exam: Exam) -> None:
    """An archived exam is read-only until it is restored (services/exams/lifecycle.py)."""
    if exam.status == "archived":
        raise ExamError(_("The exam is archived, so it cannot be changed. Restore it first."))


def ensure_unlocked(exam: Exam) -> None:
    ensure_editable(exam)
    if is_locked(exam, for_update=True):
        raise ExamError(_("Attempts exist, so the sections and rules are locked. "
                          "Copy the exam to change them."))


def copy_exam(exam: Exam, *, created_by_id: int | None = None) -> Exam:
    """An unlocked copy: same settings, sections, rules, assignments and overrides; no attempts."""
    values = stored_values(ExamSettings.of(exam))
    values["title"] = _("%(title)s (copy)", title=exam.title)[:TITLE_MAX]
    copy = Exam(**values, created_by_id=created_by_id, groups=list(exam.groups), users=list(exam.users))
    for section in exam.sections:
        copy.sections.append(ExamSection(position=section.position, title=section.title,
                                         rules=[_copy_rule(rule) for rule in section.rules]))
    copy.overrides = [ExamOverride(user_id=o.user_id, extra_minutes=o.extra_minutes,
                                   extra_attempts=o.extra_attempts, closes_at=o.closes_at)
                      for o in exam.overrides]
    db.session.add(copy)
    _commit()
    return copy


def _copy_rule(rule: ExamRule) -> ExamRule:
    names = ("position", "kind", "count", "qtype", "dimension", "difficulty_min", "difficulty_max", "points")
    values = {name: getattr(rule, name) for name in names}
    for name in ("bank_keys", "tags", "question_keys"):
        values[name] = list(getattr(rule, name) or ())
    return ExamRule(**values)


def delete_exam(exam: Exam) -> None:
    try:
        if is_locked(exam, for_update=True):
            raise ExamError(_("Attempts exist, so this exam cannot be deleted. "
                              "Change its close time to end it instead."))
        db.session.delete(exam)
        _commit()
    except Exception:
        db.session.rollback()
        raise


def _commit() -> None:
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
