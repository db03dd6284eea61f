"""Classical item analysis of an exam: test-level figures and per-slot figures (Moodle's quiz statistics).

Input: a matrix of marks, one row per attempt counted, one column per question slot, NaN where a slot
has no mark yet (waiting for a reviewer); and each slot's maximum mark per row (pools may draw versions
with different points at one position). Every figure is a plain float (or None where it is undefined);
fractions are 0..1, points are points. Formulas: ../shared/reference/item-analysis.md.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

GROUP_SHARE = 0.27  # the upper and lower groups: the top and bottom 27 % by total
MIN_TRUSTED_N = 30  # below this the figures move too much to flag a question
FACILITY_LOW, FACILITY_HIGH = 0.10, 0.90
DISCRIMINATION_REVISE = 0.20
EFFICIENCY_DUBIOUS = 0.15
ALPHA_UNSATISFACTORY = 0.64
HISTOGRAM_BUCKETS = 10


@dataclass(frozen=True)
class TestFigures:
    attempts: int
    max_points: float
    mean_points: float | None
    median_points: float | None
    sd_points: float | None
    skewness: float | None
    kurtosis: float | None
    alpha: float | None
    error_ratio: float | None
    sem_points: float | None
    histogram: list[int]
    flags: list[str] = field(default_factory=list)

    def fraction(self, points: float | None) -> float | None:
        return None if points is None or not self.max_points else points / self.max_points


@dataclass(frozen=True)
class SlotFigures:
    n: int
    facility: float | None
    sd: float | None
    discrimination_index: float | None
    discriminative_efficiency: float | None
    effective_weight: float | None
    upper_facility: float | None
    lower_facility: float | None
    flags: list[str] = field(default_factory=list)

    @property
    def upper_lower_difference(self) -> float | None:
        if self.upper_facility is None or self.lower_facility is None:
            return None
        return self.upper_facility - self.lower_facility


def _finite(value: float) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


def sample_skewness(values: np.ndarray) -> float | None:
    """Adjusted Fisher-Pearson skewness (Excel's SKEW, scipy's skew(bias=False)); needs n > 2 and spread."""
    n = len(values)
    sd = values.std(ddof=1) if n > 1 else 0.0
    if n < 3 or sd == 0:
        return None
    z = (values - values.mean()) / sd
    return _finite(n / ((n - 1) * (n - 2)) * float(np.sum(z ** 3)))


def sample_kurtosis(values: np.ndarray) -> float | None:
    """Excess kurtosis, bias-corrected (Excel's KURT, scipy's kurtosis(bias=False)); needs n > 3 and spread."""
    n = len(values)
    sd = values.std(ddof=1) if n > 1 else 0.0
    if n < 4 or sd == 0:
        return None
    z = (values - values.mean()) / sd
    first = n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * float(np.sum(z ** 4))
    return _finite(first - 3 * (n - 1) ** 2 / ((n - 2) * (n - 3)))


def cronbach_alpha(marks: np.ndarray) -> float | None:
    """p/(p-1) · (1 - Σ var(x_i) / var(T)) over complete rows; None for fewer than 3 rows or 2 items."""
    rows, items = marks.shape
    if rows < 3 or items < 2:
        return None
    total_var = marks.sum(axis=1).var(ddof=1)
    if total_var == 0:
        return None
    return _finite(items / (items - 1) * (1 - marks.var(axis=0, ddof=1).sum() / total_var))


def _cov(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.cov(a, b, ddof=1)[0, 1]) if len(a) > 1 else float("nan")


def _corr(a: np.ndarray, b: np.ndarray) -> float | None:
    if len(a) < 2 or a.std() == 0 or b.std() == 0:
        return None
    return _finite(float(np.corrcoef(a, b)[0, 1]))


def group_rows(totals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row indexes of the lower and upper 27 % by total (ties kept in row order: a stable sort)."""
    size = max(1, int(round(GROUP_SHARE * len(totals)))) if len(totals) else 0
    order = np.argsort(totals, kind="stable")
    return order[:size], order[len(order) - size:]


