"""An attempt's result by competency dimension: pure, no Flask or database.

Per dimension, the points earned and the points available; the total is either

- the plain sum of points (an exam without weights), out of the paper's maximum, or
- the weighted total (an exam with `dimension_weights`, percent per dimension summing to 100):
  Σ weight × (earned / available) over the dimensions, on a scale of 100.

Decisions:
- A dimension with no weight counts 0. The scoring settings refuse weights that leave out a dimension
  the exam can draw (every dimension gets a number, 0 included), so this only happens when the
  admin deliberately gives 0.
- A weighted dimension that an attempt's paper does not contain (draw rules need not fix the
  dimension) is left out of that attempt and the remaining weights are scaled back to 100. When no
  weighted dimension is on the paper at all, the plain percentage stands.
- The total, percentage, band and pass/fail stay open (None) while any question waits for a
  reviewer; a dimension's share is open while any of its questions waits.
- Bands: [(label, min_percent)] from the highest threshold down; the lowest starts at 0, so every
  percentage falls in one band. A percentage belongs to the first band whose threshold it reaches.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

EPSILON = 1e-9
MAX_BANDS = 10
BAND_LABEL_MAX = 40


@dataclass(frozen=True)
class Band:
    label: str
    min_percent: float


# The defaults; the web layer translates these labels (优秀, 良好, 合格, 不合格).
DEFAULT_BANDS: tuple[Band, ...] = (
    Band("Excellent", 90.0), Band("Good", 80.0), Band("Pass", 60.0), Band("Fail", 0.0),
)


@dataclass(frozen=True)
class SlotScore:
    """One question of an attempt, as far as results care."""

    dimension: str
    points: float
    score: float | None  # None while it waits for a reviewer
    needs_grading: bool = False


@dataclass(slots=True)
class DimensionScore:
    dimension: str  # "" for questions without a dimension
    earned: float  # points earned on the graded questions
    maximum: float  # points available on the paper in this dimension
    pending: int = 0  # questions still waiting for a reviewer

    @property
    def share(self) -> float | None:
        """earned / maximum in 0..1; None while pending or when the dimension is worth nothing."""
        if self.pending or self.maximum <= 0:
            return None
        return self.earned / self.maximum

    @property
    def percent(self) -> float | None:
        share = self.share
        return None if share is None else round(100.0 * share, 2)


@dataclass(slots=True)
class Result:
    dimensions: tuple[DimensionScore, ...]
    score: float | None  # points (plain sum) or points out of 100 (weighted); None while pending
    max_score: float  # the paper's maximum, or 100 when weighted
    percent: float | None
    band: int | None  # index into the bands
    passed: bool | None
    weighted: bool
    pending: int  # questions waiting for a reviewer


def breakdown(slots: Iterable[SlotScore]) -> tuple[DimensionScore, ...]:
    """Group the slots by dimension (sorted by name)."""
    sums: dict[str, list] = {}
    for slot in slots:
        entry = sums.setdefault(slot.dimension or "", [0.0, 0.0, 0])
        entry[1] += float(slot.points)
        if slot.needs_grading or slot.score is None:
            entry[2] += 1
        else:
            entry[0] += float(slot.score)
    return tuple(DimensionScore(name, round(earned, 4), round(maximum, 4), pending)
                 for name, (earned, maximum, pending) in sorted(sums.items()))


def weighted_percent(dimensions: Sequence[DimensionScore], weights: Mapping[str, float]) -> float | None:
    """Σ weight × share over the attempt's weighted dimensions, scaled to the weights present; None
    while any weighted dimension is pending or when no weighted dimension is on the paper."""
    present = [(float(weights.get(d.dimension) or 0), d) for d in dimensions if d.maximum > 0]
    total_weight = math.fsum(weight for weight, _ in present if weight > 0)
    if total_weight <= 0:
        return None
    if any(weight > 0 and d.share is None for weight, d in present):
        return None
    return round(100.0 * math.fsum(weight * d.share for weight, d in present if weight > 0) / total_weight, 2)


def band_index(percent: float | None, bands: Sequence[Band]) -> int | None:
    if percent is None:
        return None
    for index, band in enumerate(bands):
        if percent + EPSILON >= band.min_percent:
            return index
    return len(bands) - 1 if bands else None


def compute(slots: Iterable[SlotScore] | None = None, *, dimensions: Sequence[DimensionScore] | None = None,
            weights: Mapping[str, float] | None = None, bands: Sequence[Band] = DEFAULT_BANDS,
            pass_percent: float | None = 60.0) -> Result:
    """The result of one attempt from its slots (or from a ready breakdown)."""
    dims = tuple(dimensions) if dimensions is not None else breakdown(slots or ())
    pending, maximum, earned = 0, 0.0, 0.0
    for d in dims:  # a plain loop: this runs for every row of a 20,000-attempt results page
        pending += d.pending
        maximum += d.maximum
        earned += d.earned
    maximum = round(maximum, 2)
    plain = None if pending else round(earned, 2)
    plain_percent = None if plain is None or maximum <= 0 else round(100.0 * plain / maximum, 2)
    weights = weights or {}
    weighted = bool(weights) and any(float(weights.get(d.dimension) or 0) > 0 and d.maximum > 0 for d in dims)
    if weighted:
        score = None if pending else weighted_percent(dims, weights)
        max_score, percent = 100.0, score
    else:
        score, max_score, percent = plain, maximum, plain_percent
    passed = None if percent is None or pass_percent is None else percent + EPSILON >= float(pass_percent)
    return Result(dimensions=dims, score=score, max_score=max_score, percent=percent,
                  band=band_index(percent, bands), passed=passed, weighted=weighted, pending=pending)


# --- stored settings ---

def bands_of(stored) -> tuple[Band, ...]:
    """exam.grade_bands ([[label, min_percent], ...] or None) as Bands; the defaults when unset/invalid."""
    if not stored:
        return DEFAULT_BANDS
    try:
        bands = tuple(Band(str(label), float(minimum)) for label, minimum in stored)
    except (TypeError, ValueError):
        return DEFAULT_BANDS
    return bands if not band_problems(bands) else DEFAULT_BANDS


def weights_of(stored) -> dict[str, float]:
    """exam.dimension_weights as {dimension: percent}; {} (plain sum) when unset."""
    if not isinstance(stored, Mapping):
        return {}
    try:
        return {str(name): float(value) for name, value in stored.items()}
    except (TypeError, ValueError):
        return {}


def weight_problems(weights: Mapping[str, float | None], dimensions: Iterable[str]) -> list[tuple[str, str]]:
    """Why these weights cannot be saved, as (dimension or "", code) pairs; [] when fine.

    Codes: "range" (not within 0..100), "missing" (some dimensions have a weight and this one none),
    "sum" (they do not add up to 100), "unknown" (a weight for a dimension the exam does not have).
    All weights empty is fine: the plain sum of points.
    """
    dimensions = list(dimensions)
    problems = [(name, "unknown") for name in weights if name not in dimensions]
    given = {name: value for name, value in weights.items() if value is not None}
    if not given:
        return problems
    for name in dimensions:
        value = given.get(name)
        if value is None:
            problems.append((name, "missing"))
        elif not (isinstance(value, int | float) and math.isfinite(value) and 0 <= value <= 100):
            problems.append((name, "range"))
    if not problems and abs(math.fsum(given.values()) - 100.0) > 1e-6:
        problems.append(("", "sum"))
    return problems


def band_problems(bands: Sequence[Band]) -> list[tuple[int, str]]:
    """Why these bands cannot be saved, as (row index or -1, code) pairs; [] when fine.

    Codes: "none" (no band), "too_many", "label" (empty or too long), "range" (threshold not within
    0..100), "order" (thresholds not strictly descending), "floor" (the lowest does not start at 0),
    "duplicate" (two bands with one label).
    """
    if not bands:
        return [(-1, "none")]
    problems: list[tuple[int, str]] = []
    if len(bands) > MAX_BANDS:
        problems.append((-1, "too_many"))
    seen: set[str] = set()
    for index, band in enumerate(bands):
        label = band.label.strip()
        if not label or len(label) > BAND_LABEL_MAX:
            problems.append((index, "label"))
        elif label in seen:
            problems.append((index, "duplicate"))
        seen.add(label)
        value = band.min_percent
        if not (isinstance(value, int | float) and math.isfinite(value) and 0 <= value <= 100):
            problems.append((index, "range"))
        elif index and not value < bands[index - 1].min_percent:
            problems.append((index, "order"))
    last = bands[-1].min_percent
    if not any(code == "range" for _, code in problems) and last != 0:
        problems.append((len(bands) - 1, "floor"))
    return problems


def histogram(percents: Iterable[float | None], buckets: int = 10) -> list[int]:
    """How many percentages fall in each of `buckets` equal ranges of 0..100 (100 in the last)."""
    counts = [0] * buckets
    for value in percents:
        if value is None:
            continue
        index = min(buckets - 1, max(0, int(float(value) * buckets // 100)))
        counts[index] += 1
    return counts


def mean(values: Iterable[float | None]) -> float | None:
    values = [float(v) for v in values if v is not None]
    return round(math.fsum(values) / len(values), 2) if values else None
