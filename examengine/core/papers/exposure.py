"""Exposure balance: equally hard papers that do not put the same questions on every paper.

One fixed difficulty quota per rule (quotas.py) makes every paper equally hard, but in an uneven
pool it does so by exposure: with 10 easy questions and one each of levels 2 to 5, drawing 3, the
proportional quota {1: 2, 2: 1} puts the level-2 question on every paper and levels 3 to 5 on none.
So a plan holds several quota *profiles* with the same total difficulty and papers choose among
them with weights that spread the exposure (the share of papers a question appears on).

Rules that share candidates (a class of candidates matching several rules) form a *group*: a
group's profiles are checked for servability together (quotas._servable); groups never share a
candidate, so they choose their profiles independently and any combination stays servable.

Per group:
1. Enumerate profiles nearest the base quotas first (L1 distance in questions moved between
   levels), at most `MAX_PROFILES` (`MAX_JOINT_PROFILES` for rules sharing candidates) and
   `MAX_STEPS` search steps; past the cap the group keeps the profiles found so far (always
   including the base) and says so (`Mix.complete`, shown in the preview). Large pools skip the
   search: when the base reaches every candidate and none more than `EVEN_ENOUGH` times as often
   as the average, the base alone is the mix.
2. Choose the group's target total difficulty T (with the exam's tolerance: a window T ± t) by,
   in this order: no question on more than half the papers (or as little above as the pool
   allows), the most candidates that can appear, the smallest achievable maximum exposure (both
   rounded to 0.1 percentage point), the nearest to the base quotas' total. Coverage before the
   smallest maximum: ten easy questions alone would expose less (30 %) but leave the harder four
   out; the 50 % bound first: one hard question among a hundred easy ones must not be forced onto
   every paper just so that it appears.
3. Weights (scipy's HiGHS linear programs): minimise the maximum exposure; then, keeping it,
   maximise the minimum exposure of the questions that can appear (so every one of them does; if
   that needs it, the maximum may rise by `SLACK`); then, keeping both, prefer profiles near the
   base quotas. When the base quotas already spread exposure evenly, papers keep exactly them.

Exposure figures: a class of candidates (level, rule mask) gets, per paper of a profile, the units
of each of its rules at its level in proportion to its size among that rule's candidates of that
level. For a group of one rule this is exact; where rules share candidates it approximates what
the draw (matching.py) does, and `Mix.exact` is False.

The tolerance of the exam (total-difficulty points a paper may differ from its target) is handed
out one point at a time to the group whose exposure it improves most; papers then differ by at
most the tolerance in total difficulty.
"""
from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from examengine.core.papers.quotas import Strata, _servable

MAX_PROFILES = 1500  # per group of one rule (no servability check needed)
MAX_JOINT_PROFILES = 150  # per group of rules sharing candidates: each profile costs a matching
MAX_STEPS = 60_000  # search nodes per group
EVEN_ENOUGH = 1.5  # base quotas that reach every candidate, none above this x the average, are kept
SLACK = 0.01  # how much the maximum exposure may rise so that every eligible question can appear
OVEREXPOSED = 0.5  # the preview warns about questions on more than this share of papers
ROUNDING = 1e-3  # maximum exposures closer than this count as equal when choosing the target
NEGLIGIBLE = 1e-9

Quota = dict[int, int]  # difficulty -> questions


@dataclass(frozen=True)
class Mix:
    """The profiles one group of rules chooses among, per paper, with their weights."""

    rules: tuple[int, ...]  # draw-rule indices (bit k of the masks)
    profiles: tuple[tuple[tuple[tuple[int, int], ...], ...], ...]  # per profile, per rule: ((level, n), ...)
    weights: tuple[float, ...]  # sum to 1
    target: int  # the group's total difficulty that papers aim at
    tolerance: int  # papers' group total lies within target ± tolerance
    complete: bool  # False: the enumeration stopped at its cap, the alternatives are the nearest found
    exact: bool  # the exposure figures are exact (no candidate serves two rules of the group)
    exposure: tuple[tuple[int, int, float], ...]  # (level, mask, share of papers) per class of candidates

    def choose(self, rng: random.Random) -> tuple[tuple[tuple[int, int], ...], ...]:
        """One profile; consumes one `rng.random()` only when there is a choice."""
        if len(self.profiles) == 1:
            return self.profiles[0]
        cumulative = list(itertools.accumulate(self.weights))
        index = bisect.bisect_right(cumulative, rng.random() * cumulative[-1])
        return self.profiles[min(index, len(self.profiles) - 1)]

    @property
    def max_exposure(self) -> float:
        return max((rate for _, _, rate in self.exposure), default=0.0)


