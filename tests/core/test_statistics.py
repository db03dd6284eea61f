"""Item analysis and marker agreement against independent computations (numpy, scipy, pingouin, scikit-learn)
on simulated exams with known properties."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pingouin
import pytest
from scipy import stats as scipy_stats
from sklearn.metrics import cohen_kappa_score

from examengine.core import statistics as st

TOL = 1e-6


def simulated_exam(attempts=200, items=12, seed=7, broken=None):
    """Rasch-like 0/1 marks (and a few partial-credit items) from abilities; `broken` scores inversely."""
    rng = np.random.default_rng(seed)
    ability = rng.normal(size=attempts)
    difficulty = np.linspace(-1.5, 1.5, items)
    p = 1 / (1 + np.exp(-(ability[:, None] - difficulty[None, :])))
    marks = (rng.random((attempts, items)) < p).astype(float)
    maxima = np.ones((attempts, items))
    marks[:, 0] = np.round(marks[:, 0] * 2 + (rng.random(attempts) < p[:, 0]))  # a 0..3 item
    maxima[:, 0] = 3
    if broken is not None:  # the strong examinees get it wrong: a miskeyed question
        marks[:, broken] = (rng.random(attempts) < 1 - p[:, broken]).astype(float)
    return marks, maxima


def test_test_level_figures_equal_independent_references():
    marks, maxima = simulated_exam()
    totals = marks.sum(axis=1)
    figures = st.test_figures(totals, marks, float(maxima[0].sum()))
    assert figures.attempts == 200
    assert figures.mean_points == pytest.approx(totals.mean(), abs=TOL)
    assert figures.median_points == pytest.approx(np.median(totals), abs=TOL)
    assert figures.sd_points == pytest.approx(np.std(totals, ddof=1), abs=TOL)
    assert figures.skewness == pytest.approx(scipy_stats.skew(totals, bias=False), abs=TOL)
    assert figures.kurtosis == pytest.approx(scipy_stats.kurtosis(totals, bias=False), abs=TOL)
    alpha, _ = pingouin.cronbach_alpha(data=pd.DataFrame(marks))
    assert figures.alpha == pytest.approx(alpha, abs=TOL)
    assert figures.error_ratio == pytest.approx(math.sqrt(1 - alpha), abs=TOL)
    assert figures.sem_points == pytest.approx(math.sqrt(1 - alpha) * np.std(totals, ddof=1), abs=TOL)
    assert sum(figures.histogram) == 200


def test_kr20_equals_alpha_for_dichotomous_items():
    marks, _ = simulated_exam(items=10, seed=3)
    marks[:, 0] = (marks[:, 0] > 0).astype(float)  # every item 0/1
    k = marks.shape[1]
    p = marks.mean(axis=0)
    # KR-20 with the sample variance of the totals and p·q·s/(s-1) item variances (the unbiased forms).
    s = marks.shape[0]
    kr20 = k / (k - 1) * (1 - (p * (1 - p) * s / (s - 1)).sum() / marks.sum(axis=1).var(ddof=1))
    assert st.cronbach_alpha(marks) == pytest.approx(kr20, abs=TOL)


def test_slot_figures_equal_independent_references():
    marks, maxima = simulated_exam()
    totals = marks.sum(axis=1)
    lower, upper = st.group_rows(totals)
    denominator = st.weight_denominator(marks)
    for column in range(marks.shape[1]):
        figures = st.slot_figures(marks, maxima, column, groups=(lower, upper), weight_denominator=denominator)
        x, rest = marks[:, column], totals - marks[:, column]
        assert figures.n == 200
        assert figures.facility == pytest.approx(x.mean() / maxima[0, column], abs=TOL)
        assert figures.sd == pytest.approx(np.std(x / maxima[0, column], ddof=1), abs=TOL)
        assert figures.discrimination_index == pytest.approx(scipy_stats.pearsonr(x, rest)[0], abs=TOL)
        cov = np.cov(x, rest)[0, 1]
        assert figures.discriminative_efficiency == pytest.approx(
            cov / np.cov(np.sort(x), np.sort(rest))[0, 1], abs=TOL)
        covs = [np.cov(marks[:, j], totals)[0, 1] for j in range(marks.shape[1])]
        assert figures.effective_weight == pytest.approx(
            math.sqrt(np.cov(x, totals)[0, 1]) / sum(math.sqrt(c) for c in covs), abs=TOL)
        order = np.argsort(totals, kind="stable")
        size = round(0.27 * 200)
        assert figures.lower_facility == pytest.approx(x[order[:size]].mean() / maxima[0, column], abs=TOL)
        assert figures.upper_facility == pytest.approx(x[order[-size:]].mean() / maxima[0, column], abs=TOL)
    weights = [st.slot_figures(marks, maxima, j, weight_denominator=denominator).effective_weight
               for j in range(marks.shape[1])]
    assert sum(weights) == pytest.approx(1.0, abs=TOL)


def test_a_question_the_strong_examinees_fail_is_flagged_negative():
    marks, maxima = simulated_exam(broken=5)
    totals = marks.sum(axis=1)
    groups = st.group_rows(totals)
    broken = st.slot_figures(marks, maxima, 5, groups=groups)
    assert broken.discrimination_index < 0
    assert "negative_discrimination" in broken.flags
    assert broken.upper_facility < broken.lower_facility
    healthy = st.slot_figures(marks, maxima, 6, groups=groups)
    assert "negative_discrimination" not in healthy.flags


def test_facility_flags_and_small_samples_warn_instead_of_flagging():
    marks, maxima = simulated_exam()
    marks[:, 3] = 1.0  # everybody right
    marks[:, 4] = 0.0  # nobody right
    assert "too_easy" in st.slot_figures(marks, maxima, 3).flags
    assert "too_hard" in st.slot_figures(marks, maxima, 4).flags
    few = st.slot_figures(marks[:20], maxima[:20], 4)
    assert few.flags == ["small_sample"]
    assert "small_sample" in st.test_figures(marks[:20].sum(axis=1), marks[:20], 14.0).flags


def test_low_alpha_is_flagged_unsatisfactory():
    rng = np.random.default_rng(1)
    noise = (rng.random((100, 8)) < 0.5).astype(float)  # items unrelated to each other
    figures = st.test_figures(noise.sum(axis=1), noise, 8.0)
    assert figures.alpha < 0.64 and "alpha_unsatisfactory" in figures.flags


def test_waiting_marks_leave_only_that_row_out_of_that_slot():
    marks, maxima = simulated_exam(attempts=50)
    marks[0, 2] = np.nan
    figures = st.slot_figures(marks, maxima, 2)
    present = ~np.isnan(marks[:, 2])
    assert figures.n == 49
    assert figures.facility == pytest.approx(np.nanmean(marks[:, 2]), abs=TOL)
    rest = np.nansum(marks[present], axis=1) - marks[present, 2]
    assert figures.discrimination_index == pytest.approx(np.corrcoef(marks[present, 2], rest)[0, 1], abs=TOL)


def test_distractor_table_by_option_text_and_unused_distractor_flag():
    rng = np.random.default_rng(5)
    n = 120
    totals = rng.normal(size=n)
    texts = ["A", "B", "C", "D"]
    picks = ["A" if totals[r] > -0.3 else ("B" if r % 2 else "C") for r in range(n)]
    chosen = np.array([[pick == text for text in texts] for pick in picks])
    offered = np.ones_like(chosen)
    lower, upper = st.group_rows(totals)
    table = {row.text: row for row in st.distractor_table(texts, {"A"}, chosen, offered, totals, lower, upper)}
    assert table["A"].correct and table["A"].share == pytest.approx(picks.count("A") / n)
    assert table["A"].upper_share == 1.0 and table["A"].lower_share < 0.5
    assert table["D"].share == 0 and table["D"].flags == ["unused_distractor"]
    assert table["B"].flags == [] and len(table["A"].curve) == 5
    assert table["A"].curve[-1] == 1.0  # the top score group all chose the key
    offered[:10, 3] = False  # ten examinees were not shown D (another version): shares count those shown it
    chosen[:10, 3] = False
    again = {row.text: row for row in st.distractor_table(texts, {"A"}, chosen, offered, totals, lower, upper)}
    assert again["D"].share == 0 and again["A"].share == table["A"].share


def test_frequent_wrong_answers_and_rubric_hit_rates():
    wrong = [(0, "80"), (0, "80"), (1, "TCP"), (0, "90"), (0, "80")]
    assert st.frequent_wrong_answers(wrong)[0] == (0, "80", 3)
    assert st.rubric_hit_rates([[0, 1], [0], [2, 0]], 3) == [1.0, pytest.approx(1 / 3), pytest.approx(1 / 3)]
    assert st.rubric_hit_rates([], 2) == [None, None]


def test_marker_agreement_against_scikit_learn_and_pingouin():
    rng = np.random.default_rng(11)
    truth = rng.integers(0, 11, size=60) / 2  # marks 0..5 in half points
    first = truth
    second = np.clip(truth + rng.choice([-0.5, 0, 0, 0.5, 1.0], size=60), 0, 5)
    figures = st.marker_agreement(first, second, tolerance=0.5)
    assert figures.pairs == 60
    assert figures.exact == pytest.approx(np.mean(first == second), abs=TOL)
    assert figures.within_tolerance == pytest.approx(np.mean(np.abs(first - second) <= 0.5), abs=TOL)
    assert figures.mean_absolute_difference == pytest.approx(np.mean(np.abs(first - second)), abs=TOL)
    labels = lambda marks: np.round(np.asarray(marks) * 2).astype(int)  # noqa: E731
    assert figures.kappa == pytest.approx(
        cohen_kappa_score(labels(first), labels(second), weights="quadratic"), abs=TOL)
    data = pd.DataFrame({"answer": np.tile(np.arange(60), 2), "marker": np.repeat(["a", "b"], 60),
                         "mark": np.concatenate([first, second])})
    icc = pingouin.intraclass_corr(data=data, targets="answer", raters="marker", ratings="mark")
    icc2 = icc.set_index("Type").loc["ICC(A,1)"] if "ICC(A,1)" in set(icc["Type"]) else \
        icc.set_index("Type").loc["ICC2"]
    assert figures.icc == pytest.approx(icc2["ICC"], abs=TOL)
    assert figures.icc_low == pytest.approx(icc2["CI95"][0], abs=1e-2)  # pingouin rounds the interval
    assert figures.icc_high == pytest.approx(icc2["CI95"][1], abs=1e-2)


def test_agreement_is_undefined_rather_than_wrong_for_degenerate_input():
    figures = st.marker_agreement([], [], tolerance=1)
    assert figures.pairs == 0 and figures.kappa is None and figures.icc is None
    same = st.marker_agreement([2, 2, 2], [2, 2, 2], tolerance=0)
    assert same.exact == 1.0 and same.kappa is None
