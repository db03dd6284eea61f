"""The paper blueprint: a whole paper as one table (rows = question types or dimensions, with a count
and the points per question each), saved as draw rules in one submit.

Every row with a count above 0 becomes one draw rule of one section, drawing from the chosen banks
(none: every bank) within one difficulty range. The blueprint either adds a new section or replaces
the rules of a section the admin names in the form ("replace section 2"): it never deletes rules the
admin did not point at, and there is no hidden link between a section and the blueprint that made it.
The submit is validated as a whole: any problem (per row, or the pool unable to fill the paper with
the new rules) refuses everything and stores nothing, like every other change of the rules.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from flask_babel import gettext as _

from ...core import qtypes
from ...core.papers import Candidate, canonical_pool, check_feasibility
from ...extensions import db
from ...models import Exam, ExamRule, ExamSection
from ..banks.pool import candidate_pool, paper_spec
from .admin import ExamError, ensure_unlocked
from .rules import RULE_COUNT_MAX, TEXT_MAX, RuleInput, _is_int, rule_values, section_title, shortfall_messages

MODES = ("qtype", "dimension")
LEVELS = (1, 2, 3, 4, 5)


@dataclass
class BlueprintRow:
    """One row as submitted: a question type or a dimension, how many to draw (0: none) and the points
    per question (None: each question's own)."""

    value: str
    count: object = 0  # an int when well formed; anything else is refused with the row's message
    points: object = None


@dataclass
class BlueprintInput:
    mode: str = "qtype"
    bank_keys: list[str] = field(default_factory=list)
    difficulty_min: object = 1
    difficulty_max: object = 5
    rows: list[BlueprintRow] = field(default_factory=list)
    section_id: int | None = None  # replace this section's rules; None: add a new section
    title: str = ""


@dataclass
class RowAvailability:
    """How many live questions a row can draw from: `available` for the given banks and difficulty,
    and `counts` per bank and level (the page's script sums them when the selection changes)."""

    value: str
    available: int
    counts: dict[str, list[int]]


def row_error_key(value: str) -> str:
    """Where a row's problems are in ExamError.errors: by its type or dimension, as the page shows it."""
    return f"row:{value}"


def _field(candidate: Candidate, mode: str) -> str:
    return candidate.qtype if mode == "qtype" else candidate.dimension


def availability(mode: str, bank_keys: Sequence[str] = (), difficulty: tuple[int, int] = (1, 5),
                 pool: list[Candidate] | None = None) -> list[RowAvailability]:
    """The blueprint's rows: every question type (or non-empty dimension) of the live pool, with how
    many questions each row matches."""
    mode = mode if mode in MODES else "qtype"
    candidates = canonical_pool(candidate_pool() if pool is None else pool)
    tally = Counter((_field(c, mode), c.bank_key, c.difficulty) for c in candidates if _field(c, mode))
    banks, low, high = set(bank_keys), *difficulty
    rows = []
    for value in _row_values(mode, {key[0] for key in tally}):
        counts: dict[str, list[int]] = {}
        for (row, bank, level), n in tally.items():
            if row == value and level in LEVELS:
                counts.setdefault(bank, [0] * len(LEVELS))[level - 1] += n
        available = sum(n for (row, bank, level), n in tally.items()
                        if row == value and (not banks or bank in banks) and low <= level <= high)
        rows.append(RowAvailability(value, available, dict(sorted(counts.items()))))
    return rows


def _row_values(mode: str, present: set[str]) -> list[str]:
    if mode == "qtype":  # the registry's order (single, multiple, …), as the rule form lists them
        return [t.name for t in qtypes.all_types() if t.name in present]
    return sorted(present)


# --- saving ---

def apply_blueprint(exam: Exam, data: BlueprintInput) -> ExamSection:
    """Save the blueprint's rows as draw rules (see the module doc); ExamError with every problem, keyed
    by field ("difficulty_min", "bank_keys", "rows", `row_error_key(value)`, "pool"), and nothing stored.

    Stricter than the other rule changes: any shortfall that involves the blueprint's section refuses
    it, even one with the same text as a shortfall the replaced rules had."""
    try:
        ensure_unlocked(exam)
        section = _target_section(exam, data.section_id)
        title = section_title(data.title) if data.title.strip() or section is None else None
        inputs = _rule_inputs(data)
        pool = candidate_pool()
        before = set(shortfall_messages(exam, pool))
        section = _write(exam, section, title, inputs)
        index = exam.sections.index(section)
        refused = [shortfall.message for shortfall in check_feasibility(paper_spec(exam), pool)
                   if shortfall.message not in before
                   or any(s == index for s, _rule in shortfall.rules or ((shortfall.section_index, 0),))]
        if refused:
            raise ExamError({"pool": refused})
        db.session.commit()
        return section
    except Exception:
        db.session.rollback()
        raise


def _write(exam: Exam, section: ExamSection | None, title: str | None, inputs: list[dict]) -> ExamSection:
    if section is None:
        section = ExamSection(title=title or _("Paper blueprint"), position=len(exam.sections))
        exam.sections.append(section)
    else:
        section.rules.clear()  # delete-orphan: the replaced section's rules go, as the form said
        if title is not None:
            section.title = title
    for position, values in enumerate(inputs):
        section.rules.append(ExamRule(position=position, **values))
    return section


def _target_section(exam: Exam, section_id: int | None) -> ExamSection | None:
    if section_id is None:
        return None
    for section in exam.sections:
        if section.id == section_id:
            return section
    raise ExamError({"section_id": [_("Choose a section of this exam, or a new section.")]})


def _rule_inputs(data: BlueprintInput) -> list[dict]:
    """The columns of each rule, in row order, or ExamError naming every problem."""
    errors: dict[str, list[str]] = {}
    if data.mode not in MODES:
        raise ExamError({"mode": [_("Choose rows by question type or by dimension.")]})
    _check_common(data, errors)
    chosen = [row for row in data.rows if row.count != 0]
    if not chosen:
        errors.setdefault("rows", []).append(_("Enter a number of questions in at least one row."))
    seen = Counter(row.value for row in data.rows)
    values = []
    for row in chosen:
        problems = _row_problems(data.mode, row, seen)
        if problems:
            errors[row_error_key(row.value)] = problems
            continue
        if errors:
            continue  # the common fields are wrong: the rule values would repeat their messages
        values.append(rule_values(_rule_input(data, row)))
    if errors:
        raise ExamError(errors)
    return values


def _check_common(data: BlueprintInput, errors: dict) -> None:
    low, high = data.difficulty_min, data.difficulty_max
    if not all(_is_int(d) and 1 <= d <= 5 for d in (low, high)):
        errors["difficulty_min"] = [_("Difficulty goes from 1 to 5.")]
    elif low > high:
        errors["difficulty_min"] = [_("The lowest difficulty cannot be above the highest.")]
    try:
        rule_values(RuleInput(bank_keys=data.bank_keys))
    except ExamError as error:
        if "bank_keys" in error.errors:
            errors["bank_keys"] = error.errors["bank_keys"]


def _row_problems(mode: str, row: BlueprintRow, seen: Counter) -> list[str]:
    problems = []
    if not row.value or len(row.value) > TEXT_MAX:
        problems.append(_("This row names no question type or dimension."))
    elif mode == "qtype" and row.value not in {t.name for t in qtypes.all_types()}:
        problems.append(_("Unknown question type: %(name)s", name=row.value))
    elif seen[row.value] > 1:
        problems.append(_("This row appears twice."))
    if not _is_int(row.count) or not 0 <= row.count <= RULE_COUNT_MAX:
        problems.append(_("The number of questions is a whole number from 0 to %(max)d.", max=RULE_COUNT_MAX))
    if row.points is not None and not (isinstance(row.points, int | float) and not isinstance(row.points, bool)
                                       and 0 < row.points <= 1000):
        problems.append(_("Points per question: a number above 0 and at most 1000, or empty for "
                          "each question's own points."))
    return problems


def _rule_input(data: BlueprintInput, row: BlueprintRow) -> RuleInput:
    return RuleInput(kind="draw", count=row.count, bank_keys=list(data.bank_keys),
                     qtype=row.value if data.mode == "qtype" else None,
                     dimension=row.value if data.mode == "dimension" else None,
                     difficulty_min=data.difficulty_min, difficulty_max=data.difficulty_max,
                     points=None if row.points is None else float(row.points))
