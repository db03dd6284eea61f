"""The admin's preview of an exam: one sample paper, and how much papers differ over many samples."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from sqlalchemy import select

from ...core.papers import InfeasibleRules, Paper, Slot, Spread, assemble_paper, paper_difficulty_spread
from ...extensions import db
from ...models import Exam, QuestionVersion
from ..banks.pool import candidate_pool, paper_spec

SEED_MAX = 2**31 - 1  # attempts store seeds in an INTEGER column
SPREAD_SAMPLES = 200


@dataclass
class PreviewItem:
    slot: Slot
    version: QuestionVersion
    section_title: str


@dataclass
class Preview:
    seed: int
    items: list[PreviewItem] = field(default_factory=list)
    total_points: float = 0.0
    spread: Spread | None = None
    shortfalls: list[str] = field(default_factory=list)

    @property
    def points_vary(self) -> bool:
        """Rules that use the questions' own points give papers different totals."""
        return self.spread is not None and self.spread.points_min != self.spread.points_max


def random_seed() -> int:
    return secrets.randbelow(SEED_MAX + 1)


def preview(exam: Exam, seed: int | None = None, *, samples: int = SPREAD_SAMPLES) -> Preview:
    """A sample paper assembled like an attempt's (same pool, same spec), with the spread of paper
    difficulty over `samples` papers; the shortfalls instead when the pool cannot fill the rules."""
    seed = random_seed() if seed is None else seed
    spec, pool = paper_spec(exam), candidate_pool()
    try:
        paper = assemble_paper(spec, pool, seed)
        spread = paper_difficulty_spread(spec, pool, samples=samples) if paper.slots else None
    except InfeasibleRules as error:
        return Preview(seed, shortfalls=[shortfall.message for shortfall in error.shortfalls])
    titles = [section.title for section in spec.sections]
    return Preview(seed, _items(paper, titles), paper.total_points, spread)


def _items(paper: Paper, titles: list[str]) -> list[PreviewItem]:
    ids = [slot.version_id for slot in paper.slots]
    versions = {v.id: v for v in db.session.scalars(select(QuestionVersion).where(QuestionVersion.id.in_(ids)))}
    return [PreviewItem(slot, versions[slot.version_id], titles[slot.section]) for slot in paper.slots]
