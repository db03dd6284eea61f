"""The formula injection guard shared by every CSV/XLSX the product writes."""
from __future__ import annotations

import pytest

from examengine.core.spreadsheets import neutralize, neutralize_row


@pytest.mark.parametrize("value", ['=HYPERLINK("https://evil.example","x")', "+1", "-2", "@SUM(A1)",
                                   "\t=1+1", "\r=1+1", "=", "-"])
def test_formula_like_text_gets_a_leading_apostrophe(value):
    assert neutralize(value) == "'" + value


@pytest.mark.parametrize("value", ["plain", "张三", "a=b", " =1", "'quoted", "", 42, -5, 1.5, None])
def test_other_values_are_kept(value):
    assert neutralize(value) == value


def test_rows():
    assert neutralize_row(("=1", "ok", -3)) == ["'=1", "ok", -3]
