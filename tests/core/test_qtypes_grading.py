"""Question types: registry, grading rules, what examinees may see, and rendering."""
from __future__ import annotations

import json
import re
from pathlib import Path

import jinja2
import pytest

from examengine.core import qtypes
from examengine.core.banks import parse_bank
from examengine.core.qtypes import Grade
from examengine.core.text import normalize_answer, parse_number

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
SECRET_KEYS = {"correct", "answer", "answers", "reference", "rubric", "explanation", "tolerance", "number"}


def question(text: str):
    result = parse_bank(text)
    assert result.ok, [e.format() for e in result.errors]
    return result.bank.questions[0]


SINGLE = question("## [single]\n端口？\n\n- [ ] 80\n- [x] 443\n- [ ] 8080\n")
MULTIPLE = question("## [multiple]\n传输层？\n\n- [x] TCP\n- [ ] HTTP\n- [x] UDP\n- [x] QUIC\n- [ ] DNS\n")
TRUEFALSE = question("## [truefalse]\nanswer: 对\n\nping 使用 ICMP。\n")
FILL = question("## [fill]\nHTTPS {{443|HTTPS}}，π ≈ {{3.14 ± 0.01}}，协议 {{tcp}}，版本 {{3.140}}。\n")
FILL_CASE = question("## [fill]\ncase_sensitive: true\n\n命令 {{ls -la}}\n")
ANALYSIS = question("## [analysis]\n分析。\n\n### 案例\n客户说……\n\n### 参考答案\n泄漏\n\n"
                    "### 评分标准\n- (2) 影响范围\n- (3) 根因\n\n### 解析\n见手册。\n")


def grade(spec, response, points=None, **kwargs) -> Grade:
    return qtypes.get(spec.qtype).grade(spec.payload, response, spec.points if points is None else points, **kwargs)


# --- registry -------------------------------------------------------------------------------

def test_registry_resolves_names_and_aliases():
    assert [t.name for t in qtypes.all_types()] == ["single", "multiple", "truefalse", "fill", "short", "analysis"]
    cases = {"单选题": "single", "SINGLE": "single", " single ": "single", "多选": "multiple", "判断题": "truefalse",
             "填空": "fill", "简答题": "short", "分析": "analysis", "ＳＩＮＧＬＥ": "single"}
    for token, name in cases.items():
        assert qtypes.resolve(token) == name, token
    for token in ("", "题", "essay", "单"):
        assert qtypes.resolve(token) is None
    with pytest.raises(KeyError):
        qtypes.get("essay")


def test_type_attributes():
    for qtype in qtypes.all_types():
        assert (TEMPLATES / qtype.template).is_file()
        assert qtype.auto_graded is (qtype.name not in ("short", "analysis"))
    assert {t.name: t.family for t in qtypes.all_types()} == {
        "single": "choice", "multiple": "choice", "truefalse": "choice", "fill": "fill",
        "short": "written", "analysis": "written"}
    assert qtypes.get("single").default_points(SINGLE.payload) == 1
    assert qtypes.get("multiple").default_points(MULTIPLE.payload) == 2
    assert qtypes.get("fill").default_points(FILL.payload) == 4
    assert qtypes.get("analysis").default_points(ANALYSIS.payload) == 5


# --- single / truefalse: all or nothing --------------------------------------------------------

def test_single_grading():
    assert grade(SINGLE, 1, 2) == Grade(2.0, False, {"selected": [1], "correct": [1]})
    assert grade(SINGLE, 0, 2).score == 0
    for malformed in (None, "1", 1.0, True, -1, 3, [1], {"a": 1}):
        assert grade(SINGLE, malformed, 2).score == 0, malformed


def test_truefalse_grading():
    assert grade(TRUEFALSE, True).score == 1 and grade(TRUEFALSE, False).score == 0
    for malformed in (None, 1, "true", "对", [True]):
        assert grade(TRUEFALSE, malformed).score == 0, malformed


# --- multiple ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("response", "all_or_nothing", "partial"), [
    ([0, 2, 3], 4.0, 4.0),
    ([3, 0, 2], 4.0, 4.0),
    ([0, 2, 3, 3], 4.0, 4.0),
    ([0, 2], 0.0, 2.0),
    ([3], 0.0, 2.0),
    ([0, 2, 3, 1], 0.0, 0.0),
    ([0, 1], 0.0, 0.0),
    ([], 0.0, 0.0),
])
def test_multiple_scoring_modes(response, all_or_nothing, partial):
    assert grade(MULTIPLE, response, 4).score == all_or_nothing
    assert grade(MULTIPLE, response, 4, multiple_scoring="partial").score == partial


