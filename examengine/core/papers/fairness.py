"""How much papers of one exam differ in difficulty: the figures for the admin's preview."""
from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from examengine.core.papers.assemble import draw_paper, plan_paper
from examengine.core.papers.rules import Candidate, PaperSpec


@dataclass(frozen=True)
class Spread:
    """Statistics of `total_difficulty` (sum of the questions' difficulties) over sample papers."""

    min: int
    max: int
    mean: float
    stdev: float  # population standard deviation; 0 when every paper is equally hard
    samples: int
    mean_per_question: float = 0.0  # mean difficulty of one question (1..5), averaged over the papers
    points_min: float = 0.0  # total points vary only when rules use the questions' own points
    points_max: float = 0.0


def paper_difficulty_spread(
    spec: PaperSpec, pool: Sequence[Candidate], samples: int = 200, first_seed: int = 0
) -> Spread:
    """Raises InfeasibleRules like assemble_paper; ValueError if samples < 1."""
    if samples < 1:
        raise ValueError("samples must be at least 1")
    plan = plan_paper(spec, pool)  # seed-independent work done once for all samples
    papers = [draw_paper(plan, seed) for seed in range(first_seed, first_seed + samples)]
    totals = [paper.total_difficulty for paper in papers]
    per_question = [paper.total_difficulty / len(paper.slots) if paper.slots else 0.0 for paper in papers]
    points = [paper.total_points for paper in papers]
    return Spread(
        min=min(totals),
        max=max(totals),
        mean=statistics.fmean(totals),
        stdev=statistics.pstdev(totals),
        samples=samples,
        mean_per_question=statistics.fmean(per_question),
        points_min=min(points),
        points_max=max(points),
    )
