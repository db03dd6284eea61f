"""The GIFT reader: every GIFT construct on a realistic Chinese file, the bank it writes, bad input at its
line, and fuzzing (arbitrary bytes, and text assembled from GIFT's own tokens) that never raises."""
from __future__ import annotations

import html
import re
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from examengine.core.banks import parse_bank
from examengine.core.converters import write_bank
from examengine.core.converters.formats import FORMATS, detect
from examengine.core.converters.gift import read_gift
from examengine.core.converters.text_files import escape_plain
from examengine.core.markup import render_markdown

# Line numbers matter: the expected problems below name them.
SAMPLE = r"""// 网络基础题库：由 Moodle 导出后人工补充
// 每道题之间空一行
$CATEGORY: $course$/top/网络基础

::HTTPS 端口::HTTPS 默认使用哪个端口？{
    =443 #正确，HTTPS 默认端口是 443。
    ~80 #80 是 HTTP 的端口。
    ~8080
}

::ICMP::ping 命令使用 ICMP 协议。{TRUE#ping 基于 ICMP，不是 TCP。#回答正确。}

// 多选题：正确选项平分 100%，错误选项各 -100% [id:net-transport] [tag:传输层] [tag:协议]
::传输层::以下哪些协议工作在传输层？{
    ~%50%TCP
    ~%50%UDP
    ~%-100%HTTP
    ~%-100%ICMP
}

::发行版::以下哪些是 Linux 发行版？{~%70%Ubuntu ~%30%CentOS ~Windows}

中华人民共和国的首都是 {=北京 ~上海 ~广州} 。

::HTTP 端口::HTTP 的默认端口是 {=80 =八十} 。

::SSH 端口::SSH 的默认端口号是？{=22 =%50%二十二}

$CATEGORY: $course$/top/网络基础/计算

::圆周率::圆周率 π 约为多少？{#3.14:0.01}

::区间::请写出 1 到 5 之间的任意一个数。{#1..5}

::建国::中华人民共和国成立于哪一年？{#
    =1949:0 #完全正确
    =%50%1949:2 #接近了
}

[html]<p>请简述 <b>DNS</b> 的作用。</p>{
    ####DNS 把域名解析为 IP 地址。
}

::网络安全::请谈谈你对网络安全的理解。{}

::配对::请将协议与端口配对。{
    =HTTP -> 80
    =HTTPS -> 443
    =SSH -> 22
}

以下题目考查 Linux 命令，请仔细阅读。

::转义::[markdown]在 **Markdown** 中，`a\=b` 表示什么？写出 \{ 和 \} 的名称\: {
    =赋值 #对
    ~比较
    ####`\=` 在 GIFT 中需要转义。
}

[plain]把 *.log 文件复制到 \\backup 目录的命令是\n（写出完整命令） {=cp *.log \\backup}

::缺正确答案::以下哪项是对的？{~甲 ~乙 ~丙}

::未闭合::这道题的答案没有闭合 {=对 ~错

最后一题：TCP 是面向连接的协议。{T}
"""

FEEDBACK_DROPPED = ("the answer feedback (`#…`) is dropped: our questions have one explanation for all answers; "
                    "general feedback (`####…`) becomes the explanation")
EXPECTED_PROBLEMS = [
    ("5", "warning", FEEDBACK_DROPPED),
    ("11", "warning", "the true/false feedback (`#…`) is kept as the explanation, which every examinee sees after "
                      "the exam, whatever they answered"),
    ("21", "warning", "the answer weights (70%, 30%, 0%) are graded as our partial scoring: half the points for "
                      "some right options and no wrong one, nothing if a wrong option is chosen"),
    ("27", "warning", "answers with partial credit (二十二) are dropped: only full-mark answers are accepted"),
    ("35", "warning", FEEDBACK_DROPPED),
    ("35", "warning", "only the full-mark answer 1949 is kept; the other numeric answers (1949 ± 2) are dropped"),
    ("40", "warning", "the general feedback (`####…`) became the reference answer, and the question is worth "
                      "1 point (Moodle's default mark): check both"),
    ("44", "skipped", "not converted: an essay without a reference answer (our short questions need one); add the "
                      "reference answer as general feedback (`{####…}`) to convert it"),
    ("46", "skipped", "not converted: matching questions have no equivalent here"),
    ("52", "skipped", "not converted: text without answers in braces is a description, not a question"),
    ("54", "warning", FEEDBACK_DROPPED),
    ("62", "error", "no right answer: mark the right option with `=`, or give the right options of a "
                    "multiple-answer question positive weights like ~%50%"),
    ("64", "error", "the answers are not closed: add a `}` after them (write `\\{` for a literal brace)"),
]


