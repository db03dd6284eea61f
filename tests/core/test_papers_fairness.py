"""Difficulty balance: every paper of an exam is equally hard, unlike plain uniform draws."""
from __future__ import annotations

import random
import statistics
from collections import Counter

from examengine.core.papers import (
    Candidate,
    DrawRule,
    FixedRule,
    PaperSpec,
    SectionSpec,
    assemble_paper,
    canonical_pool,
    paper_difficulty_spread,
    plan_paper,
)
from examengine.core.papers.quotas import proportional

SEEDS = range(200)


def cand(vid, *, qtype="single", tags=(), difficulty=3, dimension="knowledge", points=1.0) -> Candidate:
    return Candidate(vid, f"bank/q{vid:05d}", "bank", qtype, frozenset(tags), dimension, difficulty, points)


def spec(*rules, shuffle=True) -> PaperSpec:
    return PaperSpec((SectionSpec("S", tuple(rules)),), shuffle, shuffle)


def varied_pool(size: int = 600, seed: int = 1) -> list[Candidate]:
    rng = random.Random(seed)
    return [cand(vid, qtype=rng.choice(("single", "multiple", "fill", "short")),
                 tags=rng.sample(("network", "os", "database"), rng.randint(0, 2)),
                 dimension=rng.choice(("knowledge", "diagnosis")),
                 difficulty=rng.choices(range(1, 6), weights=(2, 3, 4, 3, 2))[0])
            for vid in range(1, size + 1)]


POOL = varied_pool()
# Overlapping rules on purpose: a network single question can serve the first or the third rule.
SPEC = spec(DrawRule(10, qtype="single"), DrawRule(5, qtype="multiple"), DrawRule(8, tags={"network"}),
            DrawRule(4, dimension="diagnosis", qtype="short"), FixedRule(("bank/q00001",)))


def uniform_total_difficulty(rules: PaperSpec, pool: list[Candidate], seed: int) -> int:
    """The baseline (what Moodle does): each rule draws uniformly among the unused questions it matches."""
    rng = random.Random(seed)
    candidates = canonical_pool(pool)
    by_key = {c.question_key: c for c in candidates}
    fixed = [by_key[k] for s in rules.sections for r in s.rules if isinstance(r, FixedRule) for k in r.question_keys]
    used = {c.question_key for c in fixed}
    total = sum(c.difficulty for c in fixed)
    for rule in (r for s in rules.sections for r in s.rules if isinstance(r, DrawRule)):
        picks = rng.sample([c for c in candidates if rule.matches(c) and c.question_key not in used], rule.count)
        used.update(c.question_key for c in picks)
        total += sum(c.difficulty for c in picks)
    return total


def test_every_paper_is_equally_hard_and_far_fairer_than_uniform_draws():
    ours = [assemble_paper(SPEC, POOL, seed).total_difficulty for seed in SEEDS]
    uniform = [uniform_total_difficulty(SPEC, POOL, seed) for seed in SEEDS]
    print(f"\ntotal difficulty over 200 papers: stratified min {min(ours)} max {max(ours)} "
          f"stdev {statistics.pstdev(ours):.2f}; uniform min {min(uniform)} max {max(uniform)} "
          f"stdev {statistics.pstdev(uniform):.2f}")
    assert statistics.pstdev(ours) == 0
    assert statistics.pstdev(uniform) > 2
    # Same expected difficulty as the uniform draws: balancing does not make papers easier or harder.
    assert abs(statistics.fmean(ours) - statistics.fmean(uniform)) < 2


def test_spread_report_for_the_preview():
    spread = paper_difficulty_spread(SPEC, POOL)
    total = assemble_paper(SPEC, POOL, 0).total_difficulty
    assert (spread.min, spread.max, spread.mean, spread.stdev, spread.samples) == (total, total, total, 0.0, 200)
    assert spread.mean_per_question == total / 28
    assert spread.points_min == spread.points_max == 28.0
    assert paper_difficulty_spread(SPEC, POOL, samples=5, first_seed=100).samples == 5


