"""An attempt's total from its slots' grades: pure, no Flask or database.

The total stays open (None) while any slot waits for a reviewer; percent and pass/fail follow from it.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class SlotGrade:
    points: float  # what the slot is worth
    score: float | None  # None while it needs grading
    needs_grading: bool = False


def max_score(grades: Iterable[SlotGrade]) -> float:
    return round(math.fsum(g.points for g in grades), 2)


def attempt_total(grades: Iterable[SlotGrade]) -> float | None:
    """Sum of the slot scores, or None while any slot needs grading (or has no score)."""
    grades = list(grades)
    if any(g.needs_grading or g.score is None for g in grades):
        return None
    return round(math.fsum(g.score for g in grades), 2)


def percent(score: float | None, maximum: float | None) -> float | None:
    """Score as a percentage of the maximum, rounded to 2 places; None when unknown or maximum is 0."""
    if score is None or not maximum:
        return None
    return round(100.0 * score / maximum, 2)


def passed(score_percent: float | None, pass_percent: float | None) -> bool | None:
    """Pass when the percentage reaches the pass mark; None while the score is open."""
    if score_percent is None or pass_percent is None:
        return None
    return score_percent + 1e-9 >= float(pass_percent)