def convert(text: str, path: str = "题库.gift"):
    return read_gift(path, text.encode("utf-8"))


def problems(conversion) -> list[tuple[str, str, str]]:
    return [(problem.location, problem.kind, str(problem.message)) for problem in conversion.problems]


def only(text: str):
    """The one draft a one-question file converts to, checking it converted without problems."""
    conversion = convert(text)
    assert conversion.problems == [] and len(conversion.drafts) == 1, problems(conversion)
    return conversion.drafts[0]


def assert_bank_ok(conversion):
    result = parse_bank(write_bank(conversion.drafts), source="out.md")
    assert result.ok, [error.format() for error in result.errors]
    return result.bank.questions


# -- the realistic file ----------------------------------------------------------------------------------

def test_sample_counts_per_type_and_exact_problems():
    conversion = convert(SAMPLE)
    assert Counter(draft.qtype for draft in conversion.drafts) == {
        "single": 3, "truefalse": 2, "multiple": 2, "fill": 6, "short": 1}
    assert [draft.location for draft in conversion.drafts] == [
        "5", "11", "14", "21", "23", "25", "27", "31", "33", "35", "40", "54", "60", "66"]
    assert problems(conversion) == EXPECTED_PROBLEMS
    assert conversion.title == ""


def test_sample_drafts_carry_titles_categories_and_answers():
    drafts = {draft.location: draft for draft in convert(SAMPLE).drafts}
    port = drafts["5"]
    assert (port.title, port.stem, port.tags) == ("HTTPS 端口", "HTTPS 默认使用哪个端口？", ["网络基础"])
    assert [(option.text, option.correct) for option in port.options] == [("443", True), ("80", False), ("8080", False)]
    assert port.explanation == ""  # per-answer feedback is dropped, not moved

    icmp = drafts["11"]
    assert (icmp.qtype, icmp.answer, icmp.explanation) == ("truefalse", True, "ping 基于 ICMP，不是 TCP。\n\n回答正确。")

    transport = drafts["14"]
    assert (transport.scoring, transport.key, transport.tags) == ("partial", "net-transport", ["网络基础", "传输层", "协议"])
    assert [option.correct for option in transport.options] == [True, True, False, False]
    assert [option.correct for option in drafts["21"].options] == [True, True, False]

    capital = drafts["23"]
    assert (capital.qtype, capital.title, capital.stem) == ("single", "", "中华人民共和国的首都是 ____ 。")

    assert (drafts["25"].stem, drafts["25"].blanks[0].answers) == ("HTTP 的默认端口是 {{1}} 。", ["80", "八十"])
    assert drafts["27"].blanks[0].answers == ["22"]

    pi = drafts["31"]
    assert (pi.stem, pi.blanks[0].answers, pi.blanks[0].tolerance, pi.tags) == (
        "圆周率 π 约为多少？{{1}}", ["3.14"], 0.01, ["计算"])
    assert (drafts["33"].blanks[0].answers, drafts["33"].blanks[0].tolerance) == (["3"], 2.0)
    assert (drafts["35"].blanks[0].answers, drafts["35"].blanks[0].tolerance) == (["1949"], None)

    essay = drafts["40"]
    assert (essay.qtype, essay.stem, essay.reference, essay.points) == (
        "short", "请简述 **DNS** 的作用。", "DNS 把域名解析为 IP 地址。", 1)

    escaped = drafts["54"]
    assert escaped.stem == "在 **Markdown** 中，`a=b` 表示什么？写出 { 和 } 的名称:"
    assert escaped.explanation == "`=` 在 GIFT 中需要转义。"
    assert [option.text for option in escaped.options] == ["赋值", "比较"]

    command = drafts["60"]
    assert command.stem == "把 \\*.log 文件复制到 \\\\backup 目录的命令是\n（写出完整命令） {{1}}"
    assert command.blanks[0].answers == ["cp *.log \\backup"]
    assert drafts["66"].answer is True and drafts["66"].tags == ["计算"]


