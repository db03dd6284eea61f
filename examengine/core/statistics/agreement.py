"""Agreement between two markings of the same answers (double marking): exact and within-tolerance
agreement, mean absolute difference, quadratic-weighted Cohen's kappa and ICC(2,1) with its 95 % interval.

Kappa follows scikit-learn's `cohen_kappa_score(weights="quadratic")` and ICC(2,1) (two-way random,
absolute agreement, single rater; McGraw & Wong 1996) pingouin's `intraclass_corr` type ICC2: the tests
compare both against those libraries.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.stats import f as f_distribution

CONFIDENCE = 0.95


@dataclass(frozen=True)
class AgreementFigures:
    pairs: int
    exact: float | None  # share of pairs with equal marks
    within_tolerance: float | None  # share differing by at most the tolerance
    mean_absolute_difference: float | None
    kappa: float | None  # quadratic-weighted Cohen's kappa
    icc: float | None  # ICC(2,1)
    icc_low: float | None
    icc_high: float | None


def _finite(value) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


def quadratic_weighted_kappa(first, second, step: float = 0.5) -> float | None:
    """Cohen's kappa with quadratic weights over the marks rounded to `step` (the categories are the
    distinct rounded marks, in order). None when undefined (one category only, or no pairs)."""
    a = np.round(np.asarray(first, dtype=float) / step).astype(int)
    b = np.round(np.asarray(second, dtype=float) / step).astype(int)
    if len(a) == 0:
        return None
    labels = np.unique(np.concatenate([a, b]))
    k = len(labels)
    if k < 2:
        return None
    index = {label: i for i, label in enumerate(labels)}
    observed = np.zeros((k, k))
    for x, y in zip(a, b):
        observed[index[x], index[y]] += 1
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / observed.sum()
    grid = np.arange(k)
    weights = (grid[:, None] - grid[None, :]) ** 2
    denominator = float((weights * expected).sum())
    return _finite(1 - float((weights * observed).sum()) / denominator) if denominator else None


def icc_2_1(ratings) -> tuple[float | None, float | None, float | None]:
    """ICC(2,1) and its 95 % confidence interval for an n × k matrix (answers × markings)."""
    x = np.asarray(ratings, dtype=float)
    n, k = x.shape
    if n < 2 or k < 2:
        return None, None, None
    grand = x.mean()
    ms_rows = k * ((x.mean(axis=1) - grand) ** 2).sum() / (n - 1)
    ms_cols = n * ((x.mean(axis=0) - grand) ** 2).sum() / (k - 1)
    residual = x - x.mean(axis=1, keepdims=True) - x.mean(axis=0, keepdims=True) + grand
    ms_error = (residual ** 2).sum() / ((n - 1) * (k - 1))
    denominator = ms_rows + (k - 1) * ms_error + k * (ms_cols - ms_error) / n
    if denominator == 0 or ms_error == 0:
        return None, None, None
    icc = (ms_rows - ms_error) / denominator
    alpha = 1 - CONFIDENCE
    fj = ms_cols / ms_error
    vn = (n - 1) * (k - 1) * (k * icc * fj + n * (1 + (k - 1) * icc) - k * icc) ** 2
    vd = (n - 1) * k ** 2 * icc ** 2 * fj ** 2 + (n * (1 + (k - 1) * icc) - k * icc) ** 2
    v = vn / vd
    f_upper = f_distribution.ppf(1 - alpha / 2, n - 1, v)
    f_lower = f_distribution.ppf(1 - alpha / 2, v, n - 1)
    spread = k * ms_cols + (k * n - k - n) * ms_error
    low = n * (ms_rows - f_upper * ms_error) / (f_upper * spread + n * ms_rows)
    high = n * (f_lower * ms_rows - ms_error) / (spread + n * f_lower * ms_rows)
    return _finite(icc), _finite(low), _finite(high)


def marker_agreement(first, second, *, tolerance: float, step: float = 0.5) -> AgreementFigures:
    """All the agreement figures of paired marks (first[i] and second[i] mark the same answer)."""
    a = np.asarray(first, dtype=float)
    b = np.asarray(second, dtype=float)
    pairs = len(a)
    if pairs == 0:
        return AgreementFigures(0, None, None, None, None, None, None, None)
    difference = np.abs(a - b)
    icc, low, high = icc_2_1(np.column_stack([a, b]))
    return AgreementFigures(
        pairs=pairs,
        exact=float((difference < 1e-9).mean()),
        within_tolerance=float((difference <= tolerance + 1e-9).mean()),
        mean_absolute_difference=float(difference.mean()),
        kappa=quadratic_weighted_kappa(a, b, step),
        icc=icc, icc_low=low, icc_high=high,
    )
