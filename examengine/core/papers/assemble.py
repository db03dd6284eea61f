"""Assemble one paper: (spec, pool, seed) -> Paper, pure and reproducible.

Planning (canonical pool, fixed claims, feasibility, difficulty quotas, the exposure mixes of
exposure.py) does not use the seed and is shared by all papers of an exam; drawing uses only
`random.Random(seed)`, consumed in a fixed order: one `random()` per rule group that has more than
one profile, in group order (the group's profile: its rules' quotas on this paper), then draws by
difficulty level and rule, then question order per section, then option orders.
"""
from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from examengine.core.papers.exposure import Mix, exposure_mixes
from examengine.core.papers.feasibility import Prepared, prepare
from examengine.core.papers.matching import Matching
from examengine.core.papers.quotas import difficulty_quotas
from examengine.core.papers.rules import (
    Candidate,
    FixedRule,
    InfeasibleRules,
    Paper,
    PaperSpec,
    Slot,
    effective_points,
)


@dataclass
class PaperPlan:
    """Everything about the papers of one spec and pool that does not depend on the seed."""

    prepared: Prepared
    members: dict[int, dict[int, list[int]]]  # difficulty -> rule mask -> candidate indices, pool order
    quotas: list[dict[int, int]]  # per draw rule: the base quota, difficulty -> questions (quotas.py)
    mixes: tuple[Mix, ...] = ()  # per rule group: the profiles papers choose among (exposure.py)

    @property
    def spec(self) -> PaperSpec:
        return self.prepared.spec

    @property
    def target_difficulty(self) -> int:
        """The total difficulty papers aim at; each lies within `spec.difficulty_tolerance` of it."""
        fixed = sum(self.prepared.candidates[i].balanced_difficulty for picks in self.prepared.fixed.values()
                    for i in picks)
        return fixed + sum(mix.target for mix in self.mixes)


def plan_paper(spec: PaperSpec, pool: Sequence[Candidate]) -> PaperPlan:
    """Raises InfeasibleRules when the pool cannot fill the spec."""
    prepared = prepare(spec, pool)
    if prepared.shortfalls:
        raise InfeasibleRules(prepared.shortfalls)
    members: dict[int, dict[int, list[int]]] = {}
    for i, mask in prepared.masks.items():  # in pool order
        members.setdefault(prepared.candidates[i].balanced_difficulty, {}).setdefault(mask, []).append(i)
    strata = {d: {mask: len(ids) for mask, ids in by_mask.items()} for d, by_mask in members.items()}
    counts = [rule.count for _, _, rule in prepared.draws]
    quotas = difficulty_quotas(counts, strata)
    mixes = exposure_mixes(counts, strata, quotas, spec.difficulty_tolerance)
    return PaperPlan(prepared, members, quotas, tuple(mixes))


def assemble_paper(spec: PaperSpec, pool: Sequence[Candidate], seed: int) -> Paper:
    return draw_paper(plan_paper(spec, pool), seed)


def draw_paper(plan: PaperPlan, seed: int) -> Paper:
    rng = random.Random(seed)
    drawn = _draw(plan, rng)
    slots: list[Slot] = []
    for s, items in enumerate(_sections(plan, drawn, rng)):
        for c, points in items:
            order = _option_order(c, plan.spec, rng)
            slots.append(Slot(s, len(slots), c.version_id, points, order, c.balanced_difficulty))
    return Paper(seed, tuple(slots))


def paper_quotas(plan: PaperPlan, rng: random.Random) -> list[dict[int, int]]:
    """This paper's quota per draw rule: each rule group's chosen profile (the base without mixes)."""
    quotas = [dict(quota) for quota in plan.quotas]
    for mix in plan.mixes:
        for k, levels in zip(mix.rules, mix.choose(rng)):
            quotas[k] = dict(levels)
    return quotas


def _draw(plan: PaperPlan, rng: random.Random) -> list[list[int]]:
    """Candidate indices per draw rule. Each difficulty level is an independent b-matching of the
    rules' quotas at that level to the classes of candidates of that level."""
    quotas = paper_quotas(plan, rng)
    drawn: list[list[int]] = [[] for _ in quotas]
    for d in sorted(plan.members):
        rules = [k for k, quota in enumerate(quotas) if quota.get(d)]
        if not rules:
            continue
        masks = sorted(plan.members[d])
        pools = [list(plan.members[d][mask]) for mask in masks]  # copies: drawing removes from them
        links = [[c for c, mask in enumerate(masks) if mask >> k & 1] for k in rules]
        matching = Matching([quotas[k][d] for k in rules], [len(p) for p in pools], links)
        if matching.fill():
            raise AssertionError("difficulty quotas are not servable")
        for j, k in enumerate(rules):
            drawn[k] += [_pick(matching, j, pools, rng) for _ in range(quotas[k][d])]
    return drawn


def _pick(matching: Matching, rule: int, pools: list[list[int]], rng: random.Random) -> int:
    """A uniformly random remaining candidate of the rule, among the classes whose use keeps every
    other quota servable (the matching checks and re-plans). The class the plan already reserves
    for the rule always qualifies, so this never fails on a feasible plan."""
    options = [c for c in matching.links[rule] if pools[c]]
    while True:
        ticket = rng.randrange(sum(len(pools[c]) for c in options))
        for cls in options:
            if ticket < len(pools[cls]):
                break
            ticket -= len(pools[cls])
        if matching.take(rule, cls):
            pool = pools[cls]
            pool[ticket], pool[-1] = pool[-1], pool[ticket]
            return pool.pop()
        options.remove(cls)


def _sections(plan: PaperPlan, drawn: list[list[int]], rng: random.Random):
    """Per section, (candidate, points) in paper order: rule order then pool order (fixed rules: the
    given order), shuffled within the section when the spec says so."""
    prepared = plan.prepared
    draw_of = {(s, r): k for k, (s, r, _) in enumerate(prepared.draws)}
    sections = []
    for s, section in enumerate(plan.spec.sections):
        items = []
        for r, rule in enumerate(section.rules):
            picks = prepared.fixed[s, r] if isinstance(rule, FixedRule) else sorted(drawn[draw_of[s, r]])
            items += [(prepared.candidates[i], effective_points(rule, prepared.candidates[i])) for i in picks]
        if plan.spec.shuffle_questions:
            rng.shuffle(items)
        sections.append(items)
    return sections


def _option_order(c: Candidate, spec: PaperSpec, rng: random.Random) -> tuple[int, ...] | None:
    if c.option_count <= 0:
        return None
    order = list(range(c.option_count))
    if spec.shuffle_options and c.shuffle_options:
        rng.shuffle(order)
    return tuple(order)