def test_sample_writes_a_bank_the_parser_accepts_with_the_same_questions():
    questions = assert_bank_ok(convert(SAMPLE))
    by_title = {question.title: question for question in questions}
    assert [question.qtype for question in questions] == [
        "single", "truefalse", "multiple", "multiple", "single", "fill", "fill", "fill", "fill", "fill", "short",
        "single", "fill", "truefalse"]
    port = by_title["HTTPS 端口"]
    assert (port.stem, port.tags, port.points) == ("HTTPS 默认使用哪个端口？", ["网络基础"], 1.0)
    assert [(option["md"], option["correct"]) for option in port.payload["options"]] == [
        ("443", True), ("80", False), ("8080", False)]
    transport = by_title["传输层"]
    assert (transport.payload["scoring"], transport.points, transport.key) == ("partial", 2.0, "net-transport")
    assert transport.tags == ["网络基础", "传输层", "协议"]
    assert by_title["ICMP"].payload["answer"] is True
    assert by_title["ICMP"].explanation == "ping 基于 ICMP，不是 TCP。\n\n回答正确。"
    http = by_title["HTTP 端口"]
    assert (http.stem, http.payload["blanks"][0]["answers"]) == ("HTTP 的默认端口是 {{1}} 。", ["80", "八十"])
    pi = by_title["圆周率"].payload["blanks"][0]
    assert (pi["number"], pi["tolerance"], by_title["圆周率"].tags) == (3.14, 0.01, ["计算"])
    assert (by_title["区间"].payload["blanks"][0]["number"], by_title["区间"].payload["blanks"][0]["tolerance"]) == (3, 2)
    essay = next(question for question in questions if question.qtype == "short")
    assert (essay.payload["reference"], essay.points) == ("DNS 把域名解析为 IP 地址。", 1.0)
    command = questions[12]
    assert command.payload["blanks"][0]["answers"] == ["cp *.log \\backup"]


def test_plain_text_renders_as_written():
    command = convert(SAMPLE).drafts[12]
    rendered = render_markdown(command.stem.replace("{{1}}", ""))
    assert "把 *.log 文件复制到 \\backup 目录的命令是<br" in rendered


# -- each question type, one at a time ----------------------------------------------------------------------

def test_true_false_words_are_capitals_as_in_moodle():
    assert only("TCP 是无连接的协议。{F}").answer is False
    assert only("UDP 是无连接的协议。{TRUE}").answer is True
    assert only("ICMP 属于传输层。{FALSE}").answer is False
    lower = only("英文单词“真”怎么写？{true}")
    assert (lower.qtype, lower.blanks[0].answers) == ("fill", ["true"])


def test_general_feedback_becomes_the_explanation():
    draft = only("HTTPS 默认端口？{=443 ~80 ####HTTP 用 80，HTTPS 用 443。}")
    assert (draft.qtype, draft.explanation) == ("single", "HTTP 用 80，HTTPS 用 443。")


def test_single_choice_weights_are_dropped_with_a_warning():
    conversion = convert("耶稣来自哪里？{~耶路撒冷 ~%25%伯利恒 ~%50%加利利 =拿撒勒}")
    assert [option.correct for option in conversion.drafts[0].options] == [False, False, False, True]
    assert problems(conversion) == [("1", "warning", "the answer weights (0%, 25%, 50%, 100%) are dropped: only "
                                                     "the `=` option is right and the others score nothing")]


def test_multiple_answers_with_equal_shares_and_full_penalties_convert_silently():
    draft = only("哪些是质数？{~%33.33333%2 ~%33.33333%3 ~%33.33333%5 ~%-100%4 ~%-100%9}")
    assert draft.qtype == "multiple" and draft.scoring == "partial"
    assert [option.correct for option in draft.options] == [True, True, True, False, False]


