"""The Aiken reader: a realistic Chinese file (Chinese punctuation and full-width letters too), the bank it
writes, every bad question at its line while the rest converts, and fuzzing that never raises."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from examengine.core.banks import parse_bank
from examengine.core.converters import write_bank
from examengine.core.converters.aiken import read_aiken
from examengine.core.converters.formats import FORMATS, detect

# Line numbers matter: the tests below name them.
SAMPLE = """HTTPS 默认使用哪个端口？
A. 80
B. 443
C. 8080
D. 21
ANSWER: B

中华人民共和国的首都是哪座城市？
A、北京
B、上海
C、广州
答案：A

下列哪个命令可以列出 Linux 当前目录下的文件？
A) ls
B) cd
C) pwd
ANSWER: a

TCP 三次握手的第一步发送的是什么报文？
Ａ．SYN
Ｂ．ACK
Ｃ．FIN
答案：Ａ

以下哪种协议用于域名解析？
A. DNS
B. DHCP
ANSWER: E

HTTP 状态码 404 表示什么？
A. 服务器内部错误
B. 页面未找到
C. 请求成功
ANSWER: B

在 Linux 中，
哪个命令用于修改文件权限？
A. chmod
B. chown
C. *.sh
ANSWER: A
IPv4 地址由多少位组成？
A. 32
B. 64
C. 128
ANSWER: A

以下哪个是私有 IP 地址？
A. 8.8.8.8
B. 192.168.1.1
ANSWER：B