def test_figures(totals: np.ndarray, complete: np.ndarray, max_points: float) -> TestFigures:
    """Test-level figures: `totals` of the attempts counted; `complete` their complete mark rows (for alpha)."""
    n = len(totals)
    alpha = cronbach_alpha(complete) if complete.size else None
    sd = _finite(totals.std(ddof=1)) if n > 1 else None
    error_ratio = math.sqrt(1 - alpha) if alpha is not None and alpha <= 1 else None
    flags = []
    if n < MIN_TRUSTED_N:
        flags.append("small_sample")
    elif alpha is not None and alpha < ALPHA_UNSATISFACTORY:
        flags.append("alpha_unsatisfactory")
    return TestFigures(
        attempts=n, max_points=max_points,
        mean_points=_finite(totals.mean()) if n else None,
        median_points=_finite(float(np.median(totals))) if n else None,
        sd_points=sd, skewness=sample_skewness(totals), kurtosis=sample_kurtosis(totals),
        alpha=alpha, error_ratio=error_ratio,
        sem_points=error_ratio * sd if error_ratio is not None and sd is not None else None,
        histogram=histogram(totals, max_points), flags=flags,
    )


def histogram(totals: np.ndarray, max_points: float, buckets: int = HISTOGRAM_BUCKETS) -> list[int]:
    """Counts of totals in `buckets` equal bands of 0..max (the top band includes the maximum)."""
    counts = [0] * buckets
    if not max_points:
        return counts
    for total in totals:
        counts[min(buckets - 1, max(0, int(total / max_points * buckets)))] += 1
    return counts


def slot_figures(marks: np.ndarray, maxima: np.ndarray, column: int, *, rows: np.ndarray | None = None,
                 groups: tuple[np.ndarray, np.ndarray] | None = None,
                 weight_denominator: float | None = None) -> SlotFigures:
    """Figures of one slot (`column`) over `rows` (default: all), with the rest of the test from the same rows.

    NaN marks (waiting for a reviewer) leave that row out of this slot's figures; the rest of the test of a
    row counts the marks it has. `groups` are the lower/upper rows by total over all counted attempts.
    """
    selected = np.arange(marks.shape[0]) if rows is None else rows
    present = selected[~np.isnan(marks[selected, column])]
    x = marks[present, column]
    m = maxima[present, column]
    totals = np.nansum(marks[present], axis=1)
    rest = totals - x
    n = len(x)
    if n == 0:
        return SlotFigures(0, None, None, None, None, None, None, None, ["no_data"])
    share = np.divide(x, m, out=np.zeros_like(x), where=m > 0)
    facility = _finite(float(x.sum() / m.sum())) if m.sum() else None
    sd = _finite(share.std(ddof=1)) if n > 1 else None
    discrimination = _corr(x, rest)
    covariance = _cov(x, rest)
    cov_max = _cov(np.sort(x), np.sort(rest))
    efficiency = _finite(covariance / cov_max) if n > 1 and cov_max > 0 else None
    weight = None
    if weight_denominator:
        cov_total = _cov(x, totals)
        weight = _finite(math.sqrt(cov_total) / weight_denominator) if cov_total >= 0 else None
    upper = lower = None
    if groups is not None:
        lower_rows, upper_rows = (np.intersect1d(group, present) for group in groups)
        lower = _group_facility(marks, maxima, lower_rows, column)
        upper = _group_facility(marks, maxima, upper_rows, column)
    figures = SlotFigures(n, facility, sd, discrimination, efficiency, weight, upper, lower)
    figures.flags.extend(slot_flags(figures))
    return figures


def _group_facility(marks: np.ndarray, maxima: np.ndarray, rows: np.ndarray, column: int) -> float | None:
    possible = maxima[rows, column].sum()
    return _finite(float(marks[rows, column].sum() / possible)) if len(rows) and possible else None


def weight_denominator(marks: np.ndarray) -> float | None:
    """Σ_j sqrt(cov(x_j, T)) over complete rows; None when any covariance is negative (weights undefined)."""
    if marks.shape[0] < 2:
        return None
    totals = marks.sum(axis=1)
    covariances = [_cov(marks[:, j], totals) for j in range(marks.shape[1])]
    if any(c < 0 or not math.isfinite(c) for c in covariances):
        return None
    denominator = sum(math.sqrt(c) for c in covariances)
    return denominator or None


def slot_flags(figures: SlotFigures) -> list[str]:
    """What to look at, by the usual thresholds; only a warning when the sample is too small to trust."""
    if figures.n < MIN_TRUSTED_N:
        return ["small_sample"]
    flags = []
    if figures.facility is not None and figures.facility < FACILITY_LOW:
        flags.append("too_hard")
    if figures.facility is not None and figures.facility > FACILITY_HIGH:
        flags.append("too_easy")
    if figures.discrimination_index is not None:
        if figures.discrimination_index < 0:
            flags.append("negative_discrimination")
        elif figures.discrimination_index < DISCRIMINATION_REVISE:
            flags.append("low_discrimination")
    if figures.discriminative_efficiency is not None and 0 <= figures.discriminative_efficiency < EFFICIENCY_DUBIOUS:
        flags.append("low_efficiency")
    return flags