def test_multiple_payload_scoring_and_exam_override():
    spec = question("## [multiple]\nscoring: partial\n\n问\n\n- [x] a\n- [x] b\n- [ ] c\n")
    assert grade(spec, [0], 3).score == 1.5  # half, rounded to 2 decimals
    assert grade(spec, [0], 3, multiple_scoring="all-or-nothing").score == 0
    assert grade(spec, [0], 3).detail == {"selected": [0], "correct": [0, 1], "scoring": "partial"}
    with pytest.raises(ValueError, match="scoring"):
        grade(spec, [0], 3, multiple_scoring="generous")


def test_multiple_malformed_responses_score_zero():
    for malformed in (None, 0, "0,2,3", [0, 2, "3"], [0, 2, 3.0], [0, 2, 3, 9], [True, 2, 3], {"0": 1}):
        assert grade(MULTIPLE, malformed, 4, multiple_scoring="partial").score == 0, malformed


# --- fill -------------------------------------------------------------------------------------

def test_fill_each_blank_is_worth_its_share():
    assert grade(FILL, ["443", "3.14", "TCP", "3.14"]).score == 4
    assert grade(FILL, ["443", "wrong", "", "3.14"], 1).score == 0.5
    assert grade(FILL, ["443"], 3).score == 0.75
    assert grade(FILL, ["443", "x", "x", "x"], 1).detail == {"blanks": [True, False, False, False]}
    assert grade(question("## [fill]\n{{a}} {{b}} {{c}}\n"), ["a", "x", "x"], 1).score == 0.33


def test_fill_normalization_full_width_whitespace_and_case():
    assert grade(FILL, ["４４３", "３．１４", "ＴＣＰ", "3.14"]).score == 4
    assert grade(FILL, ["  ＨＴＴＰＳ ", "3.14", " t c p ", "3.14"]).detail["blanks"][:3] == [True, True, False]
    assert grade(FILL, ["https", "3.14", "Tcp", "3.14"]).score == 4
    assert grade(FILL_CASE, ["ls  -la"]).score == 1
    assert grade(FILL_CASE, ["LS -LA"]).score == 0
    spaced = question("## [fill]\n{{ip  addr}}\n")
    assert grade(spaced, ["ip\u3000addr"]).score == 1  # ideographic space folds to one space


def test_fill_numeric_tolerance():
    results = {value: grade(FILL, ["x", value, "x", "x"]).detail["blanks"][1]
               for value in ("3.14", "3.140", "3.15", "3.13", "3.16", "3.12", "+3.14", "３.１５", "pi", "", "3.14.1")}
    assert results == {"3.14": True, "3.140": True, "3.15": True, "3.13": True, "3.16": False, "3.12": False,
                       "+3.14": True, "３.１５": True, "pi": False, "": False, "3.14.1": False}


def test_fill_numeric_blank_without_tolerance_and_text_alternatives():
    assert grade(FILL, ["443.0", "x", "x", "3.1400"]).detail["blanks"] == [False, False, False, True]
    number = question("## [fill]\n端口 {{443}}\n")
    assert grade(number, ["443.0"]).score == 1 and grade(number, ["４４３"]).score == 1
    assert grade(number, ["444"]).score == 0


def test_fill_malformed_responses():
    for malformed in (None, "443", 443, [443, 3.14], {"0": "443"}, [None, None, None, None]):
        assert grade(FILL, malformed).score == 0, malformed
    assert grade(FILL, ("443", "3.14", "tcp", "3.14")).score == 4


def test_normalize_answer_and_parse_number():
    assert normalize_answer("  ＨＴＴＰＳ，\t端口  ") == "https, 端口"
    assert normalize_answer("ABC", case_sensitive=True) == "ABC"
    assert parse_number("１２．５") == 12.5 and parse_number("−3") == -3.0
    for text in ("inf", "nan", "1_000", "1e999", "", "0x10"):
        assert parse_number(text) is None, text


# --- written ----------------------------------------------------------------------------------

def test_written_needs_a_reviewer():
    for response in ("答案", None, 42):
        assert grade(ANALYSIS, response) == Grade(None, True, {})
    assert grade(question("## [short]\npoints: 2\n\n解释\n\n### 参考答案\n答\n"), "x").needs_grading


# --- public payload: no key ------------------------------------------------------------------