def rule_groups(rule_count: int, strata: Strata) -> list[tuple[int, ...]]:
    """Rules linked by shared candidates, each group ascending, groups by their first rule."""
    parent = list(range(rule_count))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for by_mask in strata.values():
        for mask in by_mask:
            bits = [k for k in range(rule_count) if mask >> k & 1]
            for k in bits[1:]:
                parent[root(k)] = root(bits[0])
    groups: dict[int, list[int]] = {}
    for k in range(rule_count):
        groups.setdefault(root(k), []).append(k)
    return sorted(tuple(g) for g in groups.values())


def exposure_mixes(counts: list[int], strata: Strata, base: list[Quota], tolerance: int) -> list[Mix]:
    """One Mix per rule group; `base` are the single quotas of quotas.difficulty_quotas."""
    groups = [_Group(g, counts, strata, base) for g in rule_groups(len(counts), strata)]
    shares = [0] * len(groups)
    mixes = [group.mix(0) for group in groups]
    for _ in range(max(0, tolerance)):
        best, gain = None, (0, NEGLIGIBLE)
        for i, group in enumerate(groups):
            wider = group.mix(shares[i] + 1)
            improvement = (_covered(wider) - _covered(mixes[i]), mixes[i].max_exposure - wider.max_exposure)
            if improvement[0] > gain[0] or (improvement[0] == gain[0] and improvement[1] > gain[1]):
                best, gain, candidate = i, improvement, wider
        if best is None:
            break
        shares[best] += 1
        mixes[best] = candidate
    return mixes


def _covered(mix: Mix) -> int:
    return sum(1 for _, _, rate in mix.exposure if rate > NEGLIGIBLE)