def test_multiple_answers_with_one_positive_weight_stay_multiple():
    conversion = convert("哪个是偶数？{~%100%2 ~%-100%3}")
    assert conversion.drafts[0].qtype == "multiple" and conversion.problems == []


def test_short_answer_without_equals_is_one_accepted_answer():
    draft = only("谁发明了电话？{贝尔}")
    assert (draft.qtype, draft.stem, draft.blanks[0].answers) == ("fill", "谁发明了电话？{{1}}", ["贝尔"])


def test_fill_blank_sits_where_the_braces_were():
    assert only("{=二 =2} 加二等于四。").stem == "{{1}} 加二等于四。"
    assert only("二加{=二 =2}等于四。").stem == "二加{{1}}等于四。"


def test_missing_word_true_false_and_essay_show_a_line():
    assert only("一加一{T}等于二。").stem == "一加一____等于二。"


def test_numeric_exact_value_and_tolerance_zero():
    blank = only("一年有多少个月？{#12}").blanks[0]
    assert (blank.answers, blank.tolerance) == (["12"], None)
    blank = only("水的沸点是多少摄氏度？{#100:0}").blanks[0]
    assert (blank.answers, blank.tolerance) == (["100"], None)


def test_numeric_range_is_middle_plus_minus_half_width():
    blank = only("π 的近似值？{#3.13..3.15}").blanks[0]
    assert (blank.answers, blank.tolerance) == (["3.14"], 0.01)
    blank = only("一个负数？{#-5..-1}").blanks[0]
    assert (blank.answers, blank.tolerance) == (["-3"], 2.0)


def test_essay_with_general_feedback_becomes_short_with_that_reference():
    conversion = convert("::简答::说明 TCP 三次握手的过程。{####客户端发 SYN，服务端回 SYN+ACK，客户端再发 ACK。}")
    draft = conversion.drafts[0]
    assert (draft.qtype, draft.title, draft.points) == ("short", "简答", 1)
    assert draft.reference == "客户端发 SYN，服务端回 SYN+ACK，客户端再发 ACK。"
    assert [problem.kind for problem in conversion.problems] == ["warning"]
    assert assert_bank_ok(conversion)[0].payload["reference"] == draft.reference


def test_html_text_and_options_become_markdown():
    draft = only("[html]<p>下列哪个命令<i>列出</i>文件？</p>{=<code>ls</code> ~<b>cd</b>}")
    assert draft.stem == "下列哪个命令*列出*文件？"
    assert [option.text for option in draft.options] == ["`ls`", "**cd**"]


def test_html_text_is_escaped_where_markdown_would_misread_it():
    draft = only("[html]<p>1. 不是列表 &lt;b&gt; 不是标签 *不是强调*</p>{T}")
    assert draft.stem == "1\\. 不是列表 &lt;b> 不是标签 \\*不是强调\\*"
    assert "<b>" not in render_markdown(draft.stem)


def test_moodle_format_with_tags_is_html_else_plain():
    assert only("<b>粗体</b> 文字 {T}").stem == "**粗体** 文字"
    assert only("[moodle]a_b 与 *c* {T}").stem == "a\\_b 与 \\*c\\*"


def test_answer_with_its_own_format():
    draft = only("哪个是粗体？{=[html]<b>甲</b> ~[plain]*乙*}")
    assert [option.text for option in draft.options] == ["**甲**", "\\*乙\\*"]


def test_newline_escape_and_literal_braces_in_a_fill_stem():
    draft = only(r"第一行\n第二行 \{\{x\}\} 等于 {=1}")
    assert draft.stem == "第一行\n第二行 \\{{x}} 等于 {{1}}"
    assert assert_bank_ok(convert(r"第一行\n第二行 \{\{x\}\} 等于 {=1}"))[0].payload["blanks"][0]["answers"] == ["1"]


