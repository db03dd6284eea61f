"""An exam's sections and rules: validated, checked against the question pool, refused once locked.

A change is refused when the would-be rules have a shortfall the saved rules do not have, with
`check_feasibility`'s messages ("section 1, rule 2 needs 10 questions, 7 match"), so rules that cannot
be filled are never saved. If the pool shrinks later (questions retired), the exam's pages show the
shortfalls and every change that does not add a new one, such as lowering that rule's count to what
the pool holds, is still accepted. Deleting and moving cannot make a paper harder to fill, so they are
not checked.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from ...core import qtypes
from ...core.papers import Candidate, canonical_pool, check_feasibility
from ...core.text import unstorable
from ...extensions import db
from ...models import Bank, Exam, ExamRule, ExamSection
from ..banks.pool import candidate_pool, paper_spec, rule_spec
from ..messages import unstorable_message
from .admin import ExamError, ensure_unlocked

SECTION_TITLE_MAX = 200
RULE_COUNT_MAX = 500
TEXT_MAX = 100  # tags and dimensions, as stored for questions
POINTS_MAX = 1000


@dataclass
class RuleInput:
    """A draw rule (count and filters; empty filters accept anything) or a fixed rule (question keys)."""

    kind: str = "draw"
    count: int | None = 1
    bank_keys: list[str] = field(default_factory=list)
    qtype: str | None = None
    tags: list[str] = field(default_factory=list)
    dimension: str | None = None
    difficulty_min: int | None = 1
    difficulty_max: int | None = 5
    points: float | None = None  # None: each question's own points
    question_keys: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, rule: ExamRule) -> RuleInput:
        return cls(kind=rule.kind, count=rule.count, bank_keys=list(rule.bank_keys or ()), qtype=rule.qtype,
                   tags=list(rule.tags or ()), dimension=rule.dimension, difficulty_min=rule.difficulty_min,
                   difficulty_max=rule.difficulty_max, points=rule.points,
                   question_keys=list(rule.question_keys or ()))


def _unique(values) -> list[str]:
    return list(dict.fromkeys(v.strip() for v in values or () if v and v.strip()))


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def rule_values(data: RuleInput) -> dict:
    """The columns of a rule, or ExamError naming every problem."""
    errors: dict[str, list[str]] = {}
    if data.kind == "draw":
        values = _draw_values(data, errors)
    elif data.kind == "fixed":
        values = _fixed_values(data, errors)
    else:
        raise ExamError({"kind": [_("Unknown kind of rule.")]})
    if data.points is not None and not (isinstance(data.points, int | float) and 0 < data.points <= POINTS_MAX):
        errors["points"] = [_("Points must be more than 0 and at most %(max)d.", max=POINTS_MAX)]
    if errors:
        raise ExamError(errors)
    values["points"] = None if data.points is None else round(float(data.points), 2)
    return values


def _draw_values(data: RuleInput, errors: dict) -> dict:
    if not _is_int(data.count) or data.count < 1:
        errors["count"] = [_("A rule draws at least 1 question.")]
    elif data.count > RULE_COUNT_MAX:
        errors["count"] = [_("A rule draws at most %(max)d questions.", max=RULE_COUNT_MAX)]
    banks = _unique(data.bank_keys)
    known = set(db.session.scalars(select(Bank.key).where(Bank.key.in_(banks)))) if banks else set()
    if set(banks) - known:
        errors["bank_keys"] = [_("Unknown bank: %(keys)s", keys=", ".join(b for b in banks if b not in known))]
    qtype = (data.qtype or "").strip() or None
    if qtype is not None and qtype not in {t.name for t in qtypes.all_types()}:
        errors["qtype"] = [_("Unknown question type: %(name)s", name=qtype)]
    tags, dimension = _unique(data.tags), (data.dimension or "").strip() or None
    if any(len(tag) > TEXT_MAX for tag in tags):
        errors["tags"] = [_("A tag has at most %(max)d characters.", max=TEXT_MAX)]
    if dimension and len(dimension) > TEXT_MAX:
        errors["dimension"] = [_("A dimension has at most %(max)d characters.", max=TEXT_MAX)]
    low, high = data.difficulty_min, data.difficulty_max
    if not all(_is_int(d) and 1 <= d <= 5 for d in (low, high)):
        errors["difficulty_min"] = [_("Difficulty goes from 1 to 5.")]
    elif low > high:
        errors["difficulty_min"] = [_("The lowest difficulty cannot be above the highest.")]
    return {"kind": "draw", "count": data.count, "bank_keys": banks, "qtype": qtype, "tags": tags,
            "dimension": dimension, "difficulty_min": low, "difficulty_max": high, "question_keys": []}


def _fixed_values(data: RuleInput, errors: dict) -> dict:
    keys = [key.strip() for key in data.question_keys or () if key and key.strip()]
    problems = []
    if not keys:
        problems.append(_("List at least one question as bank/id, one per line."))
    elif len(keys) > RULE_COUNT_MAX:
        problems.append(_("A rule lists at most %(max)d questions.", max=RULE_COUNT_MAX))
    for key in keys:
        bank, _slash, identity = key.partition("/")
        if not bank or not identity:
            problems.append(_("Not a question key (bank/id): %(key)s", key=key))
    for key in sorted({key for key in keys if keys.count(key) > 1}):
        problems.append(_("Listed twice: %(key)s", key=key))
    if problems:
        errors["question_keys"] = problems
    return {"kind": "fixed", "count": 0, "bank_keys": [], "qtype": None, "tags": [], "dimension": None,
            "difficulty_min": 1, "difficulty_max": 5, "question_keys": keys}


def section_title(title: str | None) -> str:
    title = (title or "").strip()
    kind = unstorable(title)
    if kind:
        raise ExamError({"title": [unstorable_message(kind)]})
    if len(title) > SECTION_TITLE_MAX:
        raise ExamError({"title": [_("A section title has at most %(max)d characters.", max=SECTION_TITLE_MAX)]})
    return title


# --- changes ---

def _change(exam: Exam, mutate: Callable[[], object], *, check_pool: bool = True):
    """Run `mutate` on the unlocked exam; commit unless it adds a pool shortfall (then roll back)."""
    try:
        ensure_unlocked(exam)
        pool = candidate_pool() if check_pool else []
        before = set(shortfall_messages(exam, pool)) if check_pool else set()
        result = mutate()
        if check_pool:
            added = [m for m in shortfall_messages(exam, pool) if m not in before]
            if added:
                raise ExamError({"pool": added})
        db.session.commit()
        return result
    except Exception:
        db.session.rollback()
        raise


def shortfall_messages(exam: Exam, pool: list[Candidate] | None = None) -> list[str]:
    """Why the pool cannot fill the exam's rules (empty when every paper can be assembled)."""
    pool = candidate_pool() if pool is None else pool
    return [shortfall.message for shortfall in check_feasibility(paper_spec(exam), pool)]