class _Group:
    """The enumerated profiles of one group of rules, and the mix for a given tolerance."""

    def __init__(self, rules: tuple[int, ...], counts: list[int], strata: Strata, base: list[Quota]) -> None:
        self.rules, self.strata = rules, strata
        self.levels = sorted(strata)
        group_mask = sum(1 << k for k in rules)
        self.classes = [(d, mask, n) for d in self.levels for mask, n in sorted(strata[d].items())
                        if mask & group_mask and n > 0]
        self.sizes = {(k, d): sum(n for level, mask, n in self.classes if level == d and mask >> k & 1)
                      for k in rules for d in self.levels}
        self.base = [base[k] for k in rules]
        self.counts = [counts[k] for k in rules]
        self.base_total = sum(_total(q) for q in self.base)
        self.exact = all(bin(mask).count("1") == 1 for _, mask, _ in self.classes)
        if self._base_is_even_enough():
            self.found, self.complete = [(self.base, 0)], True
        else:
            self.found, self.complete = self._enumerate(len(counts))
        self.rates = np.array([self._rates(profile) for profile, _ in self.found])
        self.distances = np.array([float(distance) for _, distance in self.found])
        self.totals = np.array([sum(_total(q) for q in profile) for profile, _ in self.found])
        self._mixes: dict[int, Mix] = {}

    def mix(self, tolerance: int) -> Mix:
        if tolerance not in self._mixes:
            self._mixes[tolerance] = self._best_mix(tolerance)
        return self._mixes[tolerance]

    # --- enumeration --------------------------------------------------------------------------

    def _base_is_even_enough(self) -> bool:
        """Large pools: the proportional base already reaches every candidate about equally often,
        and searching alternatives would cost time for nothing."""
        rates = self._rates(self.base)
        candidates = sum(n for _, _, n in self.classes)
        if not candidates or min(rates, default=0.0) <= NEGLIGIBLE:
            return False
        return max(rates) <= min(OVEREXPOSED, EVEN_ENOUGH * sum(self.counts) / candidates)

    def _enumerate(self, rule_count: int) -> tuple[list[tuple[list[Quota], int]], bool]:
        """Servable profiles in order of distance from the base; (profiles, complete)."""
        found: list[tuple[list[Quota], int]] = []
        steps = [0]
        cap = MAX_PROFILES if len(self.rules) == 1 else MAX_JOINT_PROFILES
        most = 2 * sum(self.counts)
        for distance in range(0, most + 1, 2):
            for profile in self._at_distance(0, distance, [], steps):
                if steps[0] > MAX_STEPS or len(found) >= cap:
                    return found, False
                if len(self.rules) == 1 or self._servable(profile, rule_count):
                    found.append(([dict(q) for q in profile], distance))
            if steps[0] > MAX_STEPS:
                return found, False
        return found, True

    def _servable(self, profile: list[Quota], rule_count: int) -> bool:
        wanted: list[Quota] = [{} for _ in range(rule_count)]
        for k, quota in zip(self.rules, profile):
            wanted[k] = quota
        return _servable(wanted, self.strata)

    def _at_distance(self, j: int, budget: int, chosen: list[Quota], steps: list[int]) -> Iterator[list[Quota]]:
        """Profiles whose rules j.. use exactly `budget` units of distance from the base."""
        if j == len(self.rules):
            if budget == 0:
                yield chosen
            return
        for quota, used in self._quotas(j, budget, steps):
            chosen.append(quota)
            yield from self._at_distance(j + 1, budget - used, chosen, steps)
            chosen.pop()
            if steps[0] > MAX_STEPS:
                return

    def _quotas(self, j: int, budget: int, steps: list[int]) -> Iterator[tuple[Quota, int]]:
        """Quotas of rule j within `budget` distance of its base, with the distance each uses."""
        k, base = self.rules[j], self.base[j]
        levels = [d for d in self.levels if self.sizes[k, d] > 0]
        caps = [self.sizes[k, d] for d in levels]
        wants = [base.get(d, 0) for d in levels]
        room = list(itertools.accumulate(reversed(caps)))[::-1] + [0]
        rest = list(itertools.accumulate(reversed(wants)))[::-1] + [0]
        picked = [0] * len(levels)

        def place(i: int, left: int, spare: int, used: int) -> Iterator[tuple[Quota, int]]:
            steps[0] += 1
            if i == len(levels):
                if left == 0:
                    yield {d: n for d, n in zip(levels, picked) if n}, used
                return
            if left > room[i] or abs(left - rest[i]) > spare or steps[0] > MAX_STEPS:
                return
            for n in range(min(left, caps[i]) + 1):
                cost = abs(n - wants[i])
                if cost <= spare:
                    picked[i] = n
                    yield from place(i + 1, left - n, spare - cost, used + cost)
            picked[i] = 0

        yield from place(0, self.counts[j], budget, 0)

    # --- exposure and weights -----------------------------------------------------------------

    def _rates(self, profile: list[Quota]) -> list[float]:
        """Per class: the share of this profile's papers that carry one given candidate of it."""
        rates = []
        for d, mask, _ in self.classes:
            rates.append(sum(quota.get(d, 0) / self.sizes[k, d]
                             for k, quota in zip(self.rules, profile) if mask >> k & 1))
        return rates

    def _best_mix(self, tolerance: int) -> Mix:
        if not self.classes:  # rules that draw nothing
            profile = tuple(tuple(sorted(q.items())) for q in self.base)
            return Mix(self.rules, (profile,), (1.0,), self.base_total, tolerance, True, True, ())
        best = None
        for target in self._targets(tolerance):
            inside = np.flatnonzero(np.abs(self.totals - target) <= tolerance)
            if not len(inside):
                continue
            eligible = self.rates[inside].max(axis=0) > NEGLIGIBLE
            covered = int(sum(n for (_, _, n), ok in zip(self.classes, eligible) if ok))
            floor = sum(self.counts) / covered if covered else 0.0  # the average: no maximum is lower
            if best is not None and _target_key(floor, covered, 0, 0)[:3] >= best[0][:3]:
                continue  # targets come nearest first, so this one cannot beat the best
            weights = _weights(self.rates[inside][:, eligible], self.distances[inside], minimax_only=True)
            top = float((weights @ self.rates[inside]).max()) if len(weights) else 0.0
            key = _target_key(top, covered, abs(target - self.base_total), target)
            if best is None or key < best[0]:
                best = (key, target, inside, eligible)
        _, target, inside, eligible = best
        weights = _weights(self.rates[inside][:, eligible], self.distances[inside], minimax_only=False)
        keep = [i for i, w in enumerate(weights) if w > NEGLIGIBLE]
        total = sum(weights[i] for i in keep)
        chosen = [int(inside[i]) for i in keep]
        shares = [float(weights[i] / total) for i in keep]
        rates = np.array(shares) @ self.rates[chosen]
        profiles = tuple(tuple(tuple(sorted(q.items())) for q in self.found[p][0]) for p in chosen)
        exposure = tuple((d, mask, float(rate)) for (d, mask, _), rate in zip(self.classes, rates))
        return Mix(self.rules, profiles, tuple(shares), int(target), tolerance, self.complete, self.exact, exposure)

    def _targets(self, tolerance: int) -> list[int]:
        """Window centres to try, nearest the base total first."""
        if not len(self.totals):
            return []
        low, high = int(self.totals.min()) - tolerance, int(self.totals.max()) + tolerance
        return sorted(range(low, high + 1), key=lambda t: (abs(t - self.base_total), t))


