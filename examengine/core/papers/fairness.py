"""How much papers of one exam differ in difficulty, and how often each question appears on them:
the figures for the admin's preview.

Exposure is the share of papers a question appears on. It is exact, from the plan's profile
weights, for rules that share no candidates (exposure.py); where rules share candidates the draw's
matching decides which rule takes which, and the figure is counted over the sample papers instead.
Fixed questions are on every paper by design and are not counted.
"""
from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from examengine.core.papers.assemble import PaperPlan, draw_paper, plan_paper
from examengine.core.papers.exposure import OVEREXPOSED
from examengine.core.papers.rules import Candidate, Paper, PaperSpec

ROUNDING_SLACK = 1e-6  # weights come from a linear program: 50.0000001 % is 50 %


@dataclass(frozen=True)
class QuestionExposure:
    version_id: int
    question_key: str
    difficulty: int  # the level papers are balanced on
    rate: float  # share of papers, 0..1
    exact: bool  # from the plan's weights; False: counted over the sample papers


@dataclass(frozen=True)
class Exposure:
    """Per question that a draw rule can pick, the share of papers it appears on (most exposed first)."""

    questions: tuple[QuestionExposure, ...] = ()
    complete: bool = True  # False: some rules' alternatives were capped (the nearest ones were used)
    fixed: int = 0  # fixed questions, on every paper, not counted
    tolerance: int = 0
    target: int = 0  # the total difficulty papers aim at
    limit: float = OVEREXPOSED
    overexposed: tuple[QuestionExposure, ...] = field(default=())

    @property
    def min(self) -> float:
        return min((q.rate for q in self.questions), default=0.0)

    @property
    def max(self) -> float:
        return max((q.rate for q in self.questions), default=0.0)

    @property
    def never(self) -> int:
        """Questions a rule could pick that no paper carries."""
        return sum(1 for q in self.questions if q.rate <= ROUNDING_SLACK)

    @property
    def exact(self) -> bool:
        return all(q.exact for q in self.questions)


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
    exposure: Exposure = field(default_factory=Exposure)


def paper_difficulty_spread(
    spec: PaperSpec, pool: Sequence[Candidate], samples: int = 200, first_seed: int = 0
) -> Spread:
    """Raises InfeasibleRules like assemble_paper; ValueError if samples < 1."""
    return plan_spread(plan_paper(spec, pool), samples, first_seed)


def plan_spread(plan: PaperPlan, samples: int = 200, first_seed: int = 0) -> Spread:
    """The spread of papers drawn from `plan` (the seed-independent work is done once for all)."""
    if samples < 1:
        raise ValueError("samples must be at least 1")
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
        exposure=paper_exposure(plan, papers),
    )


def paper_exposure(plan: PaperPlan, papers: Sequence[Paper]) -> Exposure:
    """Exposure of every question a draw rule can pick; `papers` (drawn from `plan`) count where the
    plan's weights are not exact."""
    seen = Counter(slot.version_id for paper in papers for slot in paper.slots)
    prepared = plan.prepared
    group_of = {k: mix for mix in plan.mixes for k in mix.rules}
    rows = []
    for i, mask in prepared.masks.items():
        c = prepared.candidates[i]
        mix = group_of[(mask & -mask).bit_length() - 1]
        if mix.exact:
            rate = next(r for d, m, r in mix.exposure if d == c.balanced_difficulty and m == mask)
        else:
            rate = seen[c.version_id] / len(papers) if papers else 0.0
        rows.append(QuestionExposure(c.version_id, c.question_key, c.balanced_difficulty,
                                     min(1.0, max(0.0, rate)), mix.exact))
    rows.sort(key=lambda q: (-q.rate, q.question_key))
    over = tuple(q for q in rows if q.rate > OVEREXPOSED + ROUNDING_SLACK)
    return Exposure(tuple(rows), all(mix.complete for mix in plan.mixes),
                    sum(len(picks) for picks in prepared.fixed.values()), plan.spec.difficulty_tolerance,
                    plan.target_difficulty, OVEREXPOSED, over)
