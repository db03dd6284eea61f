"""Exams as files: apply a YAML exam file (create or update the exam with the file's key) and export one.

The file's format is read by `core.exam_files` (docs/exam-files.md); here its names are resolved
(groups by name, users and reviewers by username, banks by id, fixed questions as bank/id) and its
values checked by the same functions as the web forms use: `admin.settings_errors` and the lock
(`LOCKED_SETTINGS`), `rules.rule_values` and the pool's feasibility, `scoring.scoring_errors`, and
`lifecycle.publish_check`/`publish`/`unpublish` for `status:`. Every problem is reported at the line
that caused it, all of them at once where they do not depend on each other (the publish checks need
an otherwise valid exam); nothing is stored unless the whole file is accepted.

The file is the exam's whole definition: a key left out takes its default, on update as well, except
`status` (left out: a new exam is a draft, an existing one keeps its state). What a file does not
describe is kept: per-user overrides, calibration, who created or published it. Applying a file
that matches the stored exam changes nothing ("unchanged"); otherwise every change is one
transaction, committed by `publish`/`unpublish` when the status changes (which audit it as the web's
lifecycle pages do), else here.

An exam made on the web has no key until `key_exam` gives it one (checked as a file's `key:`, never
changed once given); from then on it is exported and applied like any other.

Two checks repeat the grading setup's (`grading.setup`, which this package may not import): a
reviewer must have the reviewer role (or already review the exam), and the double-marking tolerance is
a percentage. Double marking cannot change here once answers of the exam are marked, because the
marks made would need settling by the new rule: that is the Reviewers page's job.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, fields

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ...core import results as core_results
from ...core.banks.values import parse_id
from ...core.exam_files import ExamFile, FileProblem, FileRule, FileSection, path_of, read_exam_file, write_exam_file
from ...core.messages import N_
from ...core.papers import check_feasibility
from ...core.release import CONDITIONS as RELEASE_CONDITIONS
from ...core.release import ITEMS
from ...extensions import db
from ...models import (
    DIFFICULTY_SOURCE_CHOICES,
    MULTIPLE_SCORING_CHOICES,
    Attempt,
    AttemptSlot,
    Bank,
    Exam,
    ExamRule,
    ExamSection,
    Group,
    Question,
    User,
    UserRole,
)
from ...models._time import utcnow
from ..banks.pool import candidate_pool, paper_spec
from ..messages import _, translate
from .access import recompute_deadlines
from .admin import (
    ExamError,
    ExamSettings,
    attempt_count,
    ensure_editable,
    ensure_unlocked,
    lock_errors,
    override_errors,
    settings_errors,
    stored_values,
)
from .lifecycle import publish, publish_check, unpublish
from .rules import RuleInput, rule_values, section_title
from .scoring import ScoringInput, band_labels, exam_dimensions, scoring_errors

# Settings with a fixed set of values: the file is told the values (the form says "Choose ...").
CHOICES = {"multiple_scoring": MULTIPLE_SCORING_CHOICES, "difficulty_source": DIFFICULTY_SOURCE_CHOICES,
           **{f"release_{item}": RELEASE_CONDITIONS for item in ITEMS}}
# A rule's errors from `rule_values`, by field, and the key of the rule in the file they belong to.
RULE_PATHS = {"count": "count", "bank_keys": "banks", "qtype": "qtype", "tags": "tags", "dimension": "dimension",
              "difficulty_min": "difficulty", "points": "points", "question_keys": "questions", "kind": ""}
GRADING_KEYS = ("double_marking", "double_marking_tolerance")
SETTING_NAMES = tuple(f.name for f in fields(ExamSettings))


@dataclass
class ApplyResult:
    """What applying a file did (`outcome`: created, updated, unchanged) or, with `problems`, why
    nothing was stored. `changes` lists the file's keys whose value differs from the stored exam."""

    key: str = ""
    title: str = ""
    outcome: str | None = None
    changes: list[str] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
    exam_id: int | None = None
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def site_timezone() -> str:
    """The zone of naive times, as on the web forms (`EXAMENGINE_TIMEZONE`)."""
    return current_app.config["EXAMENGINE_TIMEZONE"]


