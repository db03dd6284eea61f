"""Serve the demands of rules from classes of interchangeable candidates (a bipartite b-matching).

Candidates that match exactly the same rules (and, where it matters, share a difficulty) are
interchangeable, so the graph has one node per class, not per candidate: a pool of 10,000
questions under 20 rules collapses to the few classes actually present. The plan is a flow
rule -> class; augmenting paths (shortest first, pushing the bottleneck) make it maximal, and
max-flow = min-cut gives both the feasibility answer and, when it fails, the rules to blame.
"""
from __future__ import annotations

from collections import deque


class Matching:
    def __init__(self, demands: list[int], sizes: list[int], links: list[list[int]]) -> None:
        """demands[r]: units rule r needs; sizes[c]: candidates in class c; links[r]: classes r may use."""
        self.demand = [max(0, d) for d in demands]
        self.size = list(sizes)
        self.links = links
        self.users: list[list[int]] = [[] for _ in sizes]  # rules linked to each class
        for rule, classes in enumerate(links):
            for c in classes:
                self.users[c].append(rule)
        self.flow: list[dict[int, int]] = [{} for _ in demands]  # planned units per rule and class
        self.load = [0] * len(sizes)
        self.planned = [0] * len(demands)

    def missing(self) -> int:
        return sum(d - p for d, p in zip(self.demand, self.planned))

    def fill(self) -> int:
        """Make the plan maximal; returns the demand that cannot be served.

        One pass suffices: a rule with no augmenting path never gets one later, because the
        part of the graph it reaches is closed and later paths cannot enter it."""
        for rule in range(len(self.demand)):
            while self.planned[rule] < self.demand[rule] and self._augment(rule):
                pass
        return self.missing()

    def blocked_rules(self) -> list[int]:
        """Rules of a violated Hall condition after `fill()`: together they need more than the
        classes they may use hold (every such class is full, and only with their units)."""
        starts = [r for r in range(len(self.demand)) if self.planned[r] < self.demand[r]]
        return sorted(self._reach(starts)[1])

    def take(self, rule: int, cls: int) -> bool:
        """Commit one candidate of `cls` to `rule` if every remaining demand can still be served.

        Requires a complete plan. A commitment the plan already holds costs nothing; otherwise
        the plan is repaired (the rule frees a unit elsewhere, a displaced rule re-routes) and
        restored untouched when the repair fails."""
        if self.size[cls] <= 0 or self.demand[rule] <= 0:
            return False
        if self.flow[rule].get(cls):
            self._shift(rule, cls, -1)
            self.demand[rule] -= 1
            self.size[cls] -= 1
            return True
        saved = ([dict(f) for f in self.flow], self.load[:], self.planned[:], self.demand[:], self.size[:])
        self.demand[rule] -= 1
        self.size[cls] -= 1
        if self.planned[rule] > self.demand[rule]:
            self._shift(rule, min(self.flow[rule]), -1)
        if self.load[cls] > self.size[cls]:
            holder = next(r for r in self.users[cls] if self.flow[r].get(cls))
            self._shift(holder, cls, -1)
        if self.fill() == 0:
            return True
        self.flow, self.load, self.planned, self.demand, self.size = saved
        return False

    def _shift(self, rule: int, cls: int, amount: int) -> None:
        units = self.flow[rule].get(cls, 0) + amount
        if units:
            self.flow[rule][cls] = units
        else:
            del self.flow[rule][cls]
        self.load[cls] += amount
        self.planned[rule] += amount

    def _reach(self, starts: list[int], stop_at_room: bool = False):
        """Breadth-first search of the residual graph from `starts`.

        Returns (class parents, rule parents, class with room or None). A rule reaches every class
        it links to; a class reaches the rules holding units in it (they could move elsewhere)."""
        class_parent: dict[int, int] = {}
        rule_parent: dict[int, int | None] = {r: None for r in starts}
        queue = deque(starts)
        while queue:
            rule = queue.popleft()
            for c in self.links[rule]:
                if c in class_parent:
                    continue
                class_parent[c] = rule
                if stop_at_room and self.load[c] < self.size[c]:
                    return class_parent, rule_parent, c
                for other in self.users[c]:
                    if other not in rule_parent and self.flow[other].get(c):
                        rule_parent[other] = c
                        queue.append(other)
        return class_parent, rule_parent, None

    def _augment(self, start: int) -> bool:
        class_parent, rule_parent, end = self._reach([start], stop_at_room=True)
        if end is None:
            return False
        steps = []  # (rule, class, +1 takes / -1 gives up)
        cls = end
        while True:
            rule = class_parent[cls]
            steps.append((rule, cls, 1))
            if rule == start:
                break
            cls = rule_parent[rule]
            steps.append((rule, cls, -1))
        amount = min(
            [self.demand[start] - self.planned[start], self.size[end] - self.load[end]]
            + [self.flow[r][c] for r, c, sign in steps if sign < 0]
        )
        for rule, cls, sign in steps:
            self._shift(rule, cls, sign * amount)
        return True
