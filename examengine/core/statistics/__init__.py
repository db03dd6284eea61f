"""Measurement statistics, pure (numpy only): classical item analysis of exams (`items`), what examinees
answered per option (`options`), and agreement between reviewers (`agreement`)."""
from .agreement import AgreementFigures, icc_2_1, marker_agreement, quadratic_weighted_kappa
from .items import (
    MIN_TRUSTED_N,
    SlotFigures,
    TestFigures,
    cronbach_alpha,
    group_rows,
    histogram,
    sample_kurtosis,
    sample_skewness,
    slot_figures,
    slot_flags,
    test_figures,
    weight_denominator,
)
from .options import OptionRow, choice_sets, distractor_table, frequent_wrong_answers, rubric_hit_rates

__all__ = [
    "MIN_TRUSTED_N", "AgreementFigures", "OptionRow", "SlotFigures", "TestFigures", "choice_sets", "cronbach_alpha",
    "distractor_table", "frequent_wrong_answers", "group_rows", "histogram", "icc_2_1", "marker_agreement",
    "quadratic_weighted_kappa", "rubric_hit_rates", "sample_kurtosis", "sample_skewness", "slot_figures",
    "slot_flags", "test_figures", "weight_denominator",
]