def apply_exam_file(data: bytes | str, *, actor_id: int | None = None, dry_run: bool = False,
                    now=None) -> ApplyResult:
    """Create or update the exam the file describes (found by its `key`), or store nothing and return
    every problem. `dry_run`: check everything and say what would happen, but store nothing."""
    read = read_exam_file(data, timezone=site_timezone())
    if read.exam_file is None:
        return ApplyResult(problems=read.problems)
    try:
        result = _Application(read.exam_file, actor_id, now or utcnow(), complete=read.ok).run(dry_run)
    except Exception:
        db.session.rollback()
        raise
    result.problems = sorted(read.problems + result.problems, key=lambda problem: problem.line)
    return result


def exam_by_key(key: str) -> Exam | None:
    return db.session.scalar(select(Exam).where(Exam.key == key)) if key else None


def export_exam_file(key: str) -> str:
    """The file of the exam with this key (ExamError if there is none); applying it changes nothing."""
    exam = exam_by_key(key)
    if exam is None:
        raise ExamError(_("There is no exam with the key %(key)s.", key=key))
    return write_exam_file(exam_file_of(exam), timezone=site_timezone())


def exam_by_id(exam_id: int) -> Exam:
    """The exam with this id, or ExamError saying where the ids are shown."""
    exam = db.session.get(Exam, exam_id)
    if exam is None:
        raise ExamError(_("There is no exam with the id %(id)d: `flask exams list` shows the ids.", id=exam_id))
    return exam


def key_exam(exam_id: int, key: str) -> Exam:
    """Give the exam `exam_id` (made on the web, so without a key) the key `key`, so that it can be
    exported and kept as a file; committed at once. The key is checked as a file's `key:` is. Giving an
    exam the key it has already changes nothing. Refused (ExamError, nothing stored): an unknown exam,
    an invalid key, a key another exam has, and an exam that has a different key (a key never changes:
    files in Git find the exam by it). Not audited, like the other settings (`update_exam`, `apply`)."""
    exam = exam_by_id(exam_id)
    valid, problem = parse_id(key, N_("exam key"))
    if problem is not None:
        raise ExamError(translate(problem))
    if exam.key == valid:
        return exam
    if exam.key:
        raise ExamError(_("The exam %(id)d has the key %(current)s already, and a key never changes: export it "
                          "with `exams export %(current)s`.", id=exam.id, current=exam.key))
    holder = exam_by_key(valid)
    if holder is not None:
        raise ExamError(_key_taken(valid, holder))
    exam.key = valid
    try:
        db.session.commit()
    except IntegrityError:  # another process took the key since the check
        db.session.rollback()
        raise ExamError(_key_taken(valid, exam_by_key(valid))) from None
    return exam


def _key_taken(key: str, holder: Exam | None) -> str:
    if holder is None:
        return _("The key %(key)s was just taken: choose another key.", key=key)
    return _("The key %(key)s belongs to the exam %(id)d (%(title)s) already: choose another key.", key=key,
             id=holder.id, title=holder.title)


def exam_file_of(exam: Exam) -> ExamFile:
    """The stored exam as a file says it. An archived exam gets the status it would be restored to."""
    settings = ExamSettings.of(exam)
    published = exam.status == "published" or (exam.status == "archived" and exam.published_at is not None)
    return ExamFile(
        key=exam.key or "", status="published" if published else "draft",
        **{name: getattr(settings, name) for name in SETTING_NAMES},
        groups=[group.name for group in exam.groups], users=[user.username for user in exam.users],
        sections=[FileSection(section.title, [_file_rule(rule) for rule in section.rules])
                  for section in exam.sections],
        dimension_weights={name: float(value) for name, value in (exam.dimension_weights or {}).items()},
        grade_bands=[(label, float(minimum)) for label, minimum in exam.grade_bands] if exam.grade_bands else None,
        appeal_days=exam.appeal_days, double_marking=bool(exam.double_marking),
        double_marking_tolerance=float(exam.double_marking_tolerance),
        reviewers=[user.username for user in exam.reviewers])


def _file_rule(rule: ExamRule) -> FileRule:
    if rule.kind == "fixed":
        return FileRule(kind="fixed", questions=list(rule.question_keys or ()), points=rule.points)
    return FileRule(count=rule.count, banks=list(rule.bank_keys or ()), qtype=rule.qtype, tags=list(rule.tags or ()),
                    dimension=rule.dimension, difficulty_min=rule.difficulty_min, difficulty_max=rule.difficulty_max,
                    points=rule.points)


def _rule_input(rule: FileRule) -> RuleInput:
    return RuleInput(kind=rule.kind, count=rule.count, bank_keys=list(rule.banks), qtype=rule.qtype,
                     tags=list(rule.tags), dimension=rule.dimension, difficulty_min=rule.difficulty_min,
                     difficulty_max=rule.difficulty_max, points=rule.points, question_keys=list(rule.questions))


