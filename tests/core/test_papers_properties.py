"""Property tests: feasibility is exact, and every feasible spec yields papers that honour all rules."""
from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from examengine.core.papers import (
    Candidate,
    DrawRule,
    FixedRule,
    InfeasibleRules,
    PaperSpec,
    SectionSpec,
    assemble_paper,
    check_feasibility,
    draw_paper,
    plan_paper,
)
from examengine.core.papers.matching import Matching

PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KEYS = [f"b/q{i}" for i in range(24)]  # fewer keys than versions: some questions have two versions


@st.composite
def pools(draw) -> list[Candidate]:
    size = draw(st.integers(0, 30))
    return [Candidate(version_id=vid, question_key=draw(st.sampled_from(KEYS)), bank_key=draw(st.sampled_from("ab")),
                      qtype=draw(st.sampled_from(("single", "fill"))),
                      tags=draw(st.frozensets(st.sampled_from("xyz"))), dimension=draw(st.sampled_from("kd")),
                      difficulty=draw(st.integers(1, 5)), points=draw(st.sampled_from((1.0, 2.0))),
                      option_count=draw(st.integers(0, 4)), shuffle_options=draw(st.booleans()))
            for vid in range(1, size + 1)]


draw_rules = st.builds(
    DrawRule,
    count=st.integers(0, 6),
    banks=st.frozensets(st.sampled_from("ab"), max_size=1),
    qtype=st.none() | st.sampled_from(("single", "fill")),
    tags=st.frozensets(st.sampled_from("xyz"), max_size=2),
    dimension=st.none() | st.sampled_from("kd"),
    difficulty_min=st.integers(1, 3),
    difficulty_max=st.integers(3, 5),
    points=st.none() | st.just(3.0),
)
fixed_rules = st.builds(FixedRule, question_keys=st.lists(st.sampled_from(KEYS), max_size=2).map(tuple),
                        points=st.none() | st.just(4.0))
specs = st.builds(
    PaperSpec,
    sections=st.lists(st.builds(SectionSpec, title=st.just("S"),
                                rules=st.lists(draw_rules | fixed_rules, min_size=1, max_size=3).map(tuple)),
                      min_size=1, max_size=3).map(tuple),
    shuffle_questions=st.just(False),  # rule order, so each slot can be traced back to its rule
    shuffle_options=st.booleans(),
)


def oracle_pool(pool: list[Candidate]) -> list[Candidate]:
    newest: dict[str, Candidate] = {}
    for c in pool:
        if c.question_key not in newest or c.version_id > newest[c.question_key].version_id:
            newest[c.question_key] = c
    return list(newest.values())


def has_perfect_matching(slots: list, candidates: list, fits) -> bool:
    """Kuhn's algorithm, one node per question slot and per candidate: slow, obvious, independent."""
    owner: dict[int, int] = {}

    def place(slot: int, visited: set[int]) -> bool:
        for j, c in enumerate(candidates):
            if j not in visited and fits(slots[slot], c):
                visited.add(j)
                if j not in owner or place(owner[j], visited):
                    owner[j] = slot
                    return True
        return False

    return all(place(i, set()) for i in range(len(slots)))


def oracle_feasible(spec: PaperSpec, pool: list[Candidate]) -> bool:
    by_key = {c.question_key: c for c in oracle_pool(pool)}
    fixed = [k for s in spec.sections for r in s.rules if isinstance(r, FixedRule) for k in r.question_keys]
    if len(set(fixed)) < len(fixed) or not set(fixed) <= set(by_key):
        return False
    slots = [r for s in spec.sections for r in s.rules if isinstance(r, DrawRule) for _ in range(r.count)]
    free = [c for key, c in by_key.items() if key not in fixed]
    return has_perfect_matching(slots, free, lambda rule, c: rule.matches(c))


def check_paper(spec: PaperSpec, pool: list[Candidate], paper) -> list[Counter]:
    """Assert every rule is honoured; returns each rule's difficulty profile."""
    by_version = {c.version_id: c for c in oracle_pool(pool)}
    chosen = [by_version[s.version_id] for s in paper.slots]
    assert len({c.question_key for c in chosen}) == len(chosen)
    slots = iter(zip(paper.slots, chosen))
    profiles = []
    for s, section in enumerate(spec.sections):
        for rule in section.rules:
            n = len(rule.question_keys) if isinstance(rule, FixedRule) else rule.count
            mine = [next(slots) for _ in range(n)]
            assert all(slot.section == s for slot, _ in mine)
            if isinstance(rule, FixedRule):
                assert [c.question_key for _, c in mine] == list(rule.question_keys)
            else:
                assert all(rule.matches(c) for _, c in mine)
            assert all(slot.points == (c.points if rule.points is None else rule.points) for slot, c in mine)
            profiles.append(Counter(c.difficulty for _, c in mine))
    assert next(slots, None) is None
    for slot, c in zip(paper.slots, chosen):
        if c.option_count == 0:
            assert slot.option_order is None
        else:
            assert sorted(slot.option_order) == list(range(c.option_count))
            if not (spec.shuffle_options and c.shuffle_options):
                assert slot.option_order == tuple(range(c.option_count))
    return profiles


