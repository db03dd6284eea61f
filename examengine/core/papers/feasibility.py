"""Can a pool fill a paper spec? Per-rule counts, fixed keys, and joint shortfalls of overlapping rules."""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter

from examengine.core.messages import N_, Message, Np_
from examengine.core.papers.matching import Matching
from examengine.core.papers.rules import (
    CRITERIA,
    Candidate,
    DrawRule,
    FixedRule,
    PaperSpec,
    Shortfall,
    iter_rules,
    rule_label,
)


@dataclass
class Prepared:
    """The pool in canonical order, with fixed questions claimed and draw rules evaluated."""

    spec: PaperSpec
    candidates: list[Candidate]
    fixed: dict[tuple[int, int], list[int]]  # (section, rule) -> candidate indices, in the given order
    draws: list[tuple[int, int, DrawRule]]  # every draw rule in paper order; bit k of a mask is draws[k]
    masks: dict[int, int]  # unclaimed candidate index -> the draw rules it matches (never 0)
    shortfalls: list[Shortfall]


def check_feasibility(spec: PaperSpec, pool: Sequence[Candidate]) -> list[Shortfall]:
    """Every reason `spec` cannot be filled from `pool`; empty when every paper can be assembled."""
    return prepare(spec, pool).shortfalls


def prepare(spec: PaperSpec, pool: Sequence[Candidate]) -> Prepared:
    candidates = canonical_pool(pool)
    shortfalls: list[Shortfall] = []
    fixed = _claim_fixed(spec, candidates, shortfalls)
    claimed = sorted({i for picks in fixed.values() for i in picks})
    draws = [(s, r, rule) for s, r, rule in iter_rules(spec) if isinstance(rule, DrawRule)]
    masks = _rule_masks(candidates, set(claimed), [rule for _, _, rule in draws])
    available = _available(len(draws), masks)
    shortfalls += _rule_shortfalls(draws, available, [candidates[i] for i in claimed])
    shortfalls += _joint_shortfalls(draws, available, masks)
    return Prepared(spec, candidates, fixed, draws, masks, shortfalls)


def canonical_pool(pool: Sequence[Candidate]) -> list[Candidate]:
    """One candidate per question (its newest version) and per version id, sorted by key, so that
    nothing downstream depends on the order in which the caller listed the pool."""
    newest: dict[str, Candidate] = {}
    for c in pool:
        held = newest.get(c.question_key)
        if held is None or c.version_id > held.version_id:
            newest[c.question_key] = c
    seen_versions: set[int] = set()
    result = []
    for c in sorted(newest.values(), key=attrgetter("question_key")):
        if c.version_id not in seen_versions:
            seen_versions.add(c.version_id)
            result.append(c)
    return result


def _claim_fixed(spec: PaperSpec, candidates: list[Candidate], shortfalls: list[Shortfall]):
    index = {c.question_key: i for i, c in enumerate(candidates)}
    owner: dict[str, tuple[int, int]] = {}
    fixed: dict[tuple[int, int], list[int]] = {}
    for s, r, rule in iter_rules(spec):
        if not isinstance(rule, FixedRule):
            continue
        picks = fixed[(s, r)] = []
        for key in rule.question_keys:
            if key not in index:
                message = N_("%(rule)s: question %(key)s is not in the pool (retired or unknown)",
                             rule=rule_label(s, r), key=key)
            elif key in owner:
                message = N_("%(rule)s: question %(key)s is already used by %(other)s",
                             rule=rule_label(s, r), key=key, other=rule_label(*owner[key]))
            else:
                owner[key] = (s, r)
                picks.append(index[key])
                continue
            shortfalls.append(Shortfall(s, r, 1, 0, message, ((s, r),)))
    return fixed


class _AcceptingRules(dict):
    """value -> bit mask of the rules whose criterion accepts it, filled on first use."""

    def __init__(self, rules: list[DrawRule], accepts) -> None:
        super().__init__()
        self.rules, self.accepts = rules, accepts

    def __missing__(self, value) -> int:
        mask = self[value] = sum(1 << k for k, rule in enumerate(self.rules) if self.accepts(rule, value))
        return mask


def _rule_masks(candidates: list[Candidate], claimed: set[int], rules: list[DrawRule]) -> dict[int, int]:
    """Unclaimed candidate index -> bit mask of the draw rules it matches, for those matching any."""
    tables = [(attrgetter(name), _AcceptingRules(rules, accepts)) for name, accepts in CRITERIA]
    everything = (1 << len(rules)) - 1
    masks = {}
    for i, c in enumerate(candidates):
        if i in claimed:
            continue
        mask = everything
        for field, table in tables:
            mask &= table[field(c)]
        if mask:
            masks[i] = mask
    return masks


def _available(rule_count: int, masks: dict[int, int]) -> list[int]:
    classes = Counter(masks.values())
    return [sum(n for mask, n in classes.items() if mask >> k & 1) for k in range(rule_count)]


def _questions(n: int) -> Message:
    return Np_("%(num)d question", "%(num)d questions", n)


def _rule_shortfalls(draws, available: list[int], claimed: list[Candidate]) -> list[Shortfall]:
    shortfalls = []
    for (s, r, rule), have in zip(draws, available):
        if rule.count < 0:
            message = N_("%(rule)s: the number of questions cannot be negative (%(count)d)",
                         rule=rule_label(s, r), count=rule.count)
        elif rule.count > have:
            taken = sum(1 for c in claimed if rule.matches(c))
            matching = Np_("%(num)d matches", "%(num)d match", have)
            message = N_("%(rule)s needs %(questions)s, %(matching)s", rule=rule_label(s, r),
                         questions=_questions(rule.count), matching=matching)
            if taken:
                message = Np_("%(shortfall)s (and %(num)d more is a fixed question of this paper)",
                              "%(shortfall)s (and %(num)d more are fixed questions of this paper)",
                              taken, shortfall=message)
        else:
            continue
        shortfalls.append(Shortfall(s, r, rule.count, have, message, ((s, r),)))
    return shortfalls


def _joint_shortfalls(draws, available: list[int], masks: dict[int, int]) -> list[Shortfall]:
    """Rules that can each be filled alone but not together, because their pools overlap.

    Demands are capped at each rule's own pool so that a rule short on its own (reported above)
    does not also show up here; what remains is exactly a violated Hall condition."""
    classes = sorted(Counter(masks.values()).items())
    links = [[c for c, (mask, _) in enumerate(classes) if mask >> k & 1] for k in range(len(draws))]
    demands = [min(max(rule.count, 0), have) for (_, _, rule), have in zip(draws, available)]
    matching = Matching(demands, [n for _, n in classes], links)
    if matching.fill() == 0:
        return []
    blamed = matching.blocked_rules()
    need = sum(max(draws[k][2].count, 0) for k in blamed)
    hold = sum(classes[c][1] for c in {c for k in blamed for c in links[k]})
    names = [N_("section %(section)d rule %(rule)d", section=draws[k][0] + 1, rule=draws[k][1] + 1) for k in blamed]
    together = names[0]
    for name in names[1:-1]:
        together = N_("%(first)s, %(next)s", first=together, next=name)
    if len(names) > 1:
        together = N_("%(first)s and %(last)s", first=together, last=names[-1])
    message = N_("%(rules)s together need %(questions)s but their pools only hold %(hold)d distinct ones",
                 rules=together, questions=_questions(need), hold=hold)
    s, r, _ = draws[blamed[0]]
    return [Shortfall(s, r, need, hold, message, tuple(draws[k][:2] for k in blamed))]
