"""Empirical difficulty: a question version's measured facility as a difficulty level, and the pool
balanced on measured levels where there are enough responses.

The author's scale runs 1 (easiest) to 5 (hardest); facility is the share of the points examinees
scored (Σscore / Σmax, 0..1), so a high facility is an easy question. The cut points:

    facility ≥ 0.85 → 1,  ≥ 0.70 → 2,  ≥ 0.50 → 3,  ≥ 0.30 → 4,  below 0.30 → 5

"Measured where available": a version with at least `min_responses` graded responses is balanced on
its measured level; any other keeps the author's label.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from examengine.core.papers.rules import Candidate

# (lowest facility, level), easiest first; anything below the last cut is level 5.
FACILITY_CUTS = ((0.85, 1), (0.70, 2), (0.50, 3), (0.30, 4))
HARDEST = 5


@dataclass(frozen=True)
class Facility:
    """The graded responses to one question version, over every exam."""

    n: int  # graded responses
    score: float  # Σ score
    max_score: float  # Σ the slots' points

    @property
    def facility(self) -> float | None:
        return self.score / self.max_score if self.max_score > 0 else None


def level_of_facility(facility: float) -> int:
    """1 (easiest) .. 5 (hardest); `facility` is a share 0..1."""
    for lowest, level in FACILITY_CUTS:
        if facility >= lowest:
            return level
    return HARDEST


def measured_level(figures: Facility | None, min_responses: int) -> int | None:
    """The measured level, or None while there are fewer than `min_responses` graded responses."""
    if figures is None or figures.n < min_responses or figures.facility is None:
        return None
    return level_of_facility(figures.facility)


def measured_levels(facilities: Mapping[int, Facility], min_responses: int) -> dict[int, int]:
    """version id -> measured level, for the versions with enough responses only."""
    levels = {}
    for version_id, figures in facilities.items():
        level = measured_level(figures, min_responses)
        if level is not None:
            levels[version_id] = level
    return levels


def balanced_on(pool: Sequence[Candidate], levels: Mapping[int, int]) -> list[Candidate]:
    """The pool with each candidate in `levels` balanced on that level; the others keep their label."""
    return [replace(c, balance_difficulty=levels[c.version_id]) if c.version_id in levels else c for c in pool]
