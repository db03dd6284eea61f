"""Paper generation: reproducibility, rules honoured, shortfalls, fixed rules, order, options, points."""
from __future__ import annotations

import random
import time
from collections import Counter

import pytest

from examengine.core.papers import (
    Candidate,
    DrawRule,
    FixedRule,
    InfeasibleRules,
    PaperSpec,
    SectionSpec,
    assemble_paper,
    check_feasibility,
)

QTYPES = ("single", "multiple", "truefalse", "fill", "short", "analysis")
TAGS = ("network", "os", "database", "middleware", "backup")
DIMENSIONS = ("knowledge", "diagnosis", "operation", "service")


def cand(vid, key=None, *, bank="net", qtype="single", tags=(), dimension="knowledge", difficulty=3,
         points=1.0, options=None, shuffle=True) -> Candidate:
    if options is None:
        options = 4 if qtype in ("single", "multiple") else 0
    return Candidate(vid, key or f"{bank}/q{vid:05d}", bank, qtype, frozenset(tags), dimension, difficulty,
                     points, options, shuffle)


def varied_pool(size: int, seed: int = 7) -> list[Candidate]:
    rng = random.Random(seed)
    pool = []
    for vid in range(1, size + 1):
        qtype = rng.choice(QTYPES)
        pool.append(cand(vid, bank=rng.choice(("net", "os", "ops")), qtype=qtype,
                         tags=rng.sample(TAGS, rng.randint(0, 3)), dimension=rng.choice(DIMENSIONS),
                         difficulty=rng.choices(range(1, 6), weights=(1, 3, 4, 3, 2))[0],
                         points=rng.choice((1.0, 2.0, 5.0)), options=rng.randint(2, 6) if qtype in
                         ("single", "multiple") else 0, shuffle=rng.random() < 0.8))
    return pool


def spec(*sections, shuffle_questions=True, shuffle_options=True) -> PaperSpec:
    return PaperSpec(tuple(SectionSpec(f"S{i + 1}", tuple(rules)) for i, rules in enumerate(sections)),
                     shuffle_questions, shuffle_options)


POOL = varied_pool(400)
FIXED_KEYS = (POOL[9].question_key, POOL[10].question_key)
SPEC = spec(
    [DrawRule(6, qtype="single"), DrawRule(4, qtype="multiple", points=2.0)],
    [DrawRule(5, tags={"network"}), DrawRule(3, dimension="diagnosis", difficulty_min=3),
     FixedRule(FIXED_KEYS)],
)
BY_VERSION = {c.version_id: c for c in POOL}


def versions(paper) -> tuple[int, ...]:
    return tuple(slot.version_id for slot in paper.slots)


# --- reproducibility -------------------------------------------------------------------------

def test_same_seed_rebuilds_the_same_paper():
    assert assemble_paper(SPEC, POOL, 42) == assemble_paper(SPEC, POOL, 42)


def test_the_pool_order_does_not_matter():
    shuffled = POOL[:]
    random.Random(3).shuffle(shuffled)
    for seed in range(10):
        paper = assemble_paper(SPEC, POOL, seed)
        assert assemble_paper(SPEC, shuffled, seed) == paper
        assert assemble_paper(SPEC, POOL[::-1], seed) == paper


def test_different_seeds_give_different_papers():
    papers = {versions(assemble_paper(SPEC, POOL, seed)) for seed in range(30)}
    assert len(papers) == 30
    selections = {frozenset(v) for v in papers}
    assert len(selections) == 30  # different questions, not only a different order


def test_paper_records_seed_sections_and_positions():
    paper = assemble_paper(SPEC, POOL, 5)
    assert paper.seed == 5
    assert [slot.position for slot in paper.slots] == list(range(20))
    assert [slot.section for slot in paper.slots] == [0] * 10 + [1] * 10  # sections stay in order


# --- rules honoured --------------------------------------------------------------------------

def test_every_rule_gets_its_count_of_matching_questions_without_duplicates():
    for seed in range(20):
        paper = assemble_paper(SPEC, POOL, seed)
        chosen = [BY_VERSION[v] for v in versions(paper)]
        assert len({c.version_id for c in chosen}) == len({c.question_key for c in chosen}) == len(chosen)
        first, second = chosen[:10], chosen[10:]
        assert Counter(c.qtype for c in first) == {"single": 6, "multiple": 4}
        assert set(FIXED_KEYS) <= {c.question_key for c in second}
        drawn = [c for c in second if c.question_key not in FIXED_KEYS]
        network = [c for c in drawn if "network" in c.tags]
        assert len(drawn) == 8 and len(network) >= 5
        assert sum(1 for c in drawn if c.dimension == "diagnosis" and c.difficulty >= 3) >= 3