def test_a_brace_or_backslash_right_before_the_blank_does_not_join_it():
    for text in (r"集合 \{{=1}\}", r"路径 C:\\{=Windows}"):
        conversion = convert(text)
        assert conversion.problems == [], problems(conversion)
        question = assert_bank_ok(conversion)[0]
        assert question.payload["blanks"][0]["answers"] in (["1"], ["Windows"])


def test_category_with_escaped_slash_and_tags_follow_until_the_next_category():
    conversion = convert("$CATEGORY: $course$/top/TCP//IP\n\n甲 {T}\n\n$CATEGORY: $course$/top\n\n乙 {T}\n")
    assert [draft.tags for draft in conversion.drafts] == [["TCP/IP"], []]


def test_category_directly_above_a_question():
    draft = only("$CATEGORY: 题库/操作系统\n::进程::进程是资源分配的基本单位。{T}")
    assert (draft.tags, draft.title, draft.location) == (["操作系统"], "进程", "2")


def test_moodle_id_number_and_tags_in_the_comments():
    draft = only("// question: 12  name: 端口\n// [id:net-001] [tag:网络] [tag: 端口 ] [tag:[a\\]]\n哪个端口？{=443 ~80}")
    assert (draft.key, draft.tags, draft.location) == ("net-001", ["网络", "端口", "[a]"], "3")


def test_moodle_id_number_we_cannot_use_is_dropped_with_a_warning():
    conversion = convert("// [id:第 1 题]\n哪个端口？{=443 ~80}")
    assert conversion.drafts[0].key is None
    assert problems(conversion) == [("2", "warning", "the Moodle id number '第 1 题' can't be a question id here (up to "
                                                     "100 letters, digits, `_`, `-` or `.`, without spaces): the "
                                                     "question is converted without an id")]


def test_id_used_twice_is_an_error_at_the_second():
    conversion = convert("// [id:q1]\n甲是乙吗？{T}\n\n// [id:q1]\n丙是丁吗？{F}\n")
    assert problems(conversion) == [("5", "error", "the id 'q1' is already used by the question on line 2: give each "
                                                   "question its own id")]
    assert [draft.stem for draft in conversion.drafts] == ["甲是乙吗？"]


def test_blank_answer_with_its_own_html_format():
    assert only("HTTPS 端口是 {=[html]<b>443</b>&nbsp;}").blanks[0].answers == ["443"]


def test_comment_lines_inside_a_question_are_left_out():
    draft = only("// 第一题\n以下哪个是偶数？{\n// 正确答案\n=2\n~3\n}")
    assert (draft.location, [option.text for option in draft.options]) == ("2", ["2", "3"])


def test_utf8_bom_and_crlf():
    conversion = read_gift("a.gift", "\ufeff// 注释\r\n甲是乙吗？{T}\r\n\r\n丙是丁吗？{F}\r\n".encode())
    assert conversion.problems == [] and [draft.location for draft in conversion.drafts] == ["2", "4"]


def test_gbk_file_is_read_with_a_warning():
    text = "::端口::HTTPS 默认使用哪个端口？{=443 ~80 ~8080}\n\n::协议::ping 命令使用 ICMP 协议。{T}\n"
    conversion = read_gift("旧题库.txt", text.encode("gbk"))
    assert [draft.stem for draft in conversion.drafts] == ["HTTPS 默认使用哪个端口？", "ping 命令使用 ICMP 协议。"]
    assert problems(conversion) == [("", "warning", "the file is not UTF-8; it was read as GBK (GB18030): check "
                                                    "that the Chinese text looks right, or save the file as UTF-8")]


def test_registered_and_detected():
    assert FORMATS["gift"].read("a.gift", "甲是乙吗？{T}".encode()).drafts[0].qtype == "truefalse"
    assert detect("题库.txt", "甲是乙吗？{T}\n".encode()).name == "gift"


# -- bad input, each at its line ------------------------------------------------------------------------

