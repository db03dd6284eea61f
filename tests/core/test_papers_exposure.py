"""Fair papers without over-exposure (issue 9 §2): equally hard papers spread over the pool."""
from __future__ import annotations

import statistics
from collections import Counter

import pytest

from examengine.core.papers import (
    Candidate,
    DrawRule,
    FixedRule,
    PaperSpec,
    SectionSpec,
    balanced_on,
    draw_paper,
    paper_difficulty_spread,
    plan_paper,
)
from examengine.core.papers import exposure as exposure_module


def cand(vid, difficulty, *, tags=(), qtype="single") -> Candidate:
    return Candidate(vid, f"bank/q{vid:05d}", "bank", qtype, frozenset(tags), "knowledge", difficulty, 1.0)


def spec(*rules, tolerance=0) -> PaperSpec:
    return PaperSpec((SectionSpec("S", tuple(rules)),), True, True, tolerance)


# The issue's pool: 10 easy questions and one each of difficulty 2 to 5; papers draw 3.
ISSUE_POOL = [cand(v, 1) for v in range(1, 11)] + [cand(10 + d, d) for d in range(2, 6)]
SAMPLES = 2000


def rates(plan) -> dict[int, float]:
    return {q.version_id: q.rate for q in paper_difficulty_spread(plan.spec, ISSUE_POOL, samples=1).exposure.questions}


def test_the_issue_pool_reaches_every_question_at_equal_difficulty():
    plan = plan_paper(spec(DrawRule(3)), ISSUE_POOL)
    assert plan.quotas == [{1: 2, 2: 1}]  # the base quota alone: the level-2 question on every paper
    # Only {1, 2, 5} and {1, 3, 4} reach all 14 questions at one total (8), so the four hard ones
    # are each on half the papers: 50 % is the lowest maximum a stdev of 0 allows in this pool.
    assert plan.target_difficulty == 8
    exact = rates(plan)
    assert exact == pytest.approx({**{v: 0.1 for v in range(1, 11)}, 12: 0.5, 13: 0.5, 14: 0.5, 15: 0.5})
    papers = [draw_paper(plan, seed) for seed in range(SAMPLES)]
    assert statistics.pstdev(p.total_difficulty for p in papers) == 0
    seen = Counter(slot.version_id for p in papers for slot in p.slots)
    assert set(seen) == {c.version_id for c in ISSUE_POOL}
    for version_id, rate in exact.items():
        assert seen[version_id] / SAMPLES == pytest.approx(rate, abs=0.04)


def test_the_preview_figures_and_no_warning_at_exactly_half():
    spread = paper_difficulty_spread(spec(DrawRule(3)), ISSUE_POOL)
    assert (spread.min, spread.max, spread.stdev) == (8, 8, 0.0)
    exposure = spread.exposure
    assert exposure.exact and exposure.complete
    assert exposure.min == pytest.approx(0.1) and exposure.max == pytest.approx(0.5)
    assert exposure.never == 0 and exposure.overexposed == ()
    assert len(exposure.questions) == 14 and exposure.questions[0].rate == pytest.approx(0.5)


@pytest.mark.parametrize(("tolerance", "highest"), [(0, 1 / 2), (1, 1 / 3), (2, 3 / 14)])
def test_a_tolerance_trades_spread_for_exposure(tolerance, highest):
    plan = plan_paper(spec(DrawRule(3), tolerance=tolerance), ISSUE_POOL)
    papers = [draw_paper(plan, seed) for seed in range(SAMPLES)]
    totals = {p.total_difficulty for p in papers}
    assert all(abs(t - plan.target_difficulty) <= tolerance for t in totals)
    assert (len(totals) > 1) == (tolerance > 0)
    assert max(rates(plan).values()) == pytest.approx(highest, abs=1e-6)
    assert min(rates(plan).values()) > 0
    # 3/14: every question equally often, the best any draw of 3 from 14 can do.


def test_one_hard_question_is_not_forced_onto_every_paper():
    pool = [cand(v, 1) for v in range(1, 101)] + [cand(101, 5)]
    spread = paper_difficulty_spread(spec(DrawRule(10)), pool, samples=50)
    assert spread.stdev == 0 and spread.min == 10  # reaching it would put it on 100 % of papers
    assert spread.exposure.never == 1 and spread.exposure.max == pytest.approx(0.1)