def test_overlapping_rules_never_draw_a_question_twice_and_tight_specs_always_succeed():
    # 5 questions only A matches, 5 both match, 5 only B matches: A=7 and B=8 use all 15.
    pool = ([cand(i, tags={"a"}) for i in range(1, 6)] + [cand(i, tags={"a", "b"}) for i in range(6, 11)]
            + [cand(i, tags={"b"}) for i in range(11, 16)])
    rules = spec([DrawRule(7, tags={"a"})], [DrawRule(8, tags={"b"})])
    assert check_feasibility(rules, pool) == []
    for seed in range(200):
        paper = assemble_paper(rules, pool, seed)
        assert sorted(versions(paper)) == list(range(1, 16))
        assert all(s.version_id <= 10 for s in paper.slots[:7])  # A's questions all carry tag a


def test_question_key_is_unique_even_across_versions_in_the_pool():
    pool = [cand(1, "net/a", difficulty=1), cand(2, "net/a", difficulty=5), cand(3, "net/b"), cand(4, "net/c")]
    assert check_feasibility(spec([DrawRule(3)]), pool) == []
    assert check_feasibility(spec([DrawRule(4)]), pool)[0].message == "section 1, rule 1 needs 4 questions, 3 match"
    for seed in range(20):
        assert 1 not in versions(assemble_paper(spec([DrawRule(3)]), pool, seed))  # the newest version wins


# --- shortfalls ------------------------------------------------------------------------------

def test_simple_shortfall_message():
    pool = [cand(i, qtype="single") for i in range(1, 8)] + [cand(i, qtype="fill") for i in range(8, 20)]
    shortfalls = check_feasibility(spec([DrawRule(2, qtype="fill"), DrawRule(10, qtype="single")]), pool)
    assert [s.message for s in shortfalls] == ["section 1, rule 2 needs 10 questions, 7 match"]
    (only,) = shortfalls
    assert (only.section_index, only.rule_index, only.needed, only.available) == (0, 1, 10, 7)


def test_shortfall_mentions_questions_taken_by_fixed_rules():
    pool = [cand(i) for i in range(1, 4)]
    shortfalls = check_feasibility(spec([FixedRule(("net/q00001",)), DrawRule(3)]), pool)
    assert [s.message for s in shortfalls] == [
        "section 1, rule 2 needs 3 questions, 2 match (and 1 more is a fixed question of this paper)"]


def test_joint_overlap_shortfall_names_only_the_rules_involved():
    pool = ([cand(i, tags={"network"}, qtype="single") for i in range(1, 13)]
            + [cand(i, qtype="fill") for i in range(13, 20)])
    rules = spec([DrawRule(10, tags={"network"}), DrawRule(3, qtype="fill")], [DrawRule(5, qtype="single")])
    (joint,) = check_feasibility(rules, pool)
    assert joint.message == ("section 1 rule 1 and section 2 rule 1 together need 15 questions "
                             "but their pools only hold 12 distinct ones")
    assert joint.rules == ((0, 0), (1, 0)) and (joint.needed, joint.available) == (15, 12)
    with pytest.raises(InfeasibleRules) as error:
        assemble_paper(rules, pool, 1)
    assert error.value.shortfalls == [joint]
    assert "together need 15 questions" in str(error.value)


def test_joint_shortfall_is_exact_through_chains_of_overlaps():
    # A and B share 2 questions; B and C share 2; each rule alone is fine, and every pair is fine,
    # only all three together are short: the per-rule counts cannot see it, the flow does.
    pool = ([cand(i, tags={"a"}) for i in range(1, 3)] + [cand(i, tags={"a", "b"}) for i in range(3, 5)]
            + [cand(i, tags={"b", "c"}) for i in range(5, 7)] + [cand(i, tags={"c"}) for i in range(7, 9)])
    three = [DrawRule(3, tags={"a"}), DrawRule(3, tags={"b"}), DrawRule(3, tags={"c"})]
    assert check_feasibility(spec(three[:2]), pool) == check_feasibility(spec(three[1:]), pool) == []
    assert check_feasibility(spec([three[0], three[2]]), pool) == []
    (joint,) = check_feasibility(spec(three), pool)
    assert joint.message == ("section 1 rule 1, section 1 rule 2 and section 1 rule 3 together need "
                             "9 questions but their pools only hold 8 distinct ones")
    assert joint.rules == ((0, 0), (0, 1), (0, 2))
    one_less = spec([three[0], DrawRule(2, tags={"b"}), three[2]])
    assert check_feasibility(one_less, pool) == []
    for seed in range(50):
        assert sorted(versions(assemble_paper(one_less, pool, seed))) == list(range(1, 9))


def test_negative_count_is_a_shortfall():
    (short,) = check_feasibility(spec([DrawRule(-1)]), [cand(1)])
    assert short.message == "section 1, rule 1: the number of questions cannot be negative (-1)"


# --- fixed rules -----------------------------------------------------------------------------