ERRORS = [
    ("这道题的答案没有闭合 {=对 ~错",
     "the answers are not closed: add a `}` after them (write `\\{` for a literal brace)"),
    ("多余的右括号 } 在这里 {T}", "a `}` without a `{` before it: write `\\}` for a literal brace"),
    ("只有右括号 }", "a `}` without a `{` before it: write `\\}` for a literal brace"),
    ("两组答案 {T} 和 {F}", "a second `{…}` after the answers: a GIFT question has one set of answers; write `\\{` and "
                         "`\\}` for literal braces"),
    ("配对写错了 {=HTTP -> 80 ~HTTPS -> 443}",
     "`->` is only for matching questions, where every answer is written `=item -> match`"),
    ("{=北京 ~上海}", "the question has no text: write it before the answers in braces"),
    ("::只有标题:: {T}", "the question has no text: write it before the answers in braces"),
    ("::只有标题:: {=1}", "the question has no text: write it before the answers in braces"),
    ("以下哪项是对的？{~甲 ~乙}", "no right answer: mark the right option with `=`, or give the right options of a "
                          "multiple-answer question positive weights like ~%50%"),
    ("以下哪项是对的？{=%50%甲 ~乙}", "no right answer: mark the right option with `=`, or give the right options of a "
                               "multiple-answer question positive weights like ~%50%"),
    ("以下哪项是对的？{~%-50%甲 ~乙}", "no right answer: mark the right option with `=`, or give the right options of a "
                                "multiple-answer question positive weights like ~%50%"),
    ("::标题没有闭合 题干 {T}",
     "the title is not closed: write it as `::title::` before the question text (and `\\:` for a colon inside it)"),
    ("权重写错 {~%一半%甲 =乙}",
     "malformed weight '%一半%': write a percentage from -100 to 100 between two percent signs, e.g. ~%50%"),
    ("权重过大 {~%150%甲 =乙}",
     "malformed weight '%150%': write a percentage from -100 to 100 between two percent signs, e.g. ~%50%"),
    ("数值写错 {#大约三}", "malformed numeric answer '大约三': write a number (`3.14`), a number and its tolerance "
                       "(`3.14:0.01`) or a range (`3.13..3.15`)"),
    ("区间反了 {#5..1}", "the range '5..1' is reversed: write the lower end first, e.g. `3.13..3.15`"),
    ("数值过大 {#1e20}", "the number '1e20' is out of range: write numbers from 1e-15 to 1e15 in size (or 0) and "
                      "a tolerance that isn't negative"),
    ("误差为负 {#3:-1}", "the number '3:-1' is out of range: write numbers from 1e-15 to 1e15 in size (or 0) and "
                      "a tolerance that isn't negative"),
    ("数值只有错误答案 {#~3}", "no answer gets full marks: write at least one answer with `=` and no weight (or the "
                          "weight %100%)"),
    ("部分得分 {=%50%二十二}", "no answer gets full marks: write at least one answer with `=` and no weight (or the "
                            "weight %100%)"),
    ("答案前有文字 {乱写 =对 ~错}", "text before the first answer: start every answer with `=` (right) or `~` (wrong)"),
    (r"答案换行 {=第一行\n第二行}", "a blank's answer '第一行\\n第二行' can't hold a line break, `{{` or `}}`"),
    ("重复选项 {=甲 ~甲}", "the answer '甲' is given twice: the options of a question must differ"),
    ("空选项 {=甲 ~}", "an answer is empty: write its text after its `=` or `~`, or remove the mark"),
    ("[html]" + "<b>" * 60 + "太深" + "</b>" * 60 + "{T}",
     "the HTML of this question is nested 60 levels deep, more than the 50 that can be converted: simplify it"),
]


@pytest.mark.parametrize(("text", "message"), ERRORS)
def test_malformed_question_is_an_error_at_its_line_and_the_rest_converts(text, message):
    source = f"// 前面的题目\n第一题：1+1=2 {{T}}\n\n{text}\n\n最后一题：2+2=4 {{T}}\n"
    conversion = convert(source)
    assert problems(conversion) == [("4", "error", message)]
    assert [draft.location for draft in conversion.drafts] == ["2", "6"]