def uniform_total(exam: Exam, pool: list[Candidate] | None = None) -> float | None:
    """The total points every paper of the exam has, or None when totals can differ between papers.

    They can only differ through a draw rule that uses the questions' own points while the questions
    it matches carry different points; fixed questions always bring the same points."""
    candidates = canonical_pool(candidate_pool() if pool is None else pool)
    own_points = {c.question_key: c.points for c in candidates}
    total = 0.0
    for rule in (rule for section in exam.sections for rule in section.rules):
        spec = rule_spec(rule)
        if rule.points is not None:
            total += rule.points * (len(spec.question_keys) if rule.kind == "fixed" else rule.count)
        elif rule.kind == "fixed":
            total += sum(own_points[key] for key in spec.question_keys if key in own_points)
        else:
            values = {c.points for c in candidates if spec.matches(c)}
            if len(values) > 1:
                return None
            total += rule.count * next(iter(values), 0.0)
    return round(total, 2)


def add_section(exam: Exam, title: str = "") -> ExamSection:
    title = section_title(title)

    def mutate():
        section = ExamSection(title=title, position=len(exam.sections))
        exam.sections.append(section)
        return section

    return _change(exam, mutate, check_pool=False)


def rename_section(section: ExamSection, title: str) -> None:
    title = section_title(title)
    _change(section.exam, lambda: setattr(section, "title", title), check_pool=False)


def delete_section(section: ExamSection) -> None:
    exam = section.exam

    def mutate():
        exam.sections.remove(section)
        _renumber(exam.sections)

    _change(exam, mutate, check_pool=False)


def move_section(section: ExamSection, step: int) -> None:
    _change(section.exam, lambda: _move(section.exam.sections, section, step), check_pool=False)


def add_rule(section: ExamSection, data: RuleInput) -> ExamRule:
    values = rule_values(data)

    def mutate():
        rule = ExamRule(position=len(section.rules), **values)
        section.rules.append(rule)
        return rule

    return _change(section.exam, mutate)


def update_rule(rule: ExamRule, data: RuleInput) -> None:
    values = rule_values(data)

    def mutate():
        for name, value in values.items():
            setattr(rule, name, value)

    _change(rule.section.exam, mutate)


def delete_rule(rule: ExamRule) -> None:
    section = rule.section

    def mutate():
        section.rules.remove(rule)
        _renumber(section.rules)

    _change(section.exam, mutate, check_pool=False)


def move_rule(rule: ExamRule, step: int) -> None:
    section = rule.section
    _change(section.exam, lambda: _move(section.rules, rule, step), check_pool=False)


def _renumber(items: list) -> None:
    for position, item in enumerate(items):
        item.position = position


def _move(items: list, item, step: int) -> None:
    """Move `item` one place up (step -1) or down (+1); nothing at either end."""
    ordered = sorted(items, key=lambda each: each.position)  # a plain list: the relationship stays put
    index = ordered.index(item)
    target = index + (1 if step > 0 else -1)
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
        _renumber(ordered)