def test_fixed_questions_keep_their_order_and_are_never_drawn_again():
    pool = [cand(i) for i in range(1, 11)]
    keys = ("net/q00007", "net/q00002", "net/q00009")
    rules = spec([FixedRule(keys, points=3.0), DrawRule(7)], shuffle_questions=False)
    for seed in range(20):
        paper = assemble_paper(rules, pool, seed)
        assert versions(paper)[:3] == (7, 2, 9)
        assert sorted(versions(paper)) == list(range(1, 11))
        assert [s.points for s in paper.slots[:3]] == [3.0] * 3


def test_missing_and_repeated_fixed_keys_are_reported():
    pool = [cand(1, "net/net-001"), cand(2, "net/net-002")]
    shortfalls = check_feasibility(spec([FixedRule(("net/net-001", "net/net-009"))],
                                        [FixedRule(("net/net-001",))]), pool)
    assert [s.message for s in shortfalls] == [
        "section 1, rule 1: question net/net-009 is not in the pool (retired or unknown)",
        "section 2, rule 1: question net/net-001 is already used by section 1, rule 1",
    ]
    assert [(s.section_index, s.rule_index) for s in shortfalls] == [(0, 0), (1, 0)]


# --- order, options, points ------------------------------------------------------------------

def test_without_shuffling_questions_follow_rule_order_then_pool_order():
    pool = [cand(i, qtype="fill" if i % 2 else "single") for i in range(1, 21)]
    rules = spec([DrawRule(4, qtype="single"), FixedRule(("net/q00003",)), DrawRule(3, qtype="fill")],
                 shuffle_questions=False)
    for seed in range(10):
        chosen = versions(assemble_paper(rules, pool, seed))
        assert chosen[4] == 3
        assert list(chosen[:4]) == sorted(chosen[:4]) and list(chosen[5:]) == sorted(chosen[5:])
        assert all(v % 2 == 0 for v in chosen[:4]) and all(v % 2 for v in chosen[5:])


def test_shuffling_questions_changes_the_order_within_sections_only():
    orders = {versions(assemble_paper(SPEC, POOL, seed))[:10] for seed in range(10)}
    assert len(orders) > 1
    for seed in range(10):
        paper = assemble_paper(SPEC, POOL, seed)
        assert {BY_VERSION[s.version_id].qtype for s in paper.slots[:10]} == {"single", "multiple"}


def test_option_order_is_a_permutation_and_respects_the_shuffle_flags():
    pool = [cand(1, options=5), cand(2, options=5, shuffle=False), cand(3, qtype="fill", options=0)]
    rules = spec([DrawRule(3)])
    seen = set()
    for seed in range(30):
        by_version = {s.version_id: s for s in assemble_paper(rules, pool, seed).slots}
        assert sorted(by_version[1].option_order) == [0, 1, 2, 3, 4]
        seen.add(by_version[1].option_order)
        assert by_version[2].option_order == (0, 1, 2, 3, 4)  # the question says `shuffle: false`
        assert by_version[3].option_order is None  # no options
    assert len(seen) > 5
    unshuffled = spec([DrawRule(3)], shuffle_options=False)
    for seed in range(10):
        orders = {s.version_id: s.option_order for s in assemble_paper(unshuffled, pool, seed).slots}
        assert orders == {1: (0, 1, 2, 3, 4), 2: (0, 1, 2, 3, 4), 3: None}


def test_points_come_from_the_rule_or_else_the_question():
    pool = [cand(i, qtype="single", points=1.0) for i in range(1, 6)] + [
        cand(i, qtype="fill", points=float(i)) for i in range(6, 9)]
    paper = assemble_paper(spec([DrawRule(5, qtype="single", points=2.5), DrawRule(3, qtype="fill")]), pool, 0)
    points = {s.version_id: s.points for s in paper.slots}
    assert all(points[v] == 2.5 for v in range(1, 6))
    assert all(points[v] == float(v) for v in range(6, 9))
    assert paper.total_points == 5 * 2.5 + 6 + 7 + 8
    assert paper.total_difficulty == 8 * 3


def test_empty_spec_gives_an_empty_paper():
    paper = assemble_paper(spec(), [], 1)
    assert paper.slots == () and paper.total_points == 0 and paper.total_difficulty == 0


# --- performance -----------------------------------------------------------------------------

def test_assembling_from_ten_thousand_candidates_is_fast():
    pool = varied_pool(10_000, seed=11)
    rules = spec([DrawRule(10, qtype="single"), DrawRule(5, qtype="multiple", points=2.0)],
                 [DrawRule(10, tags={"network"}), DrawRule(5, dimension="diagnosis", difficulty_min=4)],
                 [DrawRule(3, qtype="analysis", banks={"ops"})])
    assemble_paper(rules, pool, 0)  # warm-up
    timings = []
    for seed in range(1, 11):
        start = time.perf_counter()
        paper = assemble_paper(rules, pool, seed)
        timings.append(time.perf_counter() - start)
        assert len(paper.slots) == 33
    best, worst = min(timings), max(timings)
    print(f"\nassemble_paper, 10,000 candidates, 5 rules: best {best * 1000:.1f} ms, worst {worst * 1000:.1f} ms")
    assert best < 0.5