def _rule_columns(rule: ExamRule) -> dict:
    names = ("kind", "count", "bank_keys", "qtype", "tags", "dimension", "difficulty_min", "difficulty_max",
             "points", "question_keys")
    values = {name: getattr(rule, name) for name in names}
    for name in ("bank_keys", "tags", "question_keys"):
        values[name] = list(values[name] or ())
    values["points"] = None if rule.points is None else float(rule.points)
    return values


def _default_bands() -> list[list]:
    """The default bands as the scoring page shows them (labels in the current language)."""
    return [[label, band.min_percent] for label, band in zip(band_labels(core_results.DEFAULT_BANDS),
                                                              core_results.DEFAULT_BANDS)]


def _state(exam: Exam) -> dict:
    """What a file sets of the stored exam, by the file's paths, in comparable values."""
    state = {path_of(name): value for name, value in stored_values(ExamSettings.of(exam)).items()}
    state |= {
        "groups": sorted(group.id for group in exam.groups), "users": sorted(user.id for user in exam.users),
        "sections": [(section.title, [_rule_columns(rule) for rule in section.rules]) for section in exam.sections],
        "dimension_weights": {name: float(value) for name, value in (exam.dimension_weights or {}).items()},
        "grade_bands": [[label, float(minimum)] for label, minimum in exam.grade_bands] if exam.grade_bands else None,
        "appeal_days": exam.appeal_days, "double_marking": bool(exam.double_marking),
        "double_marking_tolerance": float(exam.double_marking_tolerance),
        "reviewers": sorted(user.id for user in exam.reviewers), "status": exam.status,
    }
    return state


