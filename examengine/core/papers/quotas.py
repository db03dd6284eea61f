"""Difficulty quotas: how many questions of each difficulty every paper draws for each rule.

The quotas are computed from the spec and the pool only, never from the seed, so every paper of
an exam has the same difficulty profile per rule and therefore the same total difficulty. Each
rule's quota follows its own pool's difficulty distribution (largest-remainder proportional
allocation), so a paper is as hard as a uniform draw is on average, without the variance. When
overlapping rules cannot all get their proportional quotas, the quotas move to neighbouring
levels at the least total cost in difficulty steps (a min-cost flow), which keeps them feasible,
deterministic and as close as the pool allows.
"""
from __future__ import annotations

from collections import deque
from itertools import pairwise

from examengine.core.papers.matching import Matching

Strata = dict[int, dict[int, int]]  # difficulty -> rule mask -> number of candidates


def difficulty_quotas(counts: list[int], strata: Strata) -> list[dict[int, int]]:
    """Per draw rule k (bit k of the masks): difficulty -> number of questions on every paper.
    Assumes the rules are jointly feasible (see feasibility.py)."""
    wanted = [proportional(count, _rule_sizes(k, strata)) for k, count in enumerate(counts)]
    if _servable(wanted, strata):
        return wanted
    return _nearest_servable(wanted, strata)


def proportional(count: int, sizes: dict[int, int]) -> dict[int, int]:
    """Largest-remainder (Hamilton) split of `count` over levels in proportion to `sizes`.

    Integer arithmetic keeps ties exact; they go to the level nearest the pool's mean difficulty,
    which keeps the rule's difficulty closest to what a uniform draw would give on average."""
    sizes = {d: n for d, n in sizes.items() if n > 0}
    total = sum(sizes.values())
    count = min(count, total)
    if count <= 0:
        return {}
    quota = {d: count * n // total for d, n in sizes.items()}
    weighted = sum(d * n for d, n in sizes.items())
    order = sorted(sizes, key=lambda d: (-(count * sizes[d] % total), abs(d * total - weighted), d))
    for d in order[: count - sum(quota.values())]:
        quota[d] += 1
    return {d: n for d, n in sorted(quota.items()) if n}


def _rule_sizes(k: int, strata: Strata) -> dict[int, int]:
    return {d: sum(n for mask, n in by_mask.items() if mask >> k & 1) for d, by_mask in strata.items()}


def _classes(strata: Strata) -> list[tuple[int, int, int]]:
    return [(d, mask, n) for d in sorted(strata) for mask, n in sorted(strata[d].items())]


def _servable(wanted: list[dict[int, int]], strata: Strata) -> bool:
    classes = _classes(strata)
    demands, links = [], []
    for k, quota in enumerate(wanted):
        for d, units in quota.items():
            demands.append(units)
            links.append([c for c, (level, mask, _) in enumerate(classes) if level == d and mask >> k & 1])
    return Matching(demands, [n for _, _, n in classes], links).fill() == 0


def _nearest_servable(wanted: list[dict[int, int]], strata: Strata) -> list[dict[int, int]]:
    """Feasible quotas with the fewest difficulty steps away from `wanted`.

    Network: source -> (rule, level) with the wanted units at cost 0; (rule, level) <-> (rule, next
    level) at cost = the difference in difficulty; (rule, level) -> class of that level the rule
    matches; class -> sink with the class size. A minimum-cost maximum flow is the answer."""
    levels = sorted(strata)
    total = sum(sum(q.values()) for q in wanted)
    net = MinCostFlow()
    source, sink = net.node(), net.node()
    stratum = {(k, d): net.node() for k in range(len(wanted)) for d in levels}
    for (k, d), node in stratum.items():
        if wanted[k].get(d):
            net.add(source, node, wanted[k][d], 0)
    for k in range(len(wanted)):
        for low, high in pairwise(levels):
            net.add(stratum[k, low], stratum[k, high], total, high - low)
            net.add(stratum[k, high], stratum[k, low], total, high - low)
    served: dict[tuple[int, int], list[int]] = {key: [] for key in stratum}
    for d, mask, n in _classes(strata):
        node = net.node()
        net.add(node, sink, n, 0)
        for k in range(len(wanted)):
            if mask >> k & 1:
                served[k, d].append(net.add(stratum[k, d], node, total, 0))
    if net.run(source, sink) != total:
        raise AssertionError("difficulty quotas requested for rules that are not jointly feasible")
    quotas: list[dict[int, int]] = [{} for _ in wanted]
    for (k, d), edges in served.items():
        if units := sum(net.flow(e) for e in edges):
            quotas[k][d] = units
    return quotas


class MinCostFlow:
    """Successive cheapest augmenting paths, found with a Bellman-Ford queue (residual costs go
    negative). Only the overlap fallback uses it, on graphs of a few hundred nodes."""

    def __init__(self) -> None:
        self.adjacent: list[list[int]] = []
        self.to: list[int] = []
        self.cap: list[int] = []
        self.cost: list[int] = []

    def node(self) -> int:
        self.adjacent.append([])
        return len(self.adjacent) - 1

    def add(self, u: int, v: int, cap: int, cost: int) -> int:
        """Add an edge u -> v; returns its id (its reverse edge is id ^ 1)."""
        edge = len(self.to)
        self.to += [v, u]
        self.cap += [cap, 0]
        self.cost += [cost, -cost]
        self.adjacent[u].append(edge)
        self.adjacent[v].append(edge + 1)
        return edge

    def flow(self, edge: int) -> int:
        return self.cap[edge ^ 1]

    def run(self, source: int, sink: int) -> int:
        total = 0
        while (path := self._cheapest_path(source, sink)) is not None:
            amount = min(self.cap[e] for e in path)
            for e in path:
                self.cap[e] -= amount
                self.cap[e ^ 1] += amount
            total += amount
        return total

    def _cheapest_path(self, source: int, sink: int) -> list[int] | None:
        unreached = float("inf")
        dist = [unreached] * len(self.adjacent)
        via = [-1] * len(self.adjacent)
        queued = [False] * len(self.adjacent)
        dist[source] = 0
        queue = deque([source])
        while queue:
            u = queue.popleft()
            queued[u] = False
            for e in self.adjacent[u]:
                v = self.to[e]
                if self.cap[e] > 0 and dist[u] + self.cost[e] < dist[v]:
                    dist[v] = dist[u] + self.cost[e]
                    via[v] = e
                    if not queued[v]:
                        queued[v] = True
                        queue.append(v)
        if dist[sink] == unreached:
            return None
        path, v = [], sink
        while v != source:
            path.append(via[v])
            v = self.to[via[v] ^ 1]
        return path
