"""The Markdown bank parser: every type and alias, metadata, sections, and every error with its line."""
from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from examengine.core.banks import (
    DEFAULT_MAX_BYTES,
    BankError,
    load_bank_bytes,
    parse_bank,
)


def bank(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def parse_ok(text: str, **kwargs):
    result = parse_bank(bank(text), **kwargs)
    assert result.errors == [], [e.format() for e in result.errors]
    assert result.ok
    return result.bank


def errors_of(text: str, **kwargs) -> list[BankError]:
    result = parse_bank(bank(text), **kwargs)
    assert not result.ok and result.bank is None
    return result.errors


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based number of the line containing `needle` (its n-th occurrence)."""
    found = [n for n, line in enumerate(bank(text).split("\n"), 1) if needle in line]
    return found[occurrence - 1]


def single_error(text: str, **kwargs) -> BankError:
    errors = errors_of(text, **kwargs)
    assert len(errors) == 1, [e.format() for e in errors]
    return errors[0]


SINGLE = """
## [single] HTTPS 默认端口
HTTPS 默认使用哪个端口？

- [ ] 80
- [x] 443
- [ ] 8080
"""


# --- types and aliases -------------------------------------------------------------------

@pytest.mark.parametrize(("token", "qtype"), [
    ("single", "single"), ("SINGLE", "single"), ("Single", "single"), ("单选", "single"), ("单选题", "single"),
    ("multiple", "multiple"), ("多选", "multiple"), ("多选题", "multiple"),
])
def test_choice_type_tokens_and_aliases(token, qtype):
    spec = parse_ok(f"## [{token}] t\n问题\n\n- [x] a\n- [ ] b\n").questions[0]
    assert spec.qtype == qtype
    assert spec.title == "t"


@pytest.mark.parametrize("token", ["truefalse", "TrueFalse", "判断", "判断题"])
def test_truefalse_aliases(token):
    assert parse_ok(f"## [{token}]\nanswer: true\n\nping uses ICMP.\n").questions[0].qtype == "truefalse"


@pytest.mark.parametrize(("token", "qtype"), [("fill", "fill"), ("填空", "fill"), ("填空题", "fill"), ("FILL", "fill")])
def test_fill_aliases(token, qtype):
    assert parse_ok(f"## [{token}]\n端口 {{{{443}}}}\n").questions[0].qtype == qtype


@pytest.mark.parametrize(("token", "qtype"), [
    ("short", "short"), ("简答", "short"), ("简答题", "short"),
    ("analysis", "analysis"), ("分析", "analysis"), ("分析题", "analysis"), ("ANALYSIS", "analysis"),
])
def test_written_aliases(token, qtype):
    text = f"## [{token}]\n说明原因。\n\n### 参考答案\n因为……\n\n### 评分标准\n- (2) 原因\n"
    assert parse_ok(text).questions[0].qtype == qtype


def test_full_width_brackets_and_heading_without_space():
    questions = parse_ok("## 【单选题】 端口\n问\n\n- [x] a\n- [ ] b\n\n##[fill]\n{{x}}\n").questions
    assert [(q.qtype, q.title) for q in questions] == [("single", "端口"), ("fill", "")]


# --- single / multiple ---------------------------------------------------------------------

def test_single_question_fields():
    spec = parse_ok(SINGLE).questions[0]
    assert spec.line == 1
    assert spec.title == "HTTPS 默认端口"
    assert spec.stem == "HTTPS 默认使用哪个端口？"
    assert spec.payload == {
        "options": [{"md": "80", "correct": False}, {"md": "443", "correct": True},
                    {"md": "8080", "correct": False}],
        "shuffle": True, "scoring": None,
    }
    assert (spec.points, spec.difficulty, spec.tags, spec.dimension, spec.key) == (1.0, 3, [], "", None)
    assert spec.explanation == ""


def test_task_list_bullets_and_capital_x_and_multiline_option():
    spec = parse_ok("""
        ## [multiple] 哪些是传输层协议
        scoring: partial
        shuffle: false

        选出所有正确项：

        * [X] TCP
        + [x] UDP,
          continued on the next line
        - [ ] HTTP
        """).questions[0]
    assert spec.payload["options"] == [
        {"md": "TCP", "correct": True},
        {"md": "UDP,\ncontinued on the next line", "correct": True},
        {"md": "HTTP", "correct": False},
    ]
    assert spec.payload["shuffle"] is False and spec.payload["scoring"] == "partial"
    assert spec.points == 2.0


def test_task_list_in_fenced_code_is_stem_not_options():
    text = """
        ## [single] 配置
        下面的清单是代码：

        ```markdown
        - [x] in code
        - [ ] also code
        ```

        ~~~
        - [ ] tilde fenced
        ~~~

        - [ ] real a
        - [x] real b
        """
    spec = parse_ok(text).questions[0]
    assert [o["md"] for o in spec.payload["options"]] == ["real a", "real b"]
    assert "- [x] in code" in spec.stem and "- [ ] tilde fenced" in spec.stem


def test_only_fenced_task_list_means_no_options():
    text = "## [single] t\n问\n\n```\n- [x] a\n- [ ] b\n```\n"
    error = single_error(text)
    assert error.line == 1 and "no options" in error.message and "code block" in error.message


def test_last_task_list_is_the_options_earlier_one_stays_in_stem():
    spec = parse_ok("## [single] t\n检查清单：\n\n- [x] 已重启\n\n说明文字。\n\n- [ ] a\n- [x] b\n").questions[0]
    assert "- [x] 已重启" in spec.stem
    assert [o["md"] for o in spec.payload["options"]] == ["a", "b"]


def test_heading_inside_fence_does_not_start_a_question():
    text = "## [single] t\n问\n\n```\n## [fill] not a question\n# not a category\n```\n\n- [x] a\n- [ ] b\n"
    questions = parse_ok(text).questions
    assert len(questions) == 1 and "## [fill] not a question" in questions[0].stem
    assert questions[0].tags == []


# --- truefalse --------------------------------------------------------------------------------

@pytest.mark.parametrize(("word", "value"), [
    ("true", True), ("TRUE", True), ("T", True), ("对", True), ("正确", True),
    ("false", False), ("False", False), ("f", False), ("错", False), ("错误", False),
])
def test_truefalse_answer_words(word, value):
    spec = parse_ok(f"## [truefalse]\nanswer: {word}\n\n语句。\n").questions[0]
    assert spec.payload == {"answer": value}
    assert spec.points == 1.0


def test_full_width_colon_in_metadata():
    spec = parse_ok("## [判断]\nanswer：对\npoints：2\n\n语句。\n").questions[0]
    assert spec.payload == {"answer": True} and spec.points == 2.0


def test_title_alone_is_the_question_text():
    assert parse_ok("## [truefalse] The sky is blue\nanswer: T\n").questions[0].stem == "The sky is blue"


# --- fill -------------------------------------------------------------------------------------

def test_fill_blanks_alternatives_numbers_and_literal_braces():
    spec = parse_ok(r"""
        ## [fill] 端口
        case_sensitive: true

        HTTPS 用 {{443|HTTPS}}，π ≈ {{3.14 ± 0.01}}，e ≈ {{2.72 +- 0.005}}，模板写作 \{{ name }}，管道 {{a\|b}}。
        """).questions[0]
    assert spec.stem == r"HTTPS 用 {{1}}，π ≈ {{2}}，e ≈ {{3}}，模板写作 \{{ name }}，管道 {{4}}。"
    assert spec.payload == {
        "blanks": [
            {"answers": ["443", "HTTPS"], "number": None, "tolerance": None},
            {"answers": ["3.14"], "number": 3.14, "tolerance": 0.01},
            {"answers": ["2.72"], "number": 2.72, "tolerance": 0.005},
            {"answers": ["a|b"], "number": None, "tolerance": None},
        ],
        "case_sensitive": True,
    }
    assert spec.points == 4.0  # 1 per blank


def test_fill_single_number_blank_is_numeric():
    blank = parse_ok("## [fill]\n端口 {{ 443 }}\n").questions[0].payload["blanks"][0]
    assert blank == {"answers": ["443"], "number": 443.0, "tolerance": None}


# --- short / analysis -------------------------------------------------------------------------

WRITTEN = """
    ## [analysis] 连接池耗尽
    points: 10

    阅读案例，分析根因并给出处理步骤。

    ### 案例
    某客户反馈系统**间歇性**超时。

    ### Unknown heading stays in the case
    日志如下。

    ### 参考答案
    连接泄漏导致连接池耗尽。

    ### 评分标准
    - (4) 先确认影响范围
    - （3.5） 定位泄漏，
      并给出证据
    * (2.5分) 给出处理步骤

    ### 解析
    常见原因是连接未关闭。
    """


def test_analysis_sections_and_rubric():
    spec = parse_ok(WRITTEN).questions[0]
    assert spec.stem == "阅读案例，分析根因并给出处理步骤。"
    assert spec.payload["case"] == "某客户反馈系统**间歇性**超时。\n\n### Unknown heading stays in the case\n日志如下。"
    assert spec.payload["reference"] == "连接泄漏导致连接池耗尽。"
    assert spec.payload["rubric"] == [
        {"points": 4.0, "text": "先确认影响范围"},
        {"points": 3.5, "text": "定位泄漏， 并给出证据"},
        {"points": 2.5, "text": "给出处理步骤"},
    ]
    assert spec.explanation == "常见原因是连接未关闭。"
    assert spec.points == 10.0


def test_english_section_names_and_points_default_to_rubric_total():
    spec = parse_ok("""
        ## [short] DNS
        Explain DNS caching.

        ### Case
        A user sees stale records.

        ### Reference answer
        Resolvers cache answers for the TTL.

        ### Rubric
        - (1) mentions TTL
        - (2) mentions resolvers

        ### Explanation
        See RFC 1034.
        """).questions[0]
    assert spec.points == 3.0
    assert spec.payload["case"] == "A user sees stale records."
    assert spec.explanation == "See RFC 1034."


def test_short_without_rubric_takes_points_from_metadata_or_bank():
    spec = parse_ok("## [short]\npoints: 5\n\n解释。\n\n### 参考答案\n答。\n").questions[0]
    assert spec.payload["rubric"] == [] and spec.points == 5.0
    with_default = parse_ok("---\npoints: 4\n---\n## [short]\n解释。\n\n### 参考答案\n答。\n")
    assert with_default.questions[0].points == 4.0


def test_rubric_total_wins_over_bank_default_points():
    spec = parse_ok("---\npoints: 1\n---\n## [analysis]\n分析。\n\n### 参考答案\n答\n\n### 评分标准\n- (6) x\n")
    assert spec.questions[0].points == 6.0


def test_explanation_on_choice_question():
    spec = parse_ok(SINGLE + "\n### 解析\n443 是 HTTPS 的默认端口。\n").questions[0]
    assert spec.explanation == "443 是 HTTPS 的默认端口。"
    assert len(spec.payload["options"]) == 3


# --- front matter, categories, metadata -------------------------------------------------------

FRONT = """
    ---
    id: net-basics
    title: 网络基础
    description: 网络知识题库
    dimension: 产品/技术知识
    tags: [网络, 基础]
    points: 2
    difficulty: hard
    ---

    # 网络故障

    ## [single] 默认值
    问

    - [x] a
    - [ ] b

    ## [single] 覆盖
    points: 3
    difficulty: 易
    dimension: 服务沟通
    tags: HTTP，TLS, HTTP

    问二

    - [x] a
    - [ ] b

    # 操作系统

    ## [truefalse] 第三题
    answer: F
    """


def test_front_matter_defaults_and_question_overrides():
    parsed = parse_ok(FRONT)
    assert (parsed.key, parsed.title, parsed.description) == ("net-basics", "网络基础", "网络知识题库")
    first, second, third = parsed.questions
    assert (first.points, first.difficulty, first.dimension) == (2.0, 5, "产品/技术知识")
    assert first.tags == ["网络故障", "网络", "基础"]
    assert (second.points, second.difficulty, second.dimension) == (3.0, 1, "服务沟通")
    assert second.tags == ["网络故障", "HTTP", "TLS"]  # question tags replace the bank's; category kept
    assert third.tags == ["操作系统", "网络", "基础"]


def test_bank_key_defaults():
    assert parse_ok(SINGLE, default_key="net").key == "net"
    assert parse_ok(SINGLE, source="banks/ops.md").key == "ops"
    assert parse_ok(SINGLE).key == "bank"
    assert parse_ok(SINGLE, default_key="net").title == "net"


@pytest.mark.parametrize(("value", "level"), [
    ("1", 1), ("5", 5), ("easy", 1), ("Medium", 3), ("HARD", 5), ("易", 1), ("中", 3), ("难", 5),
])
def test_difficulty_mapping(value, level):
    assert parse_ok(f"## [fill]\ndifficulty: {value}\n\n{{{{x}}}}\n").questions[0].difficulty == level


def test_blank_line_after_heading_lets_stem_start_like_metadata():
    spec = parse_ok("## [fill]\n\nNote: the port is {{443}}.\n").questions[0]
    assert spec.stem == "Note: the port is {{1}}."


def test_metadata_ends_at_first_non_metadata_line():
    spec = parse_ok("## [truefalse]\nanswer: true\nHTTPS 使用 443 端口。\n").questions[0]
    assert spec.stem == "HTTPS 使用 443 端口。"


def test_text_outside_questions_is_ignored():
    parsed = parse_ok("本题库的说明。\n\n# 分类\n分类说明。\n\n" + bank(SINGLE))
    assert len(parsed.questions) == 1 and parsed.questions[0].tags == ["分类"]


# --- encodings and line endings ---------------------------------------------------------------

def test_bom_and_crlf():
    text = "\ufeff---\r\ntitle: T\r\n---\r\n" + bank(SINGLE).replace("\n", "\r\n")
    result = load_bank_bytes(text.encode("utf-8"), source="x/crlf.md")
    assert result.ok
    spec = result.bank.questions[0]
    assert spec.line == 4 and "\r" not in spec.stem and spec.payload["options"][1]["md"] == "443"
    assert result.bank.key == "crlf"
    assert parse_bank(text).ok


def test_crlf_error_line_numbers_match_editor():
    text = "## [single] t\r\n问\r\n\r\n- [x] a\r\n- [x] b\r\n"
    error = single_error(text)
    assert error.line == 4 and error.text == "- [x] a"


def test_load_bank_bytes_size_empty_and_utf8():
    assert DEFAULT_MAX_BYTES == 2 * 1024 * 1024
    big = load_bank_bytes(b"#" * (DEFAULT_MAX_BYTES + 1), source="big.md")
    assert not big.ok and big.errors[0].line == 0 and "limit" in big.errors[0].message
    assert load_bank_bytes(b"x" * 11, source="s.md", max_bytes=10).errors[0].message.startswith("the file is 11")
    for empty in (b"", b"\xef\xbb\xbf", b" \n\r\n\t"):
        assert [e.message for e in load_bank_bytes(empty, source="e.md").errors] == ["the file is empty"]
    bad = load_bank_bytes("## [fill]\n第二行\n坏 \xff 字节\n".encode().replace(b"\xc3\xbf", b"\xff"),
                          source="bad.md")
    assert not bad.ok and bad.errors[0].line == 3 and "UTF-8" in bad.errors[0].message
    assert bad.errors[0].text.startswith("坏")
    gbk = load_bank_bytes("## [填空]\n端口 {{443}}\n".encode("gbk"), source="gbk.md")
    assert gbk.errors[0].line == 1 and "not valid UTF-8" in gbk.errors[0].message


def test_error_format():
    error = single_error("## [nope] x\n")
    assert error.format() == f"<bank>:1: {error.message}"
    assert parse_bank("## [nope]\n", source="b/x.md").errors[0].format().startswith("b/x.md:1: unknown question type")


# --- errors, each on its line -----------------------------------------------------------------

def test_broken_front_matter_yaml():
    text = "---\ntitle: ok\ntags: [a, b\npoints: 1\n---\n" + bank(SINGLE)
    error = single_error(text)
    assert error.line == 4 and "front matter is not valid YAML" in error.message
    assert "flow sequence started on line 3" in error.message
    error = single_error("---\ntitle: ok\nbad: : :\n---\n" + bank(SINGLE))
    assert error.line == 3 and error.text == "bad: : :"


def test_front_matter_not_closed_and_not_a_mapping():
    error = errors_of("---\ntitle: x\n" + bank(SINGLE))[0]
    assert error.line == 1 and "not closed" in error.message
    error = single_error("---\n- a\n- b\n---\n" + bank(SINGLE))
    assert error.line == 2 and "key: value" in error.message


def test_front_matter_unknown_key_and_bad_values():
    text = "---\ntitle: x\nauthor: me\npoints: -1\ndifficulty: 9\nid: has space\ntags: {a: 1}\n---\n" + bank(SINGLE)
    errors = errors_of(text)
    assert [(e.line, e.message.split(" ")[0]) for e in errors] == [
        (3, "unknown"), (4, "points"), (5, "difficulty"), (6, "bank"), (7, "tags")]
    assert errors[0].text == "author: me"


def test_unknown_type():
    text = "## [essay] 作文\n写一篇\n"
    error = single_error(text)
    assert (error.line, error.text) == (1, "## [essay] 作文")
    assert "unknown question type [essay]" in error.message and "single" in error.message


def test_question_heading_without_type():
    error = single_error(bank(SINGLE) + "\n## 第二部分\n文字\n")
    assert error.line == 8 and error.message.startswith("unknown question type")


def test_unknown_metadata_key_and_key_not_for_this_type():
    text = """
        ## [single] t
        answer: true
        author: me
        scoring: partial
        问

        - [x] a
        - [ ] b
        """
    errors = errors_of(text)
    assert [(e.line, e.message.split(";")[0]) for e in errors] == [
        (2, "'answer' does not apply to [single] questions"),
        (3, "unknown metadata key 'author'"),
        (4, "'scoring' does not apply to [single] questions"),
    ]


def test_bad_metadata_values():
    text = """
        ## [multiple] t
        points: lots
        difficulty: extreme
        shuffle: maybe
        scoring: most
        id: bad id
        points: 3

        问

        - [x] a
        - [ ] b
        """
    errors = errors_of(text)
    assert [e.line for e in errors] == [2, 3, 4, 5, 6, 7]
    assert "points must be a number" in errors[0].message
    assert "difficulty must be 1 to 5" in errors[1].message
    assert "shuffle must be true or false" in errors[2].message
    assert "scoring must be all-or-nothing or partial" in errors[3].message
    assert "id 'bad id' is not valid" in errors[4].message
    assert "given twice (first on line 2)" in errors[5].message


def test_truefalse_missing_and_bad_answer():
    error = single_error("## [判断] t\n\n语句。\n")
    assert error.line == 1 and error.message.startswith("missing answer")
    error = single_error("## [判断] t\nanswer: maybe\n\n语句。\n")
    assert error.line == 2 and "true/false" in error.message


@pytest.mark.parametrize(("options", "expected"), [
    ("- [ ] a\n- [ ] b\n", "exactly one checked option (`- [x]`), found 0"),
    ("- [x] a\n- [x] b\n- [ ] c\n", "exactly one checked option (`- [x]`), found 2"),
    ("- [x] a\n", "at least two options, found 1"),
])
def test_single_wrong_number_of_checked_or_options(options, expected):
    error = single_error("## [single] t\n问\n\n" + options)
    assert error.line == 4 and expected in error.message


def test_multiple_needs_a_checked_option_and_two_options():
    error = single_error("## [multiple] t\n问\n\n- [ ] a\n- [ ] b\n")
    assert error.line == 4 and "at least one checked option" in error.message
    error = single_error("## [多选] t\n问\n\n- [x] a\n")
    assert error.line == 4 and "at least two options" in error.message


def test_no_options_empty_and_duplicate_options_and_text_after_options():
    assert single_error("## [single] t\n问题\n").message.startswith("no options")
    errors = errors_of("## [single] t\n问\n\n- [x] a\n- [ ]\n- [ ] a\n\n补充说明。\n")
    assert [(e.line, e.message.split(":")[0]) for e in errors] == [
        (5, "empty option"), (6, "duplicate option 'a' (same as line 4)"), (8, "text after the options")]


def test_fill_without_blanks():
    text = "## [fill] t\n没有空，只有字面 \\{{x}}。\n"
    error = single_error(text)
    assert error.line == 1 and "at least one blank" in error.message


@pytest.mark.parametrize(("stem", "expected"), [
    ("端口 {{443", "unclosed blank"),
    ("端口 {{}}", "empty blank"),
    ("端口 {{  }}", "empty blank"),
    ("端口 {{443||HTTPS}}", "empty alternative"),
    ("端口 {{443|}}", "empty alternative"),
    ("π {{3.14 ± }}", "malformed numeric blank"),
    ("π {{3.14 ± x}}", "malformed numeric blank"),
    ("a {{b {{c}}", "can't contain `{{`"),
])
def test_malformed_blanks(stem, expected):
    error = single_error(f"## [fill]\n\n第一行 {{{{ok}}}}\n{stem}\n")
    assert error.line == 4 and expected in error.message and error.text == stem


def test_written_missing_reference_rubric_and_points():
    error = single_error("## [short] t\npoints: 3\n\n解释。\n")
    assert error.line == 1 and "参考答案" in error.message
    errors = errors_of("## [analysis] t\npoints: 3\n\n分析。\n\n### 参考答案\n答。\n")
    assert [(e.line, "评分标准" in e.message) for e in errors] == [(1, True)]
    error = single_error("## [short] t\n解释。\n\n### 参考答案\n答。\n")
    assert error.line == 1 and error.message.startswith("points required")


def test_rubric_total_must_equal_points():
    text = "## [analysis] t\npoints: 10\n\n分析。\n\n### 参考答案\n答\n\n### 评分标准\n- (4) a\n- (5) b\n"
    error = single_error(text)
    assert error.line == 9 and "totals 9 points" in error.message and "worth 10" in error.message


def test_bad_rubric_lines_and_sections():
    text = """
        ## [analysis] t
        分析。

        ### 参考答案

        ### 评分标准
        - (0) nothing
        - no points here
        Some prose.
        - (2)

        ### 评分标准
        - (1) again
        """
    errors = errors_of(text)
    assert [e.line for e in errors] == [4, 7, 8, 9, 10, 12]
    assert "section is empty" in errors[0].message
    assert "positive number" in errors[1].message
    assert "starts with its points" in errors[2].message and "starts with its points" in errors[3].message
    assert "no text" in errors[4].message
    assert "given twice (first on line 6)" in errors[5].message


def test_section_not_for_this_type():
    error = single_error(bank(SINGLE) + "\n### 参考答案\n443\n")
    assert error.line == 8 and "[single] questions have no such section" in error.message


def test_duplicate_ids_and_duplicate_content():
    text = """
        ## [fill]
        id: port

        端口 {{443}}

        ## [fill]
        id: port

        另一个 {{80}}

        ## [fill]
        相同 {{1}}

        ## [fill]
        相同 {{1}}
        """
    errors = errors_of(text)
    assert next((e.line, e.message) for e in errors) == (7, "duplicate id 'port': the question on line 1 already uses it")
    assert errors[1].line == 14 and "identical to the one on line 11" in errors[1].message


def test_same_id_is_fine_in_another_bank():
    assert parse_bank("## [fill]\nid: port\n\n{{443}}\n").ok and parse_bank("## [fill]\nid: port\n\n{{80}}\n").ok


def test_no_questions_unclosed_fence_and_nul():
    assert [(e.line, e.message.split(":")[0]) for e in errors_of("# 只有分类\n说明\n")] == [(0, "no questions found")]
    errors = errors_of("## [single] t\n问\n\n```\n- [x] a\n- [ ] b\n\n## [fill]\n{{1}}\n")
    assert [(e.line, e.message.split(":")[0]) for e in errors] == [(1, "no options"), (4, "this code block is never closed")]
    error = single_error("## [fill]\n\x00 {{1}}\n")
    assert error.line == 2 and "cannot be stored" in error.message


def test_all_errors_in_a_file_are_reported_in_line_order():
    text = """
        ---
        points: zero
        ---

        ## [single] one
        问

        - [ ] a
        - [ ] b

        ## [essay] two

        ## [fill] three
        {{}}

        ## [truefalse] four

        ## [single] ok
        问

        - [x] a
        - [ ] b

        ## [analysis] five
        分析

        ### 参考答案
        x

        ### 评分标准
        - (2) x
        """
    errors = errors_of(text)
    assert [e.line for e in errors] == [2, 8, 11, 14, 16]
    assert [e.text for e in errors][:3] == ["points: zero", "- [ ] a", "## [essay] two"]
    assert all(isinstance(e, BankError) and e.path == "<bank>" for e in errors)


# --- identity ----------------------------------------------------------------------------------

def test_fingerprint_stable_under_moves_and_changed_by_edits():
    one = parse_ok(SINGLE + "\n## [fill]\n端口 {{443}}\n").questions
    moved = parse_ok("\n\n## [fill]\n端口 {{443}}\n\n" + bank(SINGLE)).questions
    assert one[0].line != moved[1].line
    assert one[0].fingerprint == moved[1].fingerprint and one[1].fingerprint == moved[0].fingerprint
    assert len(one[0].fingerprint) == 64
    edited = parse_ok(SINGLE.replace("8080", "8443")).questions[0]
    assert edited.fingerprint != one[0].fingerprint
    rechecked = parse_ok(SINGLE.replace("- [x] 443", "- [ ] 443").replace("- [ ] 80\n", "- [x] 80\n")).questions[0]
    assert rechecked.fingerprint != one[0].fingerprint
    repointed = parse_ok(SINGLE.replace("默认端口\n", "默认端口\npoints: 2\n")).questions[0]
    assert repointed.fingerprint != one[0].fingerprint


def test_identity_is_id_or_content():
    with_id = parse_ok(SINGLE.replace("默认端口\n", "默认端口\nid: net-001\n")).questions[0]
    without = parse_ok(SINGLE).questions[0]
    assert with_id.identity == "net-001"
    assert without.identity == "content:" + without.fingerprint[:16]
    assert with_id.fingerprint == without.fingerprint  # the id is not content


# --- the format documentation ------------------------------------------------------------------

DOC = Path(__file__).resolve().parents[2] / "docs" / "question-bank-format.md"


def test_every_example_in_the_format_doc_parses():
    examples = re.findall(r"^(`{3,})markdown\n(.*?)^\1$", DOC.read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL)
    assert len(examples) >= 9
    questions = [q for _, text in examples for q in parse_ok(text).questions]
    assert {q.qtype for q in questions} == {"single", "multiple", "truefalse", "fill", "short", "analysis"}
    by_title = {q.title: q for q in questions}
    assert by_title["HTTPS 默认端口"].points == 2 and by_title["HTTPS 默认端口"].tags == ["HTTP", "网络"]
    assert by_title["数据库连接池耗尽"].points == 10 and by_title["Explain DNS caching"].points == 2
    assert by_title["常用端口"].payload["blanks"][1]["answers"] == ["22"]