SKIPPED = [
    ("首都是？{=北京 =北平 ~上海}", "not converted: 2 options are marked right, but a single-choice question has one "
                             "right option; for a multiple-answer question give the right options positive weights "
                             "like ~%50% instead of `=`"),
    ("配对 {=甲 -> 1}", "not converted: matching questions have no equivalent here"),
    ("随便写点 {}", "not converted: an essay without a reference answer (our short questions need one); add the "
                "reference answer as general feedback (`{####…}`) to convert it"),
    ("说明：下面几题考查网络知识。", "not converted: text without answers in braces is a description, not a question"),
]


@pytest.mark.parametrize(("text", "message"), SKIPPED)
def test_questions_we_cannot_express_are_skipped_at_their_line(text, message):
    conversion = convert(f"第一题 {{T}}\n\n\n{text}\n")
    assert problems(conversion) == [("4", "skipped", message)]


def test_identical_questions_are_reported_at_the_second():
    conversion = convert("甲是乙吗？{T}\n\n丙是丁吗？{F}\n\n甲是乙吗？{T}\n")
    assert problems(conversion) == [("5", "error", "this question is identical to the one on line 1: remove one of "
                                                   "them (a bank can't hold two identical questions)")]
    assert len(conversion.drafts) == 2


def test_same_text_in_two_categories_is_not_a_duplicate():
    conversion = convert("$CATEGORY: 甲\n\n同一题 {T}\n\n$CATEGORY: 乙\n\n同一题 {T}\n")
    assert conversion.problems == [] and len(conversion.drafts) == 2


def test_embedded_moodle_file_is_a_warning():
    conversion = convert('[html]<p>看图回答 <img src="@@PLUGINFILE@@/拓扑.png"></p>{T}')
    assert problems(conversion) == [("1", "warning", "the question refers to an embedded file (@@PLUGINFILE@@) that a "
                                                     "GIFT file doesn't carry: add the image to the bank by hand")]


def test_long_line_is_refused_by_the_bank_check_at_its_question():
    conversion = convert("第一题 {T}\n\n" + "长" * 4100 + " {T}\n")
    assert [(problem.location, problem.kind) for problem in conversion.problems] == [("3", "error")]
    assert "4,000" in conversion.problems[0].message


@pytest.mark.parametrize(("data", "message"), [
    (b"", "the file is empty"),
    (b"\xef\xbb\xbf \n\n", "the file is empty"),
    ("// 只有注释\n$CATEGORY: 网络\n".encode(), "no GIFT questions found: a question is its text followed by its "
                                             "answers in braces, e.g. `1+1=2 {T}`"),
    (bytes(range(128, 256)) * 3, "the file is not UTF-8 and its encoding can't be recognised: save it as UTF-8 and "
                                 "convert it again"),
])
def test_file_level_problems(data, message):
    assert problems(read_gift("a.gift", data)) == [("", "error", message)]


def test_oversized_file_is_refused_before_reading():
    conversion = read_gift("a.gift", b"x {T}\n" * (4 * 1024 * 1024))
    assert [problem.kind for problem in conversion.problems] == ["error"]
    assert conversion.problems[0].message.startswith("the file is 25,165,824 bytes, over the limit of 20 MB")


# -- plain-text escaping ----------------------------------------------------------------------------------

def visible_text(rendered: str) -> str:
    text = re.sub(r"<br\s*/?>", "\n", rendered)
    return " ".join(html.unescape(re.sub(r"<[^>]*>", "", text)).split())


@pytest.mark.parametrize("text", [
    "# 不是标题", "#也不是标题", "1. 不是列表", "- 不是列表", "+ 不是列表", "> 不是引用", "<b>不是标签</b>", "&amp; 是实体",
    "a_b_c", "[链接](http://x.cn)", "`代码`", "标题\n===", "标题\n---", "~~~\n不是代码\n~~~", "    缩进", "a | b\n--|--",
    "\\ 反斜杠 \\*",
])
def test_escaped_plain_text_renders_as_written(text):
    assert visible_text(render_markdown(escape_plain(text))) == " ".join(text.split())


