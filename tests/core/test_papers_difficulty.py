"""Empirical difficulty: facility -> level at the cut points, "measured where available", and papers
balanced on the measured levels while rules still select on the author's labels."""
from __future__ import annotations

import pytest

from examengine.core.papers import (
    Candidate,
    DrawRule,
    Facility,
    PaperSpec,
    SectionSpec,
    assemble_paper,
    balanced_on,
    level_of_facility,
    measured_level,
    measured_levels,
    paper_difficulty_spread,
)


@pytest.mark.parametrize(("facility", "level"), [
    (1.0, 1), (0.85, 1), (0.8499, 2), (0.70, 2), (0.6999, 3), (0.50, 3), (0.4999, 4), (0.30, 4),
    (0.2999, 5), (0.0, 5),
])
def test_facility_maps_to_levels_easiest_first(facility, level):
    assert level_of_facility(facility) == level


def test_a_version_is_measured_only_with_enough_responses():
    assert measured_level(Facility(n=29, score=29, max_score=29), 30) is None
    assert measured_level(Facility(n=30, score=9, max_score=30), 30) == 4  # facility exactly 0.30
    assert measured_level(Facility(n=30, score=8.9, max_score=30), 30) == 5
    assert measured_level(Facility(n=30, score=27, max_score=30), 30) == 1
    assert measured_level(Facility(n=30, score=0, max_score=0), 30) is None  # no points to measure against
    assert measured_level(None, 30) is None
    figures = {1: Facility(40, 10, 40), 2: Facility(10, 10, 10), 3: Facility(30, 21, 30)}
    assert measured_levels(figures, 30) == {1: 5, 3: 2}


def cand(vid: int, difficulty: int) -> Candidate:
    return Candidate(vid, f"bank/q{vid:03d}", "bank", "single", frozenset(), "", difficulty, 1.0)


def test_balanced_on_overrides_only_the_listed_versions():
    pool = balanced_on([cand(1, 2), cand(2, 4)], {1: 5})
    assert [(c.difficulty, c.balanced_difficulty) for c in pool] == [(2, 5), (4, 4)]


def test_papers_balance_on_the_measured_levels_and_rules_keep_selecting_on_labels():
    # Author labels 1 and 5 alternate; the measured levels cut across them (1 for ids < 20, else 5).
    pool = [cand(vid, 1 if vid % 2 else 5) for vid in range(40)]
    levels = {vid: 1 if vid < 20 else 5 for vid in range(40)}
    spec = PaperSpec((SectionSpec("S", (DrawRule(6), DrawRule(2, difficulty_max=1))),))
    measured = balanced_on(pool, levels)
    papers = [assemble_paper(spec, measured, seed) for seed in range(60)]
    by_id = {c.version_id: c for c in pool}
    assert len({paper.total_difficulty for paper in papers}) == 1  # every paper equal on measured levels
    assert len({sum(by_id[s.version_id].difficulty for s in paper.slots) for paper in papers}) > 1
    for paper in papers:
        assert [s.difficulty for s in paper.slots] == [levels[s.version_id] for s in paper.slots]
        # The second rule selects on the author's label 1, whatever the measured level.
        assert sum(1 for s in paper.slots if by_id[s.version_id].difficulty == 1) >= 2
    spread = paper_difficulty_spread(spec, measured, samples=50)
    assert spread.stdev == 0 and spread.min == papers[0].total_difficulty