class _Application:
    """One application of one file: checks first (nothing changed), then the changes, then the commit."""

    def __init__(self, exam_file: ExamFile, actor_id: int | None, now, *, complete: bool):
        self.file = exam_file
        self.actor_id = actor_id
        self.now = now
        self.complete = complete  # False: the file has problems of its own; only its names are checked
        self.problems: list[FileProblem] = []
        self.exam = exam_by_key(exam_file.key)

    def add(self, path: str, message: str) -> None:
        self.problems.append(FileProblem(self.file.line(path), message))

    def add_errors(self, errors: dict[str, list[str]], path_for) -> None:
        for name, messages in errors.items():
            for message in messages:
                self.add(path_for(name), message)

    def result(self, outcome: str | None = None, changes=()) -> ApplyResult:
        return ApplyResult(key=self.file.key, title=self.file.title.strip(), outcome=outcome, changes=list(changes),
                           problems=self.problems, exam_id=self.exam.id if self.exam is not None else None)

    # --- the run ---

    def run(self, dry_run: bool) -> ApplyResult:
        groups, users, reviewers = self._groups(), self._users(), self._reviewers()
        sections = self._sections()
        if not self.complete:
            db.session.rollback()
            return self.result()
        if self.exam is not None and self.exam.status == "archived":
            try:
                ensure_editable(self.exam)
            except ExamError as error:
                self.add("key", error.messages[0])
            return self.refused()
        settings = ExamSettings(**{name: getattr(self.file, name) for name in SETTING_NAMES})
        self._settings(settings)
        would_be = self._would_be(sections) if sections is not None else None
        if would_be is not None:
            self._pool(would_be)
        scoring = self._scoring(would_be)
        self._grading()
        if self.problems:
            return self.refused()
        wanted = self._wanted(settings, groups, users, reviewers, sections, scoring)
        current = _state(self.exam) if self.exam is not None else None
        changes = [path for path, value in wanted.items() if current is None or current[path] != value]
        if self.exam is not None and not changes:
            db.session.rollback()
            return self.result("unchanged")
        if self.exam is not None:
            self._lock(wanted, changes)
        if self.problems:
            return self.refused()
        outcome = "created" if self.exam is None else "updated"
        exam = self._store(wanted, changes, settings, groups, users, reviewers, sections)
        if wanted["status"] == "published" and (current is None or current["status"] == "draft"):
            for problem in publish_check(exam, self.now).problems:
                self.add("status", _("The exam cannot be published: %(problem)s", problem=problem))
        if self.problems:
            return self.refused()
        result = self.result(outcome, changes if current is not None else ())
        result.exam_id = exam.id
        if dry_run:
            db.session.rollback()
            result.dry_run = True
            if current is None:
                result.exam_id = None
            return result
        self._commit(exam, wanted["status"], current)
        if self.problems:  # a lifecycle check refused at the last moment (a race)
            return self.result()
        return result

    def refused(self) -> ApplyResult:
        db.session.rollback()
        return self.result()

    # --- names ---

    def _by_name(self, path: str, names: list[str], found: dict[str, object], message) -> list:
        chosen = []
        for index, name in enumerate(names):
            item = found.get(name)
            if item is None:
                self.add(f"{path}.{index}", message(name))
            elif item not in chosen:
                chosen.append(item)
        return chosen

    def _groups(self) -> list[Group]:
        names = self.file.groups
        found = {g.name: g for g in db.session.scalars(select(Group).where(Group.name.in_(names)))} if names else {}
        return self._by_name("groups", names, found, lambda name: _("There is no group %(name)s.", name=name))

    def _users_named(self, names: list[str]) -> dict[str, User]:
        """Usernames as the login matches them: without regard to case."""
        if not names:
            return {}
        users = db.session.scalars(select(User).where(func.lower(User.username).in_([n.lower() for n in names])))
        by_lower = {user.username.lower(): user for user in users}
        return {name: by_lower[name.lower()] for name in names if name.lower() in by_lower}

    def _users(self) -> list[User]:
        found = self._users_named(self.file.users)
        users = self._by_name("users", self.file.users, found, lambda name: _("There is no user %(name)s.", name=name))
        assigned = set(self.exam.users) if self.exam is not None else set()
        for index, name in enumerate(self.file.users):
            user = found.get(name)
            if user is not None and not user.active and user not in assigned:
                self.add(f"users.{index}", _("The user %(name)s is deactivated: reactivate the account or remove "
                                             "it from users.", name=name))
        return users

    def _reviewers(self) -> list[User]:
        found = self._users_named(self.file.reviewers)
        reviewers = self._by_name("reviewers", self.file.reviewers, found,
                                  lambda name: _("There is no user %(name)s.", name=name))
        role_ids = set(db.session.scalars(select(UserRole.user_id).where(
            UserRole.role == "reviewer", UserRole.user_id.in_([user.id for user in reviewers])))) if reviewers else set()
        reviewing = set(self.exam.reviewers) if self.exam is not None else set()
        for index, name in enumerate(self.file.reviewers):
            user = found.get(name)
            if user is not None and user not in reviewing and not (user.active and user.id in role_ids):
                self.add(f"reviewers.{index}", _("%(name)s cannot review: give the account the reviewer role "
                                                 "first, or remove it from reviewers.", name=name))
        return reviewers

    # --- sections and rules ---

    def _sections(self) -> list[tuple[str, list[dict]]] | None:
        """[(title, [rule columns])], or None when a rule or title has a problem (reported)."""
        sections, ok = [], True
        for s, section in enumerate(self.file.sections):
            path = f"sections.{s}"
            try:
                title = section_title(section.title)
            except ExamError as error:
                self.add_errors(error.errors, lambda _name, path=path: f"{path}.title")
                title, ok = "", False
            rules = []
            for r, rule in enumerate(section.rules):
                values = self._rule(rule, f"{path}.rules.{r}")
                ok &= values is not None
                rules.append(values)
            sections.append((title, rules))
        return sections if ok and self.complete else None

    def _rule(self, rule: FileRule, path: str) -> dict | None:
        try:
            values = rule_values(_rule_input(rule))
        except ExamError as error:
            errors = error.errors if self.complete else {"bank_keys": error.errors.get("bank_keys", [])}
            self.add_errors(errors, lambda name: f"{path}.{RULE_PATHS[name]}".rstrip("."))
            values = None
        missing = self._missing_questions(rule, path)
        return None if values is None or missing else values

    def _missing_questions(self, rule: FileRule, path: str) -> bool:
        """Report the fixed questions that do not exist or are retired; True if any."""
        if rule.kind != "fixed":
            return False
        wanted = {}
        for index, key in enumerate(rule.questions):
            bank, _slash, identity = key.partition("/")
            if bank and identity:
                wanted[(bank, identity)] = index
        if not wanted:
            return False
        rows = db.session.execute(
            select(Bank.key, Question.identity, Question.retired_at).join(Question, Question.bank_id == Bank.id)
            .where(Bank.key.in_(sorted({bank for bank, _identity in wanted})),
                   Question.identity.in_(sorted({identity for _bank, identity in wanted})))).all()
        retired = {(bank, identity): retired_at is not None for bank, identity, retired_at in rows}
        missing = False
        for (bank, identity), index in wanted.items():
            key = f"{bank}/{identity}"
            if (bank, identity) not in retired:
                self.add(f"{path}.questions.{index}", _("There is no question %(key)s: check the bank's id and the "
                                                        "question's id.", key=key))
            elif retired[(bank, identity)]:
                self.add(f"{path}.questions.{index}", _("The question %(key)s is retired: import its bank with it "
                                                        "again, or remove it from the rule.", key=key))
            else:
                continue
            missing = True
        return missing

    def _would_be(self, sections: list[tuple[str, list[dict]]]) -> Exam:
        """The exam's rules as the file has them, on an object outside the session, for the checks that
        take an exam (the pool's feasibility, the dimensions its papers can have)."""
        exam = Exam(shuffle_questions=self.file.shuffle_questions, shuffle_options=self.file.shuffle_options,
                    difficulty_tolerance=self.file.difficulty_tolerance or 0)
        exam.id = self.exam.id if self.exam is not None else None
        exam.sections = _section_rows(sections)
        return exam

    def _pool(self, would_be: Exam) -> None:
        """Refuse the shortfalls of the pool the file's rules would add (as the rules editor does: a
        shortfall the stored rules have already, because the pool shrank since, is not the file's)."""
        pool = candidate_pool()
        before = set()
        if self.exam is not None:
            before = {s.message for s in check_feasibility(paper_spec(self.exam), pool)}
        for shortfall in check_feasibility(paper_spec(would_be), pool):
            if shortfall.message not in before:
                self.add(f"sections.{shortfall.section_index}.rules.{shortfall.rule_index}", shortfall.message)

    # --- settings ---

    def _settings(self, settings: ExamSettings) -> None:
        errors = settings_errors(settings)
        for name, choices in CHOICES.items():
            if name in errors:
                errors[name] = [_("%(key)s must be one of: %(choices)s.", key=path_of(name).rpartition(".")[2],
                                  choices=", ".join(choices))]
        self.add_errors(errors, path_of)

    def _scoring(self, would_be: Exam | None) -> ScoringInput:
        weights = dict(self.file.dimension_weights)
        bands = self.file.grade_bands
        data = ScoringInput(weights=weights, bands=list(bands) if bands is not None else
                            [tuple(band) for band in _default_bands()], appeal_days=self.file.appeal_days)
        if would_be is None:  # the rules have problems: the weights are checked against themselves only
            dimensions = list(weights)
        else:
            dimensions = exam_dimensions(would_be)
            for name in [name for name in weights if name not in dimensions]:
                self.add(f"dimension_weights.{name}", _("No rule of the exam draws questions of the dimension "
                                                        "%(dimension)s: remove its weight.",
                                                        dimension=name or '""'))
                del weights[name]
        errors = scoring_errors(data, dimensions)
        if self.exam is not None and would_be is not None:  # what the stored exam fails as well is not the file's
            stored = _stored_scoring(self.exam)
            known = scoring_errors(stored, exam_dimensions(self.exam))
            errors = {name: [m for m in messages if m not in known.get(name, ())] for name, messages in errors.items()}
        self.add_errors(errors, _scoring_path)
        return data

    def _grading(self) -> None:
        tolerance = self.file.double_marking_tolerance
        if tolerance is None or not (math.isfinite(tolerance) and 0 <= tolerance <= 100):
            self.add("double_marking_tolerance", _("The tolerance is a percentage from 0 to 100."))

    def _wanted(self, settings, groups, users, reviewers, sections, scoring: ScoringInput) -> dict:
        """The state the file asks for, comparable with `_state` of the stored exam."""
        state = {path_of(name): value for name, value in stored_values(settings).items()}
        bands = None
        if self.file.grade_bands is not None:
            bands = [[label.strip(), float(minimum)] for label, minimum in self.file.grade_bands]
            if bands == _default_bands():
                bands = None  # as the scoring page stores them: labels that follow each viewer's language
        state |= {
            "groups": sorted(group.id for group in groups), "users": sorted(user.id for user in users),
            "sections": sections,
            "dimension_weights": {name: float(value) for name, value in scoring.weights.items() if value is not None},
            "grade_bands": bands, "appeal_days": scoring.appeal_days,
            "double_marking": bool(self.file.double_marking),
            "double_marking_tolerance": round(float(self.file.double_marking_tolerance), 2),
            "reviewers": sorted(user.id for user in reviewers),
            "status": self.file.status or (self.exam.status if self.exam is not None else "draft"),
        }
        return state

    def _lock(self, wanted: dict, changes: list[str]) -> None:
        """Refuse what attempts lock (admin.LOCKED_SETTINGS, the rules), what marks settle (double marking),
        and going back to draft once attempts exist."""
        exam = self.exam
        values = {name: wanted[path_of(name)] for name in SETTING_NAMES}
        self.add_errors(lock_errors(exam, values), path_of)
        if "sections" in changes:
            try:
                ensure_unlocked(exam)
            except ExamError as error:
                self.add_errors(error.errors, lambda _name: "sections")
        if any(key in changes for key in GRADING_KEYS) and _has_marks(exam):
            for key in GRADING_KEYS:
                if key in changes:
                    self.add(key, _("Answers of this exam are marked already, so double marking is changed on the "
                                    "exam's Reviewers page, which settles those marks by the new rule."))
        if "window.closes" in changes:
            self.add_errors(override_errors(exam, wanted["window.closes"]), lambda _name: "window.closes")
        if wanted["status"] == "draft" and exam.status == "published" and attempt_count(exam.id):
            self.add("status", _("Attempts exist, so the exam cannot go back to draft: keep status: published "
                                 "(close it now or archive it on the web)."))

    # --- storing ---

    def _store(self, wanted, changes, settings, groups, users, reviewers, sections) -> Exam:
        exam = self.exam
        if exam is None:
            exam = Exam(key=self.file.key, created_by_id=self.actor_id, status="draft")
            db.session.add(exam)
            changes = list(wanted)
        for name, value in stored_values(settings).items():
            setattr(exam, name, value)
        if exam.difficulty_source != "measured":
            exam.measured_difficulty = None  # as update_exam: a snapshot only means something to "measured"
        if "groups" in changes:
            exam.groups = groups
        if "users" in changes:
            exam.users = users
        if "reviewers" in changes:
            exam.reviewers = reviewers
        if "sections" in changes:
            exam.sections = _section_rows(sections)
        exam.dimension_weights = wanted["dimension_weights"]
        exam.grade_bands = wanted["grade_bands"]
        exam.appeal_days = wanted["appeal_days"]
        exam.double_marking = wanted["double_marking"]
        exam.double_marking_tolerance = wanted["double_marking_tolerance"]
        db.session.flush()
        if self.exam is not None:
            recompute_deadlines(exam.id)  # a moved close or time limit applies to attempts in progress
        return exam

    def _commit(self, exam: Exam, status: str, current: dict | None) -> None:
        before = current["status"] if current is not None else "draft"
        try:
            if status == "published" and before == "draft":
                publish(exam, actor_id=self.actor_id, now=self.now)  # commits the file's changes with it
            elif status == "draft" and before == "published":
                unpublish(exam, actor_id=self.actor_id)
            else:
                db.session.commit()
        except ExamError as error:  # publish/unpublish rolled back already
            for message in error.messages:
                self.add("status", message)
        except Exception:
            db.session.rollback()
            raise
        if self.problems:
            self.exam = exam_by_key(self.file.key)