ping 命令基于哪个协议？
A. ICMP
B. TCP
answer: A
"""


def convert(text: str):
    return read_aiken("题库.txt", text.encode("utf-8"))


def problems(conversion) -> list[tuple[str, str, str]]:
    return [(problem.location, problem.kind, str(problem.message)) for problem in conversion.problems]


def test_sample_converts_every_question_but_the_bad_one():
    conversion = convert(SAMPLE)
    assert [draft.qtype for draft in conversion.drafts] == ["single"] * 9
    assert [draft.location for draft in conversion.drafts] == ["1", "8", "14", "20", "31", "37", "43", "49", "54"]
    assert problems(conversion) == [("29", "error", "ANSWER E names no option: the options are A, B")]


def test_sample_drafts():
    drafts = {draft.location: draft for draft in convert(SAMPLE).drafts}
    port = drafts["1"]
    assert (port.stem, port.title, port.tags, port.explanation) == ("HTTPS 默认使用哪个端口？", "", [], "")
    assert [(option.text, option.correct) for option in port.options] == [
        ("80", False), ("443", True), ("8080", False), ("21", False)]
    assert [(option.text, option.correct) for option in drafts["8"].options] == [
        ("北京", True), ("上海", False), ("广州", False)]
    assert [option.correct for option in drafts["14"].options] == [True, False, False]  # `ANSWER: a`
    assert [(option.text, option.correct) for option in drafts["20"].options] == [
        ("SYN", True), ("ACK", False), ("FIN", False)]
    chmod = drafts["37"]
    assert chmod.stem == "在 Linux 中，\n哪个命令用于修改文件权限？"
    assert [option.text for option in chmod.options] == ["chmod", "chown", "\\*.sh"]  # shown as written
    assert [option.correct for option in drafts["49"].options] == [False, True]
    assert [option.correct for option in drafts["54"].options] == [True, False]


def test_sample_writes_a_bank_the_parser_accepts_with_the_same_questions():
    result = parse_bank(write_bank(convert(SAMPLE).drafts), source="out.md")
    assert result.ok, [error.format() for error in result.errors]
    questions = result.bank.questions
    assert [question.qtype for question in questions] == ["single"] * 9
    first = questions[0]
    assert (first.stem, first.points, first.tags) == ("HTTPS 默认使用哪个端口？", 1.0, [])
    assert [(option["md"], option["correct"]) for option in first.payload["options"]] == [
        ("80", False), ("443", True), ("8080", False), ("21", False)]
    assert questions[5].stem == "在 Linux 中，\n哪个命令用于修改文件权限？"
    assert [option["md"] for option in questions[5].payload["options"]] == ["chmod", "chown", "\\*.sh"]


def test_gbk_file_with_bom_less_crlf_is_read_with_a_warning():
    data = "哪个端口用于 SSH？\r\nA. 22\r\nB. 23\r\n答案：A\r\n".encode("gbk")
    conversion = read_aiken("旧题库.txt", data)
    assert [draft.stem for draft in conversion.drafts] == ["哪个端口用于 SSH？"]
    assert problems(conversion) == [("", "warning", "the file is not UTF-8; it was read as GBK (GB18030): check "
                                                    "that the Chinese text looks right, or save the file as UTF-8")]


def test_utf8_bom():
    conversion = read_aiken("a.txt", "\ufeff哪个端口用于 SSH？\nA. 22\nB. 23\nANSWER: A\n".encode())
    assert conversion.problems == [] and conversion.drafts[0].stem == "哪个端口用于 SSH？"


def test_chinese_option_without_a_space():
    conversion = convert("哪家公司的名字是缩写？\nA.北京公司\nB. A.B.C 公司\nC)上海公司\nANSWER: B\n")
    assert [(option.text, option.correct) for option in conversion.drafts[0].options] == [
        ("北京公司", False), ("A.B.C 公司", True), ("上海公司", False)]


def test_ascii_letters_run_together_are_text_not_an_option():
    conversion = convert("A.B.C 公司成立于哪一年？\nB.A.S.F 是什么？\nA. 1990\nB. 2000\nANSWER: A\n")
    assert conversion.drafts[0].stem == "A.B.C 公司成立于哪一年？\nB.A.S.F 是什么？"


def test_option_like_first_line_is_question_text():
    conversion = convert("C. elegans 是一种什么生物？\nA. 线虫\nB. 细菌\nANSWER: A\n")
    draft = conversion.drafts[0]
    assert (draft.stem, [option.text for option in draft.options]) == ("C. elegans 是一种什么生物？", ["线虫", "细菌"])


def test_registered_and_detected():
    data = "哪个端口用于 SSH？\nA. 22\nB. 23\nANSWER: A\n".encode()
    assert FORMATS["aiken"].read("a.aiken", data).drafts[0].qtype == "single"
    assert detect("题库.txt", data).name == "aiken"


# -- bad questions, each at its line ---------------------------------------------------------------------

GOOD = "第一题：1+1 等于几？\nA. 1\nB. 2\nANSWER: B\n"
NO_ANSWER = "this question has no `ANSWER:` line: add one after its options, e.g. `ANSWER: B`"


def too_few(count: int) -> str:
    return ("this question needs at least two options on their own lines (`A. …`, `B. …`) before its `ANSWER:` "
            f"line, found {count}")


@pytest.mark.parametrize(("bad", "expected"), [
    ("缺少答案的题目\nA. 甲\nB. 乙\n", [("6", "error", NO_ANSWER)]),
    ("只有一个选项\nA. 甲\nANSWER: A\n", [("6", "error", too_few(1))]),
    ("没有选项\n", [("6", "error", too_few(0))]),
    ("没有选项\nANSWER: A\n", [("6", "error", too_few(0))]),
    ("答案不存在\nA. 甲\nB. 乙\nANSWER: C\n", [("9", "error", "ANSWER C names no option: the options are A, B")]),
    ("两个答案\nA. 甲\nB. 乙\nANSWER: AB\n", [("9", "error", "ANSWER must be one option letter such as `ANSWER: B` "
                                                        "(an Aiken question has one right answer), not 'AB'")]),
    ("答案为空\nA. 甲\nB. 乙\n答案：\n", [("9", "error", "ANSWER must be one option letter such as `ANSWER: B` "
                                                   "(an Aiken question has one right answer), not ''")]),
    ("ANSWER: A\n", [("6", "error", "`ANSWER:` without a question before it: write the question and its options "
                                    "above it")]),
    ("字母重复\nA. 甲\nB. 乙\nB. 丙\nANSWER: A\n", [("9", "error", "option B is given twice: give each option its own "
                                                              "letter")]),
    ("选项为空\nA. 甲\nB.\nANSWER: A\n", [("8", "error", "option B is empty: write its text after the letter")]),
    ("选项相同\nA. 甲\nB. 乙\nC. 甲\nANSWER: A\n", [("6", "error", "option C repeats option A: the options of a "
                                                             "question must differ")]),
])
def test_bad_question_is_an_error_at_its_line_and_the_rest_converts(bad, expected):
    conversion = convert(f"{GOOD}\n{bad}\n最后一题：2+2 等于几？\nA. 4\nB. 5\nANSWER: A\n")
    assert problems(conversion) == expected
    assert [draft.stem for draft in conversion.drafts] == ["第一题：1+1 等于几？", "最后一题：2+2 等于几？"]


def test_missing_answer_right_before_the_next_question():
    conversion = convert("忘了写答案\nA. 甲\nB. 乙\n下一题\nA. 丙\nB. 丁\nANSWER: B\n")
    assert problems(conversion) == [("1", "error", NO_ANSWER)]
    assert [(draft.location, draft.stem) for draft in conversion.drafts] == [("4", "下一题")]


def test_missing_answer_at_the_end_of_the_file():
    assert problems(convert(GOOD + "\n最后一题\nA. 甲\nB. 乙")) == [("6", "error", NO_ANSWER)]


def test_identical_questions_are_reported_at_the_second():
    conversion = convert(GOOD + "\n" + GOOD)
    assert problems(conversion) == [("6", "error", "this question is identical to the one on line 1: remove one of "
                                                   "them (a bank can't hold two identical questions)")]


@pytest.mark.parametrize(("data", "message"), [
    (b"", "the file is empty"),
    (b"  \n\n", "the file is empty"),
    ("只有一行文字".encode(), too_few(0)),
])
def test_file_level_problems(data, message):
    conversion = read_aiken("a.txt", data)
    assert [str(problem.message) for problem in conversion.problems] == [message]


def test_no_questions_at_all():
    assert problems(read_aiken("a.txt", b"\n\n\n\t\n ")) == [("", "error", "the file is empty")]


# -- fuzzing ------------------------------------------------------------------------------------------------

AIKEN_TOKENS = ["A. ", "B) ", "C、", "Ｄ．", "E）", "ANSWER: ", "答案：", "answer:", "A", "B", "AB", "Z", "ｂ", "\n",
                "\n\n", " ", "问题", "北京", "*", "#", "<b>", "{{", "\x00", "\ufeff", "\r\n", "- [x] ", "## [单选]"]
FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_well_formed(conversion, text: str | None = None):
    lines = len(text.replace("\r\n", "\n").replace("\r", "\n").split("\n")) if text is not None else None
    for problem in conversion.problems:
        assert "internal error" not in problem.message, problem
        if lines is not None and problem.location:
            assert 1 <= int(problem.location) <= lines
    if conversion.drafts:
        result = parse_bank(write_bank(conversion.drafts), source="out.md")
        assert result.ok, [error.format() for error in result.errors]


@FUZZ
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_raise(data):
    assert_well_formed(read_aiken("a.txt", data))


@FUZZ
@given(st.lists(st.one_of(st.sampled_from(AIKEN_TOKENS), st.text(max_size=5)), max_size=40).map("".join))
def test_text_from_aiken_tokens_never_raises_and_always_writes_a_valid_bank(text):
    assert_well_formed(read_aiken("a.txt", text.encode("utf-8", "surrogatepass")), text)
