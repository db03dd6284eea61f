"""The admin's preview of an exam: one sample paper, and how much papers differ over many samples.

Each question shows the author's difficulty and the measured one (level, facility and responses, or
how many responses are still missing); the spread is computed on the levels the exam's papers are
actually balanced on (`difficulty.paper_levels`)."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from sqlalchemy import select

from ...core.papers import (
    Facility,
    InfeasibleRules,
    Paper,
    Slot,
    Spread,
    draw_paper,
    measured_level,
    plan_paper,
    plan_spread,
)
from ...extensions import db
from ...models import Exam, QuestionVersion
from ..banks.pool import candidate_pool, paper_spec
from .admin import attempt_count
from .difficulty import min_responses, paper_levels, version_facilities

SEED_MAX = 2**31 - 1  # attempts store seeds in an INTEGER column
SPREAD_SAMPLES = 200


@dataclass
class PreviewItem:
    slot: Slot  # slot.difficulty: the level this paper was balanced on
    version: QuestionVersion  # version.difficulty: the author's label
    section_title: str
    responses: int = 0  # graded responses to this version, over every exam
    facility: float | None = None
    measured_level: int | None = None  # None: fewer than `Preview.min_responses` responses


@dataclass
class Preview:
    seed: int
    items: list[PreviewItem] = field(default_factory=list)
    total_points: float = 0.0
    spread: Spread | None = None
    shortfalls: list[str] = field(default_factory=list)
    difficulty_source: str = "author"  # what the papers (and the spread) are balanced on
    frozen: bool = False  # "measured": the levels were frozen by the exam's first attempt
    min_responses: int = 0


    @property
    def points_vary(self) -> bool:
        """Rules that use the questions' own points give papers different totals."""
        return self.spread is not None and self.spread.points_min != self.spread.points_max


def random_seed() -> int:
    return secrets.randbelow(SEED_MAX + 1)


def preview(exam: Exam, seed: int | None = None, *, samples: int = SPREAD_SAMPLES) -> Preview:
    """A sample paper assembled like an attempt's (same pool, same spec), with the spread of paper
    difficulty and the exposure of each question over `samples` papers (exact from the plan's
    weights where rules share no questions); the shortfalls instead when the pool cannot fill the rules."""
    seed = random_seed() if seed is None else seed
    levels = paper_levels(exam)
    source = {"difficulty_source": exam.difficulty_source, "min_responses": min_responses(),
              "frozen": exam.difficulty_source == "measured" and attempt_count(exam.id) > 0}
    spec, pool = paper_spec(exam), candidate_pool(levels)
    try:
        plan = plan_paper(spec, pool)  # once for the sample paper and the spread
        paper = draw_paper(plan, seed)
        spread = plan_spread(plan, samples=samples) if paper.slots else None
    except InfeasibleRules as error:
        return Preview(seed, shortfalls=[shortfall.message for shortfall in error.shortfalls], **source)
    titles = [section.title for section in spec.sections]
    return Preview(seed, _items(paper, titles, source["min_responses"]), paper.total_points, spread, **source)


def _items(paper: Paper, titles: list[str], needed: int) -> list[PreviewItem]:
    ids = [slot.version_id for slot in paper.slots]
    versions = {v.id: v for v in db.session.scalars(select(QuestionVersion).where(QuestionVersion.id.in_(ids)))}
    facilities = version_facilities()
    return [_item(slot, versions[slot.version_id], titles[slot.section], facilities.get(slot.version_id), needed)
            for slot in paper.slots]


def _item(slot: Slot, version: QuestionVersion, title: str, figures: Facility | None, needed: int) -> PreviewItem:
    if figures is None:
        return PreviewItem(slot, version, title)
    return PreviewItem(slot, version, title, figures.n, figures.facility, measured_level(figures, needed))