def test_quotas_follow_each_rules_own_pool_distribution():
    pool = [cand(vid, difficulty=d) for vid, d in enumerate([1] * 10 + [2] * 20 + [3] * 40 + [4] * 20 + [5] * 10)]
    plan = plan_paper(spec(DrawRule(10)), pool)
    assert plan.quotas == [{1: 1, 2: 2, 3: 4, 4: 2, 5: 1}]
    for seed in range(20):
        paper = assemble_paper(spec(DrawRule(10)), pool, seed)
        assert Counter(slot.difficulty for slot in paper.slots) == {1: 1, 2: 2, 3: 4, 4: 2, 5: 1}


def test_largest_remainder_allocation():
    assert proportional(10, {1: 10, 2: 20, 3: 40, 4: 20, 5: 10}) == {1: 1, 2: 2, 3: 4, 4: 2, 5: 1}
    assert proportional(3, {1: 1, 2: 1, 4: 1}) == {1: 1, 2: 1, 4: 1}
    assert proportional(9, {1: 1, 2: 1}) == {1: 1, 2: 1}  # never more than the pool holds
    # Equal remainders: the level nearest the pool's mean difficulty (3) first, then the lower one.
    assert proportional(2, {1: 1, 3: 1, 5: 1}) == {1: 1, 3: 1}
    assert proportional(1, {1: 1, 3: 1, 5: 1}) == {3: 1}
    assert proportional(0, {3: 4}) == {} and proportional(2, {}) == {}
    for count in range(30):  # the pool holds 27
        assert sum(proportional(count, {1: 3, 2: 7, 3: 11, 4: 5, 5: 1}).values()) == min(count, 27)


def test_overlap_moves_a_quota_to_the_nearest_level_that_has_room():
    # A wants one level-1 and one level-2 question; B needs both level-1 questions, which A shares.
    shared = [cand(v, tags={"a", "b"}, difficulty=1) for v in (1, 2)]
    only_a = [cand(v, tags={"a"}, difficulty=d) for v, d in ((3, 2), (4, 2), (5, 5), (6, 5))]
    rules = spec(DrawRule(2, tags={"a"}), DrawRule(2, tags={"b"}))
    assert proportional(2, {1: 2, 2: 2, 5: 2}) == {1: 1, 2: 1}
    plan = plan_paper(rules, shared + only_a)
    assert plan.quotas == [{2: 2}, {1: 2}]  # the base quota: level 2, not level 5
    # Papers do not keep the base: it would put A's two level-2 questions on every paper and its
    # level-5 ones on none. One level-2 and one level-5 question reaches all of them (exposure.py).
    assert [mix.profiles for mix in plan.mixes] == [((((2, 1), (5, 1)), ((1, 2),)),)]
    totals = {assemble_paper(rules, shared + only_a, seed).total_difficulty for seed in SEEDS}
    assert totals == {2 + 5 + 1 + 1}


def test_balance_still_draws_every_question_sometimes():
    # Stratification fixes how many questions per level, not which: over many papers every question
    # of the pool shows up, including those two overlapping rules compete for.
    pool = ([cand(v, tags={"a"}, difficulty=1 + v % 5) for v in range(1, 21)]
            + [cand(v, tags={"a", "b"}, difficulty=1 + v % 5) for v in range(21, 41)]
            + [cand(v, tags={"b"}, difficulty=1 + v % 5) for v in range(41, 51)])
    rules = spec(DrawRule(5, tags={"a"}), DrawRule(5, tags={"b"}))
    seen = Counter(s.version_id for seed in range(400) for s in assemble_paper(rules, pool, seed).slots)
    assert set(seen) == set(range(1, 51))
    assert len({assemble_paper(rules, pool, seed).total_difficulty for seed in range(50)}) == 1