def _target_key(top: float, covered: int, distance: int, target: int) -> tuple:
    """Smaller is better: no question above `OVEREXPOSED` (or as little above as possible), then the
    most candidates that can appear, then the smallest maximum exposure, then nearest the base."""
    return (_rounded(max(0.0, top - OVEREXPOSED)), -covered, _rounded(top), distance, target)


def _total(quota: Quota) -> int:
    return sum(d * n for d, n in quota.items())


def _rounded(value: float) -> float:
    return round(value / ROUNDING) * ROUNDING


def _weights(rates: np.ndarray, distances: np.ndarray, *, minimax_only: bool) -> np.ndarray:
    """Profile weights (see the module doc). rates: profiles x eligible classes."""
    count = rates.shape[0]
    if count == 1 or rates.shape[1] == 0:
        return _nearest(distances)
    top = _solve_minimax(rates)
    if top is None:
        return np.full(count, 1.0 / count)
    if minimax_only:
        return top[1]
    for slack in (NEGLIGIBLE, SLACK):
        ceiling = top[0] + slack
        floor = _solve_maximin(rates, ceiling)
        if floor is not None and floor > NEGLIGIBLE:
            break
    else:
        return top[1]
    return _solve_nearest(rates, distances, ceiling, floor * (1 - 1e-7))


def _nearest(distances: np.ndarray) -> np.ndarray:
    weights = np.zeros(len(distances))
    weights[int(np.argmin(distances))] = 1.0
    return weights


def _lp(cost, upper=None, upper_bounds=None, extra_columns: int = 0):
    """min cost·x over weights (sum 1, >= 0) and `extra_columns` free variables; None if it fails."""
    count = len(cost) - extra_columns
    equality = np.concatenate([np.ones(count), np.zeros(extra_columns)])[None, :]
    bounds = [(0, None)] * count + [(None, None)] * extra_columns
    result = linprog(cost, A_ub=upper, b_ub=upper_bounds, A_eq=equality, b_eq=[1.0], bounds=bounds,
                     method="highs")
    return result.x if result.status == 0 else None


def _solve_minimax(rates: np.ndarray):
    """(smallest maximum exposure, weights) or None."""
    count, classes = rates.shape
    cost = np.concatenate([np.zeros(count), [1.0]])
    upper = np.hstack([rates.T, -np.ones((classes, 1))])
    x = _lp(cost, upper, np.zeros(classes), extra_columns=1)
    return None if x is None else (float(x[-1]), np.clip(x[:-1], 0, None))


def _solve_maximin(rates: np.ndarray, ceiling: float) -> float | None:
    count, classes = rates.shape
    cost = np.concatenate([np.zeros(count), [-1.0]])
    upper = np.vstack([np.hstack([rates.T, np.zeros((classes, 1))]),
                       np.hstack([-rates.T, np.ones((classes, 1))])])
    bounds = np.concatenate([np.full(classes, ceiling), np.zeros(classes)])
    x = _lp(cost, upper, bounds, extra_columns=1)
    return None if x is None else float(x[-1])


def _solve_nearest(rates: np.ndarray, distances: np.ndarray, ceiling: float, floor: float) -> np.ndarray:
    classes = rates.shape[1]
    upper = np.vstack([rates.T, -rates.T])
    bounds = np.concatenate([np.full(classes, ceiling), np.full(classes, -floor)])
    x = _lp(distances, upper, bounds)
    return _nearest(distances) if x is None else np.clip(x, 0, None)
