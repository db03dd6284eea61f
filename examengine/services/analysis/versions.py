"""Pooled statistics of each question version over every exam that used it: for the question browser,
the question page and `banks check --stats`.

What is counted: every graded answer of a finalized attempt of any exam (all attempts of each examinee;
an answer still waiting for a reviewer is left out, as is its mark from the rest of its attempt).
`n` is the number of those answers.

- facility: Σ marks / Σ maximum marks over all of them (as in the exam analysis);
- SD: the sample SD of mark / maximum over all of them;
- discrimination index and discriminative efficiency: computed within each exam (the item against the
  rest of the attempt's own paper, exactly as the exam analysis does), then pooled as the mean weighted
  by each exam's n. Pooling the (item, rest) pairs of different exams instead would mix rests of
  different tests (a long exam's rest is larger for everyone): the differences between exams would
  then pass for differences between examinees. Exams where the figure is undefined (one answer, or no
  spread) are left out of its mean;
- flags: the exam analysis's thresholds (`core.statistics.slot_flags`); below 30 answers only the
  small-sample warning.

The whole database is read in one statement and reduced with numpy (grouped sums, no per-question
query), then cached per process until the score-change stamp of all exams changes (a mark, a regrade,
an appeal or a new submission anywhere).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import Float, case, cast, select

from ...core import statistics as st
from ...models import Attempt, AttemptSlot
from .exams import raw_rows, score_stamp

NO_SPREAD = 1e-12  # a variance below this (in points²) is no spread: rounding, not examinees


@dataclass(frozen=True)
class VersionStatistics:
    version_id: int
    n: int  # graded answers counted
    exams: int  # exams with at least one of them
    facility: float | None
    sd: float | None
    discrimination_index: float | None
    discriminative_efficiency: float | None
    flags: list[str] = field(default_factory=list)

    @property
    def small_sample(self) -> bool:
        return "small_sample" in self.flags

    @property
    def flagged(self) -> bool:
        """Flagged as a fact: some threshold crossed, with enough answers to trust it."""
        return any(flag not in ("small_sample", "no_data") for flag in self.flags)


_cache: dict[str, tuple] = {}
_cache_lock = threading.Lock()


def version_statistics(version_ids) -> dict[int, VersionStatistics]:
    """The pooled figures of those of `version_ids` that have a graded answer (a version never answered
    is absent)."""
    every = _all_statistics()
    return {version_id: every[version_id] for version_id in version_ids if version_id in every}


def flagged_version_ids() -> set[int]:
    """Every version flagged with enough answers to trust the flag."""
    return {version_id for version_id, stats in _all_statistics().items() if stats.flagged}


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def _all_statistics() -> dict[int, VersionStatistics]:
    stamp = score_stamp()
    with _cache_lock:
        cached = _cache.get("all")
    if cached is not None and cached[0] == stamp:
        return cached[1]
    computed = _compute(_graded_answers())
    with _cache_lock:
        _cache["all"] = (stamp, computed)
    return computed


def _graded_answers() -> np.ndarray:
    """(attempt, exam, version, points, score) of every graded answer of a finalized attempt: one statement."""
    rows = raw_rows(
        select(AttemptSlot.attempt_id, Attempt.exam_id, AttemptSlot.question_version_id,
               cast(AttemptSlot.points, Float), cast(AttemptSlot.score, Float),
               case((AttemptSlot.needs_grading.is_(True), 1), else_=0))
        .join(Attempt, Attempt.id == AttemptSlot.attempt_id)
        .where(Attempt.state != "in_progress"))
    data = np.array(rows, dtype=float).reshape(-1, 6)  # NULL scores: NaN
    graded = (data[:, 5] == 0) & ~np.isnan(data[:, 4])
    return data[graded, :5]


def _group_mean(groups: np.ndarray, values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    return np.bincount(groups, weights=values, minlength=len(counts)) / counts


def _compute(data: np.ndarray) -> dict[int, VersionStatistics]:
    if not len(data):
        return {}
    attempt = data[:, 0].astype(np.int64)
    exam = data[:, 1].astype(np.int64)
    version = data[:, 2].astype(np.int64)
    maxima = np.nan_to_num(data[:, 3])
    x = data[:, 4]
    _, attempt_index = np.unique(attempt, return_inverse=True)
    rest = np.bincount(attempt_index, weights=x)[attempt_index] - x  # the rest of the attempt's own paper
    versions, version_index = np.unique(version, return_inverse=True)
    n = np.bincount(version_index, minlength=len(versions))
    facility_num = np.bincount(version_index, weights=x, minlength=len(versions))
    facility_den = np.bincount(version_index, weights=maxima, minlength=len(versions))
    share = np.divide(x, maxima, out=np.zeros_like(x), where=maxima > 0)
    share_dev = share - _group_mean(version_index, share, n)[version_index]
    share_var = np.bincount(version_index, weights=share_dev ** 2, minlength=len(versions)) / np.maximum(n - 1, 1)
    discrimination, efficiency, exam_counts = _within_exams(exam, version_index, x, rest, len(versions))
    result = {}
    for i, version_id in enumerate(versions.tolist()):
        facility = float(facility_num[i] / facility_den[i]) if facility_den[i] else None
        figures = st.SlotFigures(int(n[i]), facility, float(np.sqrt(share_var[i])) if n[i] > 1 else None,
                                 discrimination[i], efficiency[i], None, None, None)
        result[version_id] = VersionStatistics(version_id, int(n[i]), int(exam_counts[i]), facility, figures.sd,
                                               discrimination[i], efficiency[i], st.slot_flags(figures))
    return result


def _within_exams(exam: np.ndarray, version_index: np.ndarray, x: np.ndarray, rest: np.ndarray, versions: int):
    """Per version: the discrimination index and efficiency computed within each (exam, version) group,
    pooled weighted by the group's n; and the number of exams. Grouped sums only (numpy bincount)."""
    _, group = np.unique(exam * versions + version_index, return_inverse=True)
    size = np.bincount(group)
    groups = len(size)
    group_version = np.zeros(groups, dtype=np.int64)
    group_version[group] = version_index
    dx = x - _group_mean(group, x, size)[group]
    dr = rest - _group_mean(group, rest, size)[group]
    denominator = np.maximum(size - 1, 1)
    var_x = np.bincount(group, weights=dx * dx, minlength=groups) / denominator
    var_r = np.bincount(group, weights=dr * dr, minlength=groups) / denominator
    cov = np.bincount(group, weights=dx * dr, minlength=groups) / denominator
    # The largest covariance these marks allow: both lists sorted ascending within the group.
    by_x, by_rest = np.lexsort((x, group)), np.lexsort((rest, group))
    sorted_group = group[by_x]
    cov_max = np.bincount(sorted_group, weights=dx[by_x] * dr[by_rest], minlength=groups) / denominator
    # dx/dr are deviations from the group means, and sorting within a group keeps its members, so the
    # sorted products pair the same group's deviations.
    spread = (size > 1) & (var_x > NO_SPREAD) & (var_r > NO_SPREAD)
    index = np.divide(cov, np.sqrt(var_x * var_r), out=np.zeros(groups), where=spread)
    has_efficiency = (size > 1) & (cov_max > NO_SPREAD)
    ratio = np.divide(cov, cov_max, out=np.zeros(groups), where=has_efficiency)
    return (_weighted(group_version, size, index, spread, versions),
            _weighted(group_version, size, ratio, has_efficiency, versions),
            np.bincount(group_version, minlength=versions))


def _weighted(group_version, size, values, defined, versions: int) -> list[float | None]:
    weight = np.where(defined, size, 0).astype(float)
    total = np.bincount(group_version, weights=weight, minlength=versions)
    summed = np.bincount(group_version, weights=weight * values, minlength=versions)
    return [float(s / t) if t else None for s, t in zip(summed, total)]
