"""Results by dimension: breakdown, weighted totals, bands, pass/fail, open totals, and validation."""
from __future__ import annotations

import math

import pytest

from examengine.core import results as core
from examengine.core.results import Band, DimensionScore, SlotScore

SKILL, SERVICE, SOLVING = "专业技能", "服务意识与沟通能力", "问题解决与效率"
# skills 2/3, service 4/5, solving 4/4: plain 10/12 = 83.33 %
SLOTS = [SlotScore(SKILL, 2, 2), SlotScore(SKILL, 1, 0), SlotScore(SERVICE, 5, 4), SlotScore(SOLVING, 4, 4)]


def test_breakdown_sums_points_per_dimension():
    dims = {d.dimension: d for d in core.breakdown(SLOTS)}
    assert (dims[SKILL].earned, dims[SKILL].maximum) == (2, 3)
    assert dims[SERVICE].percent == 80.0
    assert dims[SOLVING].share == 1.0


def test_without_weights_the_total_is_the_plain_sum():
    result = core.compute(SLOTS)
    assert (result.score, result.max_score, result.percent) == (10.0, 12.0, 83.33)
    assert not result.weighted
    assert core.DEFAULT_BANDS[result.band].label == "Good"
    assert result.passed is True


def test_weighted_total_is_the_sum_of_weight_times_share():
    weights = {SKILL: 50, SERVICE: 30, SOLVING: 20}
    result = core.compute(SLOTS, weights=weights)
    expected = 50 * 2 / 3 + 30 * 0.8 + 20 * 1.0  # 77.33
    assert result.weighted
    assert result.score == result.percent == round(expected, 2)
    assert result.max_score == 100.0
    assert core.DEFAULT_BANDS[result.band].label == "Pass"  # the plain sum would be "Good"


def test_a_dimension_weighted_zero_counts_nothing():
    result = core.compute(SLOTS, weights={SKILL: 0, SERVICE: 100, SOLVING: 0})
    assert result.percent == 80.0


def test_a_weighted_dimension_missing_from_the_paper_scales_the_others():
    slots = [SlotScore(SKILL, 2, 2), SlotScore(SERVICE, 5, 0)]  # no SOLVING question on this paper
    result = core.compute(slots, weights={SKILL: 40, SERVICE: 40, SOLVING: 20})
    assert result.percent == 50.0  # (40 × 1 + 40 × 0) / 80


def test_weights_for_none_of_the_papers_dimensions_fall_back_to_the_plain_sum():
    result = core.compute([SlotScore("Other", 4, 3)], weights={SKILL: 100})
    assert not result.weighted and result.percent == 75.0


@pytest.mark.parametrize("weights", [None, {SKILL: 50, SERVICE: 30, SOLVING: 20}])
def test_the_total_stays_open_while_a_question_waits(weights):
    slots = [*SLOTS[:2], SlotScore(SERVICE, 5, None, needs_grading=True), SLOTS[3]]
    result = core.compute(slots, weights=weights)
    assert result.score is None and result.percent is None
    assert result.band is None and result.passed is None
    assert result.pending == 1
    dims = {d.dimension: d for d in result.dimensions}
    assert dims[SERVICE].share is None and dims[SKILL].percent == pytest.approx(66.67)


@pytest.mark.parametrize(("percent", "label"), [
    (100, "Excellent"), (90, "Excellent"), (89.99, "Good"), (80, "Good"), (79.5, "Pass"), (60, "Pass"),
    (59.99, "Fail"), (0, "Fail"),
])
def test_default_bands(percent, label):
    assert core.DEFAULT_BANDS[core.band_index(percent, core.DEFAULT_BANDS)].label == label


def test_custom_bands_and_pass_mark():
    bands = (Band("A", 85), Band("B", 50), Band("C", 0))
    slots = [SlotScore("x", 10, 7)]
    result = core.compute(slots, bands=bands, pass_percent=75)
    assert bands[result.band].label == "B"
    assert result.passed is False
    assert core.compute(slots, bands=bands, pass_percent=70).passed is True


def test_bands_of_stored_settings():
    assert core.bands_of(None) is core.DEFAULT_BANDS
    assert core.bands_of([["Top", 70], ["Rest", 0]]) == (Band("Top", 70), Band("Rest", 0))
    assert core.bands_of([["Broken", 70]]) is core.DEFAULT_BANDS  # no floor at 0: ignored
    assert core.bands_of("junk") is core.DEFAULT_BANDS


def test_weight_validation():
    dims = [SKILL, SERVICE, SOLVING]
    assert core.weight_problems({}, dims) == []
    assert core.weight_problems({SKILL: None, SERVICE: None, SOLVING: None}, dims) == []
    assert core.weight_problems({SKILL: 50, SERVICE: 30, SOLVING: 20}, dims) == []
    assert core.weight_problems({SKILL: 50, SERVICE: 50, SOLVING: 0}, dims) == []
    assert core.weight_problems({SKILL: 50, SERVICE: 50, SOLVING: None}, dims) == [(SOLVING, "missing")]
    assert core.weight_problems({SKILL: 50, SERVICE: 30, SOLVING: 30}, dims) == [("", "sum")]
    assert (SKILL, "range") in core.weight_problems({SKILL: 120, SERVICE: -20, SOLVING: 0}, dims)
    assert (SKILL, "range") in core.weight_problems({SKILL: math.nan, SERVICE: 50, SOLVING: 50}, dims)
    assert ("Gone", "unknown") in core.weight_problems({"Gone": 10}, dims)
    assert core.weight_problems({SKILL: 33.33, SERVICE: 33.33, SOLVING: 33.34}, dims) == []


def test_band_validation():
    ok = [Band("优秀", 90), Band("良好", 80), Band("合格", 60), Band("不合格", 0)]
    assert core.band_problems(ok) == []
    assert core.band_problems([]) == [(-1, "none")]
    assert (1, "order") in core.band_problems([Band("A", 50), Band("B", 70), Band("C", 0)])
    assert (1, "order") in core.band_problems([Band("A", 50), Band("B", 50), Band("C", 0)])
    assert (0, "range") in core.band_problems([Band("A", 150), Band("B", 0)])
    assert (1, "floor") in core.band_problems([Band("A", 80), Band("B", 10)])
    assert (0, "label") in core.band_problems([Band(" ", 50), Band("B", 0)])
    assert (1, "duplicate") in core.band_problems([Band("A", 50), Band("A", 0)])
    assert (-1, "too_many") in core.band_problems([Band(str(i), 100 - i) for i in range(11)] + [Band("z", 0)])


def test_histogram_and_mean():
    assert core.histogram([0, 9.99, 10, 55, 99.9, 100, None]) == [2, 1, 0, 0, 0, 1, 0, 0, 0, 2]
    assert core.mean([50, None, 100]) == 75.0
    assert core.mean([]) is None


def test_a_dimension_worth_nothing_has_no_share():
    assert DimensionScore("x", 0, 0).share is None