def _keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | set().union(*(_keys(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_keys(v) for v in value)) if value else set()
    return set()


@pytest.mark.parametrize("spec", [SINGLE, MULTIPLE, TRUEFALSE, FILL, ANALYSIS], ids=lambda s: s.qtype)
def test_public_payload_hides_the_key(spec):
    public = qtypes.get(spec.qtype).public_payload(spec.payload)
    assert not _keys(public) & SECRET_KEYS
    dumped = json.dumps(public, ensure_ascii=False)
    for secret in ("443|", "3.14", "泄漏", "影响范围", "见手册", "true"):
        assert secret not in dumped


def test_public_payload_shapes_and_option_order():
    single = qtypes.get("single")
    assert single.public_payload(SINGLE.payload) == {"options": [{"md": "80"}, {"md": "443"}, {"md": "8080"}]}
    shuffled = single.public_payload(SINGLE.payload, option_order=[2, 0, 1])
    # Display order only: no authored index, which would reveal the author's order (often the key).
    assert shuffled == {"options": [{"md": "8080"}, {"md": "80"}, {"md": "443"}]}
    with pytest.raises(ValueError, match="permutation"):
        single.public_payload(SINGLE.payload, option_order=[0, 0, 1])
    assert qtypes.get("fill").public_payload(FILL.payload) == {"blank_count": 4}
    assert qtypes.get("analysis").public_payload(ANALYSIS.payload) == {"case": "客户说……"}
    assert qtypes.get("truefalse").public_payload(TRUEFALSE.payload) == {}


# --- rendering --------------------------------------------------------------------------------

def test_fill_stem_html_has_one_input_per_blank_and_keeps_answers_out():
    html = qtypes.get("fill").stem_html(FILL.stem, field_name="q7", response=["x\"><script>", None])
    inputs = re.findall(r"<input [^>]*>", html)
    assert len(inputs) == 4
    assert [re.search(r'name="([^"]+)"', i).group(1) for i in inputs] == ["q7.0", "q7.1", "q7.2", "q7.3"]
    assert all('class="form-control d-inline-block w-auto"' in i for i in inputs)
    assert 'value="x&quot;&gt;&lt;script&gt;"' in inputs[0] and "<script>" not in html
    assert "443" not in html and "3.14" not in html and "{{" not in html


def test_fill_stem_html_escapes_author_html_and_literal_braces():
    spec = question('## [fill]\n<img src=x onerror="alert(1)"> [a](javascript:alert(1)) `{{x}}` \\{{ y }} '
                    '![i](http://h/{{z}}) <script>alert(2)</script>\n')
    html = qtypes.get("fill").stem_html(spec.stem)
    assert "onerror" not in html and "javascript:" not in html and "<script" not in html
    assert "{{ y }}" in html
    assert len(re.findall(r"<input ", html)) == 2  # the one in an image URL is appended, not lost
    assert "blank" not in re.sub(r"<input [^>]*>", "", html)  # no placeholder word survives


def test_other_types_render_markdown_sanitized():
    html = qtypes.get("single").stem_html("**粗体** <script>alert(1)</script>")
    assert "<strong>粗体</strong>" in html and "<script" not in html


def _render(spec, **kwargs) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    env.globals["_"] = lambda text: text
    env.globals["colon"] = lambda: ": "  # web/ui.py: the reader's colon (English here)
    qtype = qtypes.get(spec.qtype)
    view = qtype.template_context(spec.payload, stem_md=spec.stem, explanation_md=spec.explanation, **kwargs)
    return env.get_template(qtype.template).render(view=view)


def test_templates_render_examinee_view_without_key():
    single = _render(SINGLE, field_name="q1", response=0, option_order=[2, 1, 0])
    # Ids and values are displayed positions; the stored answer (authored 0, "80") is shown last.
    assert re.findall(r'type="radio" name="q1"\s+id="q1-(\d)" value="(\d)"', single) == [
        ("0", "0"), ("1", "1"), ("2", "2")]
    assert re.search(r'value="2"\s+checked', single) and single.count("checked") == 1
    assert single.index(">8080<") < single.index(">443<") < single.index(">80<") and "Correct" not in single
    multiple = _render(MULTIPLE, response=[0, 2])
    assert multiple.count('type="checkbox"') == 5 and multiple.count("checked") == 2
    truefalse = _render(TRUEFALSE, response=False)
    assert 'value="true"' in truefalse and re.search(r'value="false"\s+checked', truefalse)
    fill = _render(FILL)
    assert fill.count("<input ") == 4 and "443" not in fill
    written = _render(ANALYSIS, response="<b>my answer</b>")
    assert "客户说" in written and "&lt;b&gt;my answer&lt;/b&gt;" in written
    assert "泄漏" not in written and "影响范围" not in written and "见手册" not in written


def test_templates_show_key_and_explanation_when_asked():
    assert "Correct" in _render(SINGLE, show_key=True)
    assert "Correct" in _render(TRUEFALSE, show_key=True)
    fill = _render(FILL, show_key=True)
    assert "443 | HTTPS" in fill and "3.14 ± 0.01" in fill
    written = _render(ANALYSIS, show_key=True)
    assert "泄漏" in written and "影响范围" in written and "见手册" in written


# --- fill: numbers and text as people type them (issue 9 §3) -----------------------------------

PERCENT_IN_STEM = question("## [fill]\n满意度应超过 {{85}}%。\n")
PERCENT_IN_KEY = question("## [fill]\n可用性 {{99.9%}}\n")


@pytest.mark.parametrize("typed, right", [
    ("85", True), ("85%", True), ("８５％", True), ("85 %", True), ("85.0%", True), ("85%。", True),
    ("85ms", False), ("86%", False), ("85‰", False), ("0.85", False),
])
def test_a_numeric_blank_accepts_the_unit_the_stem_implies(typed, right):
    assert PERCENT_IN_STEM.payload["blanks"][0]["unit"] == "%"
    assert bool(grade(PERCENT_IN_STEM, [typed]).score) is right


@pytest.mark.parametrize("typed, right", [("99.9%", True), ("99.90%", True), ("99.9", True), ("９９．９０％", True),
                                          ("99.9 ％", True), ("99%", False), ("99.9 MB", False)])
def test_a_numeric_blank_with_its_own_unit_compares_the_number(typed, right):
    assert PERCENT_IN_KEY.payload["blanks"][0] == {"answers": ["99.9%"], "number": 99.9, "tolerance": None,
                                                   "unit": "%"}
    assert bool(grade(PERCENT_IN_KEY, [typed]).score) is right


def test_blanks_stored_before_units_were_read_are_graded_by_the_new_rules():
    stored = {"blanks": [{"answers": ["99.9%"], "number": None, "tolerance": None}], "case_sensitive": False}
    fill = qtypes.get("fill")
    assert fill.grade(stored, ["99.90%"], 1).score == 1 and fill.grade(stored, ["99.8%"], 1).score == 0


@pytest.mark.parametrize("stem, typed, right", [
    ("缓存 {{1024}} 条", "1,024", True), ("缓存 {{1024}} 条", "１，０２４", True), ("缓存 {{1024}} 条", "1,02,4", False),
    ("温度 {{-3}} 度", "−3", True), ("温度 {{-3}} 度", "–3", True), ("温度 {{-3}} 度", "－３", True),
    ("响应 {{30}} 分钟内", "30分钟", True), ("响应 {{30}} 分钟内", "30 min", False),
    ("带宽 {{100}} MB", "100MB", True), ("带宽 {{100}} MB", "100 mb", True),
    ("端口 {{443}} and more", "443 and", False),
])
def test_numeric_blanks_take_separators_dashes_and_stem_units(stem, typed, right):
    assert bool(grade(question(f"## [fill]\n{stem}\n"), [typed]).score) is right


def test_an_ordinary_word_after_a_blank_is_not_a_unit():
    assert "unit" not in question("## [fill]\n端口 {{443}} and {{22}} s\n").payload["blanks"][0]
    assert question("## [fill]\n端口 {{443}} and {{22}} s\n").payload["blanks"][1]["unit"] == "s"
    assert "unit" not in question("## [fill]\n协议 {{HTTPS}}%\n").payload["blanks"][0]  # text blanks: none


@pytest.mark.parametrize("typed, right", [("HTTPS。", True), ("HTTPS.", True), (" https ，", True),
                                          ("ＨＴＴＰＳ．", True), ("HTTPS!", False), ("HTTP S", False)])
def test_a_text_blank_ignores_trailing_sentence_punctuation(typed, right):
    assert bool(grade(question("## [fill]\n安全协议是 {{HTTPS}}。\n"), [typed]).score) is right


def test_dash_variants_count_as_hyphens_in_text_blanks():
    spec = question("## [fill]\n命令 {{ls -la}}\n")
    assert all(grade(spec, [f"ls {dash}la"]).score == 1 for dash in "‐‑‒–—−－﹣")
    assert grade(spec, ["ls _la"]).score == 0
