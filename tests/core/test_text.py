"""core/text.py: the one rule for typed numbers, and the characters no stored text may hold."""
from __future__ import annotations

import pytest

from examengine.core.answer_groups import text_key
from examengine.core.text import has_foreign_digits, normalize_written, parse_number, parse_typed_number, unstorable


@pytest.mark.parametrize("text, value", [
    ("1", 1.0), (" 2.5 ", 2.5), ("-1.5", -1.5), ("+3", 3.0), (".5", 0.5), ("1e2", 100.0),
    ("１", 1.0), ("１２．５", 12.5), ("－３", -3.0), ("＋２", 2.0), ("１Ｅ２", 100.0),  # full-width (IME)
    ("−3", -3.0), ("\u30002\u3000", 2.0),  # minus sign; ideographic spaces around
])
def test_ascii_and_full_width_digits_are_numbers(text, value):
    assert parse_number(text) == value and isinstance(parse_number(text), float)


@pytest.mark.parametrize("text", [
    "١", "٣.٥", "۴", "४", "৩", "๓",  # Arabic-Indic, Extended Arabic-Indic, Devanagari, Bengali, Thai digits
    "²", "①", "1²",  # superscript and circled digits (NFKC would have read them as 2 and 1)
    "inf", "nan", "1_000", "1e999", "", "0x10", "1,5", "一", None, 1,
])
def test_other_digits_and_non_numbers_are_refused(text):
    assert parse_number(text) is None


def test_foreign_digits_are_recognised_for_a_clear_message():
    assert has_foreign_digits("١") and has_foreign_digits("1٫٥") and has_foreign_digits("४२")
    assert not has_foreign_digits("12") and not has_foreign_digits("１２") and not has_foreign_digits("abc")


def test_unstorable_finds_nul_and_lone_surrogates_anywhere():
    assert unstorable("plain 答案 😀") is None
    assert unstorable("a\x00b") == "nul"
    assert unstorable("答\ud800案") == "surrogate" and unstorable("\udfff") == "surrogate"
    assert unstorable(["ok", {"key": ["deep", "x\x00"]}]) == "nul"
    assert unstorable({"k\ud83d": 1}) == "surrogate"  # keys count too
    assert unstorable([1, 2.5, None, True, {"a": []}]) is None
    assert unstorable(None) is None


@pytest.mark.parametrize("text, expected", [
    ("85", (85.0, "")), ("85%", (85.0, "%")), ("８５％", (85.0, "%")), ("1,024", (1024.0, "")),
    ("1,024.5", (1024.5, "")), ("１，０２４", (1024.0, "")), ("−3", (-3.0, "")), ("30 分钟", (30.0, "分钟")),
    ("12.5ms", (12.5, "ms")), ("1e3", (1000.0, "")), ("85%。", (85.0, "%")),
    ("1,0245", None), ("12,34", None), ("abc", None), ("١٢", None), ("²", None), ("85 per cent of", None),
])
def test_typed_numbers_with_separators_and_units(text, expected):
    assert parse_typed_number(text) == expected


def test_written_answers_keep_case_and_lines_but_not_space_runs():
    assert normalize_written("  grep   -i ERROR\r\n\tapp.log  ") == "grep -i ERROR\napp.log"
    assert normalize_written("ＧＲＥＰ") == "GREP"
    assert normalize_written("a\nb") != normalize_written("a b")


def test_written_answer_keys_group_only_equal_texts():
    assert text_key("grep -i ERROR app.log") != text_key("GREP -I error APP.LOG")
    assert text_key("grep  -i ERROR app.log ") == text_key("grep -i ＥＲＲＯＲ app.log")
    assert text_key("first\nsecond") != text_key("first second")
