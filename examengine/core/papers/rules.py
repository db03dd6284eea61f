"""What a paper is made of: the candidate pool's items, the exam's rules, and the paper itself.

Indices in these objects (sections, rules, positions) are 0-based; human messages count from 1.
"""
from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

from examengine.core.messages import N_, Message


def _frozen(obj: object, *names: str) -> None:
    """Accept any iterable for set-valued fields (callers pass sets, lists, tuples) but store frozensets."""
    for name in names:
        value = getattr(obj, name)
        if not isinstance(value, frozenset):
            object.__setattr__(obj, name, frozenset(value))


@dataclass(frozen=True)
class Candidate:
    """One current question version in the pool."""

    version_id: int
    question_key: str  # "bank_key/identity": stable across versions, used by fixed rules
    bank_key: str
    qtype: str
    tags: frozenset[str]
    dimension: str
    difficulty: int  # 1..5
    points: float
    option_count: int = 0  # choice questions: number of options
    shuffle_options: bool = True  # the question's own `shuffle:` flag
    # The level papers are balanced on when it is not the author's label (the measured difficulty,
    # see difficulty.py). Draw rules still select on `difficulty`: what the author wrote them against,
    # so balancing on measured levels never makes rules infeasible.
    balance_difficulty: int | None = None

    def __post_init__(self) -> None:
        _frozen(self, "tags")

    @property
    def balanced_difficulty(self) -> int:
        """The level that difficulty quotas and a paper's total difficulty count."""
        return self.difficulty if self.balance_difficulty is None else self.balance_difficulty


@dataclass(frozen=True)
class DrawRule:
    """Draw `count` questions matching every given criterion (empty / None = any)."""

    count: int
    banks: frozenset[str] = frozenset()
    qtype: str | None = None
    tags: frozenset[str] = frozenset()  # the question must carry all of them
    dimension: str | None = None
    difficulty_min: int = 1
    difficulty_max: int = 5
    points: float | None = None  # None: the question's own points

    def __post_init__(self) -> None:
        _frozen(self, "banks", "tags")

    def matches(self, c: Candidate) -> bool:
        return all(accepts(self, getattr(c, name)) for name, accepts in CRITERIA)


# What a draw rule looks at, one candidate field at a time; `matches` is their conjunction. Large
# pools repeat field values a lot, so feasibility evaluates each criterion once per distinct value.
CRITERIA = (
    ("bank_key", lambda rule, value: not rule.banks or value in rule.banks),
    ("qtype", lambda rule, value: rule.qtype is None or value == rule.qtype),
    ("tags", lambda rule, value: rule.tags <= value),
    ("dimension", lambda rule, value: rule.dimension is None or value == rule.dimension),
    ("difficulty", lambda rule, value: rule.difficulty_min <= value <= rule.difficulty_max),
)


@dataclass(frozen=True)
class FixedRule:
    """Fixed questions picked by key, in the given order."""

    question_keys: tuple[str, ...]
    points: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.question_keys, tuple):
            object.__setattr__(self, "question_keys", tuple(self.question_keys))


Rule = DrawRule | FixedRule


@dataclass(frozen=True)
class SectionSpec:
    title: str
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class PaperSpec:
    sections: tuple[SectionSpec, ...]
    shuffle_questions: bool = True
    shuffle_options: bool = True
    # Total-difficulty points a paper may differ from the exam's target: 0 = every paper equally
    # hard, exposure balanced among the equally hard question sets; more trades spread for exposure.
    difficulty_tolerance: int = 0


@dataclass(frozen=True)
class Slot:
    section: int
    position: int  # 0-based across the whole paper
    version_id: int
    points: float
    option_order: tuple[int, ...] | None  # permutation of range(option_count); None without options
    difficulty: int  # the level the paper was balanced on (Candidate.balanced_difficulty)


@dataclass(frozen=True)
class Paper:
    seed: int
    slots: tuple[Slot, ...]

    @property
    def total_points(self) -> float:
        return math.fsum(slot.points for slot in self.slots)

    @property
    def total_difficulty(self) -> int:
        return sum(slot.difficulty for slot in self.slots)


@dataclass(frozen=True)
class Shortfall:
    """Why a spec cannot be filled from a pool. For a joint shortfall, `rules` lists every rule involved
    and (section_index, rule_index) is the first of them."""

    section_index: int
    rule_index: int
    needed: int
    available: int
    message: str
    rules: tuple[tuple[int, int], ...] = ()


class InfeasibleRules(ValueError):
    def __init__(self, shortfalls: list[Shortfall]) -> None:
        super().__init__("; ".join(s.message for s in shortfalls))
        self.shortfalls = list(shortfalls)


def iter_rules(spec: PaperSpec) -> Iterator[tuple[int, int, Rule]]:
    """(section index, rule index within the section, rule) in paper order."""
    for s, section in enumerate(spec.sections):
        for r, rule in enumerate(section.rules):
            yield s, r, rule


def rule_label(section: int, rule: int) -> Message:
    return N_("section %(section)d, rule %(rule)d", section=section + 1, rule=rule + 1)


def effective_points(rule: Rule, candidate: Candidate) -> float:
    return candidate.points if rule.points is None else rule.points