def _stored_scoring(exam: Exam) -> ScoringInput:
    bands = [tuple(band) for band in exam.grade_bands] if exam.grade_bands else [tuple(b) for b in _default_bands()]
    return ScoringInput(weights={name: float(value) for name, value in (exam.dimension_weights or {}).items()},
                        bands=bands, appeal_days=exam.appeal_days)


def _scoring_path(name: str) -> str:
    kind, _colon, rest = name.partition(":")
    if kind == "weight":
        return f"dimension_weights.{rest}"
    if kind == "band":
        return f"grade_bands.{rest}"
    return {"weights": "dimension_weights", "bands": "grade_bands"}.get(name, name)


def _section_rows(sections: list[tuple[str, list[dict]]]) -> list[ExamSection]:
    return [ExamSection(position=s, title=title,
                        rules=[ExamRule(position=r, **values) for r, values in enumerate(rules)])
            for s, (title, rules) in enumerate(sections)]


def _has_marks(exam: Exam) -> bool:
    """Whether an answer of the exam waits with marks already made (what `grading.marks.resettle` settles)."""
    return db.session.scalar(
        select(AttemptSlot.id).join(Attempt, Attempt.id == AttemptSlot.attempt_id)
        .where(Attempt.exam_id == exam.id, AttemptSlot.needs_grading.is_(True), AttemptSlot.mark_count > 0)
        .limit(1)) is not None