PLAIN_PIECES = list("#>-+*_`[]()!<&;|\\=~.:1 \n\t中文aZ/") + ["&amp;", "<b>", "---", "1. ", "```", "~~~", "    "]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PLAIN_PIECES), max_size=20).map("".join))
def test_any_plain_text_renders_as_written(text):
    assert visible_text(render_markdown(escape_plain(text))) == " ".join(text.split())


# -- fuzzing ------------------------------------------------------------------------------------------------

GIFT_TOKENS = ["{", "}", "=", "~", "#", "####", "::", "->", "%", "%50%", "%-100%", "\\", "\\n", "\\{", "\\:", ":",
               "..", "\n", "\n\n", " ", "//", "$CATEGORY:", "/", "T", "FALSE", "[html]", "[plain]", "[markdown]",
               "<b>", "</p>", "&lt;", "3.14", "-1", "1e20", "问题", "答案", "北京", "{{", "}}", "|", "`", "*", "\x00",
               "\ufeff", "\ufdd4", "@@PLUGINFILE@@", "- [x]", "## [单选]", "### 解析"]
FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def line_count(text: str) -> int:
    return len(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


def assert_well_formed(conversion, text_lines: int | None = None):
    for problem in conversion.problems:
        assert "internal error" not in problem.message, problem
        assert problem.kind in ("error", "skipped", "warning")
        if text_lines is not None and problem.location:
            assert 1 <= int(problem.location) <= text_lines
    if conversion.drafts:
        result = parse_bank(write_bank(conversion.drafts), source="out.md")
        assert result.ok, [error.format() for error in result.errors]


@FUZZ
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_raise(data):
    assert_well_formed(read_gift("a.gift", data))


@FUZZ
@given(st.lists(st.one_of(st.sampled_from(GIFT_TOKENS), st.text(max_size=5)), max_size=40).map("".join))
def test_text_from_gift_tokens_never_raises_and_always_writes_a_valid_bank(text):
    assert_well_formed(read_gift("a.gift", text.encode("utf-8", "surrogatepass")), line_count(text))


words = st.one_of(st.sampled_from(["北京", "上海", "TCP", "443", "3.14", "a_b", "*x*", "<b>粗</b>", "&amp;", "# 标题",
                                   "1. 项", "\\{", "\\}", "\\=", "\\~", "\\#", "\\:", "\\n", "{{", "|", "`",
                                   "->", "..", ":", "T", ""]),
                  st.text(max_size=4))
answer = st.tuples(st.sampled_from(["=", "~", ""]), st.sampled_from(["", "%50%", "%-100%", "%100%", "%33.3%", "%x%"]),
                   words, st.sampled_from(["", "#反馈", "#"])).map("".join)
choices = st.lists(st.sampled_from(["=北京", "~上海", "~%50%TCP", "~%-100%HTTP", "~广州 #反馈", "=[html]<b>甲</b>",
                                    "~%50%UDP", "~[plain]*乙*", "~1. 项", "=%50%半对"]), min_size=2, max_size=5, unique=True)
answers = st.one_of(
    st.lists(answer, max_size=5).map(" ".join),
    choices.map(" ".join),
    st.sampled_from(["T", "F", "TRUE#错#对", "", "####参考", "#3.14:0.01", "#1..5", "#=3:0 =%50%3.1:0.2", "#5..1",
                     "#x", "=a -> 1 =b -> 2"]),
)
question = st.tuples(
    st.sampled_from(["", "::标题::", "::", "::题\\:目::"]), st.sampled_from(["", "[html]", "[plain]", "[markdown]",
                                                                          "[moodle]"]),
    words, st.sampled_from(["{", "{", "{\n", ""]), answers, st.sampled_from(["####解析", "", ""]),
    st.sampled_from(["}", "}", "\n}", ""]), st.sampled_from(["", " 。", "后文", " {T}"]),
).map("".join)


@FUZZ
@given(st.lists(st.one_of(question, st.sampled_from(["// 注释", "$CATEGORY: $course$/top/网络"])), max_size=8))
def test_gift_shaped_questions_never_raise_and_always_write_a_valid_bank(questions):
    text = "\n\n".join(questions)
    assert_well_formed(read_gift("a.gift", text.encode()), line_count(text))