@PROPERTY
@given(specs, pools())
def test_feasibility_is_exact_and_feasible_specs_always_assemble(spec, pool):
    assert_feasibility_exact_and_papers_valid(spec, pool)


def assert_feasibility_exact_and_papers_valid(spec: PaperSpec, pool: list[Candidate]) -> None:
    shortfalls = check_feasibility(spec, pool)
    assert (not shortfalls) == oracle_feasible(spec, pool)
    if shortfalls:
        try:
            assemble_paper(spec, pool, 0)
        except InfeasibleRules as error:
            assert error.shortfalls == shortfalls
        else:
            raise AssertionError("assembled an infeasible spec")
        return
    papers = [assemble_paper(spec, pool, seed) for seed in range(6)]
    for paper in papers:
        check_paper(spec, pool, paper)
    # Papers may choose different profiles (exposure.py), but every one is equally hard.
    assert len({paper.total_difficulty for paper in papers}) == 1
    assert assemble_paper(spec, pool[::-1], 3) == assemble_paper(spec, pool, 3)


@st.composite
def matchings(draw):
    sizes = draw(st.lists(st.integers(0, 3), min_size=1, max_size=5))
    links = draw(st.lists(st.lists(st.integers(0, len(sizes) - 1), unique=True), min_size=1, max_size=4))
    demands = draw(st.lists(st.integers(0, 4), min_size=len(links), max_size=len(links)))
    takes = draw(st.lists(st.tuples(st.integers(0, len(links) - 1), st.integers(0, len(sizes) - 1)), max_size=12))
    return demands, sizes, links, takes


def servable(demands, sizes, links) -> bool:
    units = [r for r, d in enumerate(demands) for _ in range(d)]
    slots = [c for c, n in enumerate(sizes) for _ in range(n)]
    return has_perfect_matching(units, slots, lambda r, c: c in links[r])


@PROPERTY
@given(matchings())
def test_matching_take_keeps_the_rest_servable_exactly_when_possible(case):
    demands, sizes, links, takes = case
    matching = Matching(demands, sizes, [sorted(set(cs)) for cs in links])
    assert (matching.fill() == 0) == servable(demands, sizes, links)
    if matching.missing():
        return
    for rule, cls in takes:
        if cls not in links[rule]:
            continue
        after = (matching.demand[:], matching.size[:])
        after[0][rule] -= 1
        after[1][cls] -= 1
        possible = min(after[0][rule], after[1][cls]) >= 0 and servable(after[0], after[1], links)
        assert matching.take(rule, cls) == possible
        assert matching.missing() == 0
        assert all(load <= size for load, size in zip(matching.load, matching.size))
        assert all(sum(f.values()) == d for f, d in zip(matching.flow, matching.demand))


@st.composite
def crowded(draw) -> tuple[PaperSpec, list[Candidate]]:
    """Few questions, rules that overlap a lot and ask for most of them: where proportional quotas
    collide and the min-cost fallback has to move them."""
    pool = [Candidate(vid, f"b/q{vid}", "b", "single", draw(st.frozensets(st.sampled_from("xy"))), "k",
                      draw(st.integers(1, 5)), 1.0) for vid in range(1, draw(st.integers(1, 14)) + 1)]
    rules = draw(st.lists(st.builds(DrawRule, count=st.integers(1, 5), tags=st.frozensets(st.sampled_from("xy"),
                                    max_size=1), difficulty_min=st.integers(1, 2)), min_size=2, max_size=4))
    return PaperSpec((SectionSpec("S", tuple(rules)),), shuffle_questions=False), pool


@PROPERTY
@given(crowded())
def test_crowded_overlapping_rules(case):
    assert_feasibility_exact_and_papers_valid(*case)


@PROPERTY
@given(crowded(), st.integers(0, 3), st.integers(0, 2**31 - 1))
def test_papers_with_a_tolerance_honour_the_rules_and_the_window(case, tolerance, seed):
    """Overlapping rules, any tolerance: every paper satisfies every rule, and its total difficulty
    is within the tolerance of the plan's target (exactly it at tolerance 0)."""
    spec, pool = case
    spec = PaperSpec(spec.sections, spec.shuffle_questions, spec.shuffle_options, tolerance)
    if check_feasibility(spec, pool):
        return
    plan = plan_paper(spec, pool)
    for offset in range(5):
        paper = draw_paper(plan, seed + offset)
        check_paper(spec, pool, paper)
        assert abs(paper.total_difficulty - plan.target_difficulty) <= tolerance
        assert paper == draw_paper(plan, seed + offset)
    assert sum(mix.weights[0] > 0 for mix in plan.mixes) == len(plan.mixes)