def test_a_rule_that_takes_its_whole_pool_is_reported_overexposed():
    pool = [cand(v, 1 + v % 3) for v in range(1, 4)] + [cand(v, 2, qtype="fill") for v in range(4, 14)]
    exposure = paper_difficulty_spread(spec(DrawRule(3, qtype="single"), DrawRule(2, qtype="fill")),
                                       pool, samples=20).exposure
    assert [q.version_id for q in exposure.overexposed] == [1, 2, 3]
    assert exposure.min == pytest.approx(0.2)


def test_an_evenly_spread_pool_keeps_the_base_quota_on_every_paper():
    pool = [cand(v, d) for v, d in enumerate([1] * 10 + [2] * 20 + [3] * 40 + [4] * 20 + [5] * 10)]
    plan = plan_paper(spec(DrawRule(10)), pool)
    assert [mix.profiles for mix in plan.mixes] == [((((1, 1), (2, 2), (3, 4), (4, 2), (5, 1)),),)]


def test_papers_are_reproducible_from_plan_and_seed():
    first, second = plan_paper(spec(DrawRule(3)), ISSUE_POOL), plan_paper(spec(DrawRule(3)), ISSUE_POOL[::-1])
    for seed in range(50):
        assert draw_paper(first, seed) == draw_paper(first, seed) == draw_paper(second, seed)
    assert len({tuple(s.version_id for s in draw_paper(first, seed).slots) for seed in range(50)}) > 10


def test_fixed_questions_count_in_the_target_but_not_in_exposure():
    rules = spec(FixedRule(("bank/q00001",)), DrawRule(3))
    plan = plan_paper(rules, ISSUE_POOL)
    exposure = paper_difficulty_spread(rules, ISSUE_POOL, samples=10).exposure
    assert exposure.fixed == 1 and 1 not in {q.version_id for q in exposure.questions}
    assert plan.target_difficulty == 1 + 8
    assert {draw_paper(plan, seed).total_difficulty for seed in range(100)} == {9}


def test_rules_sharing_candidates_spread_and_stay_servable():
    # Two rules share the easy questions; each also has its own hard ones.
    pool = ([cand(v, 1, tags={"a", "b"}) for v in range(1, 7)] + [cand(v, 4, tags={"a"}) for v in (7, 8)]
            + [cand(v, 5, tags={"b"}) for v in (9, 10)])
    rules = spec(DrawRule(3, tags={"a"}), DrawRule(2, tags={"b"}))
    plan = plan_paper(rules, pool)
    papers = [draw_paper(plan, seed) for seed in range(400)]
    assert len({p.total_difficulty for p in papers}) == 1
    seen = Counter(slot.version_id for p in papers for slot in p.slots)
    assert set(seen) == set(range(1, 11))
    exposure = paper_difficulty_spread(rules, pool, samples=400).exposure
    assert not exposure.exact and exposure.never == 0


def test_measured_difficulty_still_balances_and_spreads():
    # The author labelled everything 3; measured, the pool is as uneven as the issue's.
    pool = [cand(v, 3) for v in range(1, 15)]
    levels = {v: 1 for v in range(1, 11)} | {11: 2, 12: 3, 13: 4, 14: 5}
    measured = balanced_on(pool, levels)
    plan = plan_paper(spec(DrawRule(3)), measured)
    papers = [draw_paper(plan, seed) for seed in range(SAMPLES)]
    assert {p.total_difficulty for p in papers} == {8}
    assert {slot.version_id for p in papers for slot in p.slots} == set(range(1, 15))


def test_beyond_the_cap_the_nearest_profiles_are_used(monkeypatch):
    monkeypatch.setattr(exposure_module, "MAX_PROFILES", 3)
    plan = plan_paper(spec(DrawRule(3)), ISSUE_POOL)
    exposure = paper_difficulty_spread(plan.spec, ISSUE_POOL, samples=20).exposure
    assert not exposure.complete
    assert {draw_paper(plan, seed).total_difficulty for seed in range(50)} == {plan.target_difficulty}
