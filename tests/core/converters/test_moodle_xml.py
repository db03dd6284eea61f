"""Moodle XML: reading Moodle's exports, writing ours so that they read back as the same questions."""
from __future__ import annotations

import base64
import time
import xml.etree.ElementTree as ET  # noqa: N817 -- to serialize an element of our own export
from collections import Counter
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from defusedxml import ElementTree as SafeET
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from examengine.core.banks import load_bank_bytes, parse_bank
from examengine.core.converters import Blank, Option, QuestionDraft, RubricItem, drafts_of, write_bank
from examengine.core.converters.moodle_xml import read_moodle_xml, write_moodle_xml
from tests.core.converters.moodle_samples import (
    CRAFTED_BANK,
    PNG,
    PNG_BASE64,
    answer,
    category,
    multichoice,
    question,
    quiz,
    realistic_export,
    tags,
)

BANKS = sorted(Path("/work/main/question_banks").glob("*.md"))
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def problems(conversion) -> list[tuple[str, str, str]]:
    return [(problem.kind, problem.location, str(problem.message)) for problem in conversion.problems]


def read(*questions: str):
    return read_moodle_xml("bank.xml", quiz(*questions))


def only_draft(*questions: str) -> QuestionDraft:
    conversion = read(*questions)
    assert len(conversion.drafts) == 1, problems(conversion)
    return conversion.drafts[0]


def reparsed(conversion):
    result = parse_bank(write_bank(conversion.drafts, key="moodle", title=conversion.title), source="moodle.md")
    assert result.ok, [str(error) for error in result.errors]
    return result.bank


# --- a realistic Moodle export -------------------------------------------------------------------

def test_realistic_export_converts_each_type_and_reports_every_question_it_leaves_out():
    conversion = read_moodle_xml("bank.xml", realistic_export())

    assert conversion.title == "网络基础"
    assert Counter(draft.qtype for draft in conversion.drafts) == {
        "single": 1, "multiple": 2, "truefalse": 1, "fill": 4, "short": 1}
    assert [problem for problem in problems(conversion) if problem[0] == "skipped"] == [
        ("skipped", "question 9 (心得体会)", "not converted: an essay without grader information: our short "
         "questions need a reference answer; write one in the essay's \"Information for graders\""),
        ("skipped", "question 11 (协议选择)", "not converted: blank 1 of the cloze question is MULTICHOICE, which "
         "our fill blanks can't express (they take typed answers: SHORTANSWER or NUMERICAL); rewrite it as a "
         "choice question"),
        ("skipped", "question 12 (端口配对)", "not converted: a Moodle matching question has no equivalent among "
         "our types; rewrite each pair as a single-choice question"),
        ("skipped", "question 13 (带宽计算)", "not converted: a Moodle calculated question computes its numbers "
         "from a formula; write it with fixed numbers as a fill question"),
        ("skipped", "question 14 (说明)", "not converted: a description is not a question"),
        ("skipped", "question 15 (拖放)", "not converted: a Moodle drag-and-drop into text question has no "
         "equivalent; rewrite it as a fill question with typed answers"),
        ("skipped", "question 16 (选词)", "not converted: a Moodle select-missing-words question has no "
         "equivalent; rewrite it as a fill question with typed answers"),
        ("skipped", "question 17 (多选计算)", "not converted: a Moodle calculated question computes its numbers "
         "from a formula; write it with fixed numbers as a fill question"),
        ("skipped", "question 18 (随机匹配)", "not converted: a Moodle random short-answer matching question only "
         "draws other questions; import those questions themselves"),
        ("skipped", "question 19 (随机题)", "not converted: a Moodle random question only draws other questions; "
         "import those questions themselves"),
        ("skipped", "question 20 (排序题)", "not converted: Moodle question type 'ordering' has no equivalent "
         "among our types (single, multiple, truefalse, fill, short, analysis)"),
    ]
    assert [problem for problem in problems(conversion) if problem[0] != "skipped"] == [
        ("warning", "question 1 (HTTPS 默认端口)", "the feedback of each answer was not converted (our questions "
         "have one explanation): move what matters into the general feedback"),
        ("warning", "question 3 (加权多选)", "Moodle's weights of the right answers (60%, 40%) became our partial "
         "scoring: each right option counts the same"),
        ("warning", "question 5 (文件权限)", "the answer '75' worth 50% was dropped: a blank accepts only fully "
         "right answers"),
        ("warning", "question 6 (命令名)", "the answer 'net*' was dropped: `*` is Moodle's wildcard, which our "
         "blanks don't have; list the accepted answers"),
        ("warning", "question 7 (可用性)", "the units 小时 were dropped: a number blank takes its number in one "
         "unit (分钟)"),
        ("warning", "question 10 (私有地址段)", "the answer '192.168.0.0' worth 50% was dropped: a blank accepts "
         "only fully right answers"),
        ("warning", "question 10 (私有地址段)", "the blanks' weights (1, 2) were dropped: each blank is worth an "
         "equal share here"),
        ("warning", "question 10 (私有地址段)", "the feedback of each answer was not converted (our questions "
         "have one explanation): move what matters into the general feedback"),
    ]


def test_realistic_export_keeps_what_each_moodle_question_says():
    single, weighted_free, weighted, truefalse, permissions, command, availability, essay, cloze = read_moodle_xml(
        "bank.xml", realistic_export()).drafts

    assert (single.title, single.key, single.points, single.tags) == ("HTTPS 默认端口", "net-001", 1.0,
                                                                      ["网络基础", "端口", "协议"])
    assert single.stem == ("如图所示，用户访问 **https://portal.example.com**，默认连接哪个端口？\n\n"
                           "![网络拓扑](images/拓扑图.png)")
    assert single.options == [Option("80"), Option("443", True), Option("8080")]
    assert single.explanation == "HTTPS 默认端口是 443。"
    assert (weighted_free.qtype, weighted_free.scoring, weighted_free.shuffle, weighted_free.points) == (
        "multiple", "partial", False, 2.0)
    assert [option.correct for option in weighted_free.options] == [True, True, False, False]
    assert [option.correct for option in weighted.options] == [True, True, False]
    assert (truefalse.answer, truefalse.stem) == (True, "ping 命令使用 ICMP 协议。")
    # `____` is where the blank goes; a later category is the tag of the questions after it.
    assert permissions.stem == "Linux 文件权限 rwxr-x--- 用八进制表示为 {{1}} 。"
    assert (permissions.blanks, permissions.tags, permissions.case_sensitive) == (
        [Blank(["750", "0750"])], ["操作系统"], False)
    assert (command.stem, command.blanks, command.case_sensitive) == (
        "查看监听端口的 Linux 命令\n\n{{1}}", [Blank(["ss"])], True)
    assert (availability.stem, availability.blanks, availability.points) == (
        "99.99% 可用性对应的全年停机时间约为多少分钟？\n\n{{1}} 分钟", [Blank(["52.56"], 0.5)], 3.0)
    assert (essay.qtype, essay.stem, essay.points) == ("short", "阅读案例，分析根因并给出处理步骤。", 10.0)
    assert essay.case == "高峰期间歇性超时，日志出现 `Timeout waiting for connection`。"
    assert (essay.reference, essay.rubric) == ("连接未归还导致连接池耗尽。",
                                               [RubricItem(4.0, "指出连接泄漏"), RubricItem(6.0, "给出修复")])
    assert cloze.stem == "私有地址段有 172.16.0.0/{{1}} 和 {{2}}。"
    assert cloze.blanks == [Blank(["12"]), Blank(["192.168.0.0/16", "192.168.0.0 255.255.0.0"])]
    assert cloze.points == 3.0  # Moodle's cloze mark: the sum of its blanks' weights


def test_realistic_export_images_are_stored_under_images():
    conversion = read_moodle_xml("bank.xml", realistic_export())
    assert conversion.files == {"images/拓扑图.png": PNG}


def test_realistic_export_becomes_a_valid_bank_with_the_same_questions():
    conversion = read_moodle_xml("bank.xml", realistic_export())
    bank = reparsed(conversion)

    assert bank.title == "网络基础"
    assert [(question.qtype, question.title, question.points) for question in bank.questions] == [
        ("single", "HTTPS 默认端口", 1.0), ("multiple", "传输层协议", 2.0), ("multiple", "加权多选", 1.0),
        ("truefalse", "ping 使用 ICMP", 1.0), ("fill", "文件权限", 1.0), ("fill", "命令名", 1.0),
        ("fill", "可用性", 3.0), ("short", "连接池耗尽", 10.0), ("fill", "私有地址段", 3.0)]
    single, multiple, _, truefalse, permissions, _, availability, essay, cloze = bank.questions
    assert single.key == "net-001"
    assert single.payload["options"][1] == {"md": "443", "correct": True}
    assert (multiple.payload["scoring"], multiple.payload["shuffle"]) == ("partial", False)
    assert truefalse.payload == {"answer": True}
    assert permissions.payload["blanks"][0]["answers"] == ["750", "0750"]
    assert availability.payload["blanks"][0] == {"answers": ["52.56"], "number": 52.56, "tolerance": 0.5,
                                                 "unit": "分钟"}
    assert essay.payload["rubric"] == [{"points": 4.0, "text": "指出连接泄漏"}, {"points": 6.0, "text": "给出修复"}]
    assert [blank["answers"] for blank in cloze.payload["blanks"]] == [
        ["12"], ["192.168.0.0/16", "192.168.0.0 255.255.0.0"]]


# --- the round trip: our banks out to Moodle XML and back --------------------------------------

def bank_of(path: Path):
    result = load_bank_bytes(path.read_bytes(), source=str(path))
    assert result.ok, [str(error) for error in result.errors]
    return result.bank


def crafted_bank():
    result = load_bank_bytes(CRAFTED_BANK.encode("utf-8"), source="crafted.md")
    assert result.ok, [str(error) for error in result.errors]
    return result.bank


@pytest.mark.parametrize("bank", [*(bank_of(path) for path in BANKS), crafted_bank()],
                         ids=[*(path.name for path in BANKS), "crafted"])
def test_export_reads_back_as_the_same_questions(bank):
    exported = write_moodle_xml(drafts_of(bank), key=bank.key, title=bank.title)
    conversion = read_moodle_xml(f"{bank.key}.xml", exported)

    assert problems(conversion) == []
    assert conversion.title == bank.title
    again = reparsed(conversion)
    assert [question.fingerprint for question in again.questions] == [question.fingerprint for question in
                                                                      bank.questions]
    assert [question.key for question in again.questions] == [question.key for question in bank.questions]


def test_the_banks_are_there():
    assert len(BANKS) >= 3


def test_crafted_bank_covers_each_moodle_form_of_our_questions():
    exported = write_moodle_xml(drafts_of(crafted_bank()), key="crafted", title="全功能/题库")
    root = SafeET.fromstring(exported)
    kinds = Counter(element.get("type") for element in root.findall("question"))
    assert kinds == {"category": 1, "multichoice": 4, "truefalse": 2, "shortanswer": 1, "numerical": 4,
                     "cloze": 4, "essay": 3}
    assert root.find("question/category/text").text == "$course$/top/全功能//题库"  # Moodle's escaped `/`


def test_export_has_the_elements_moodle_reads():
    draft = QuestionDraft("multiple", "哪些协议工作在传输层？", title="传输层", key="net-9", points=2.0,
                          difficulty=2, tags=["网络"], dimension="专业技能", explanation="TCP 与 UDP。",
                          options=[Option("TCP", True), Option("UDP", True), Option("HTTP")],
                          shuffle=False, scoring="partial")
    root = SafeET.fromstring(write_moodle_xml([draft], key="net", title="网络基础"))

    assert root.tag == "quiz"
    category_entry, element = root.findall("question")
    assert category_entry.find("category/text").text == "$course$/top/网络基础"
    assert category_entry.find("info/text").text == "examengine-bank: net"
    assert element.get("type") == "multichoice"
    assert [child.tag for child in element][:13] == [
        "name", "questiontext", "generalfeedback", "defaultgrade", "penalty", "hidden", "idnumber", "single",
        "shuffleanswers", "answernumbering", "showstandardinstruction", "correctfeedback",
        "partiallycorrectfeedback"]
    assert element.find("name/text").text == "传输层"
    assert element.find("questiontext").get("format") == "markdown"
    assert element.find("questiontext/text").text == "哪些协议工作在传输层？"
    assert element.find("generalfeedback/text").text == "TCP 与 UDP。"
    assert (element.find("defaultgrade").text, element.find("hidden").text, element.find("idnumber").text) == (
        "2.0000000", "0", "net-9")
    assert (element.find("single").text, element.find("shuffleanswers").text) == ("false", "false")
    assert [(item.get("fraction"), item.get("format"), item.find("text").text)
            for item in element.findall("answer")] == [
        ("50", "markdown", "TCP"), ("50", "markdown", "UDP"), ("-100", "markdown", "HTTP")]
    assert [tag.text for tag in element.findall("tags/tag/text")] == [
        "网络", "examengine-scoring:partial", "difficulty:2", "dimension:专业技能"]


def multiple_draft(scoring, right=2):
    options = [Option(f"对{index}", True) for index in range(right)] + [Option("错")]
    return QuestionDraft("multiple", "选出正确的", title="多选", points=2.0, options=options, scoring=scoring)


@pytest.mark.parametrize(("scoring", "tag"), [
    ("partial", "examengine-scoring:partial"), ("all-or-nothing", "examengine-scoring:all-or-nothing"),
    (None, "examengine-scoring:exam")])
def test_multiple_scoring_is_written_as_shares_and_a_tag_and_read_back(scoring, tag):
    root = SafeET.fromstring(write_moodle_xml([multiple_draft(scoring, right=3)], key="b", title="B"))
    element = root.findall("question")[1]
    # Shares Moodle's grade list has (1/3 = 33.33333%), wrong options cancel everything.
    assert [item.get("fraction") for item in element.findall("answer")] == ["33.33333"] * 3 + ["-100"]
    assert tag in [text.text for text in element.findall("tags/tag/text")]

    draft = only_draft(ET_tostring(element))
    assert (draft.scoring, [option.correct for option in draft.options]) == (scoring, [True, True, True, False])
    assert draft.tags == []


def ET_tostring(element) -> str:  # noqa: N802 -- reads like the ElementTree call it wraps
    return ET.tostring(element, encoding="unicode")


def test_difficulty_and_dimension_tags_written_in_moodle_become_metadata_not_tags():
    draft = only_draft(question("truefalse", "判断", "<p>对吗？</p>", answer("100", "true") + answer("0", "false")
                                + tags("网络", "difficulty:4", "dimension:故障诊断", "difficulty:hard")))
    assert (draft.difficulty, draft.dimension, draft.tags) == (4, "故障诊断", ["网络", "difficulty:hard"])


def test_multiple_without_our_tag_is_partial_like_moodle_grades_it():
    draft = only_draft(multichoice("多选", "<p>选出传输层协议</p>", answer("50", "TCP") + answer("50", "UDP")
                                   + answer("0", "HTTP"), single="false"))
    assert draft.scoring == "partial"


def test_more_than_ten_right_options_get_shares_moodle_accepts():
    root = SafeET.fromstring(write_moodle_xml([multiple_draft("partial", right=12)], key="b", title="B"))
    fractions = [float(item.get("fraction")) for item in root.findall("question")[1].findall("answer")]
    assert fractions[:12] == [10.0] * 8 + [5.0] * 4 and sum(fractions[:12]) == 100 and fractions[12] == -100


def test_our_bank_category_is_the_title_and_no_tag_but_moodle_categories_are_tags():
    ours = read(category("$course$/top/网络基础").replace(
        "<text></text>\n    </info>", "<text>examengine-bank: net</text>\n    </info>"),
        question("truefalse", "判断", "<p>对吗？</p>", answer("100", "true") + answer("0", "false")))
    theirs = read(category("$course$/top/网络基础"),
                  question("truefalse", "判断", "<p>对吗？</p>", answer("100", "true") + answer("0", "false")))
    assert (ours.title, ours.drafts[0].tags) == ("网络基础", [])
    assert (theirs.title, theirs.drafts[0].tags) == ("网络基础", ["网络基础"])


def test_untitled_question_gets_a_name_from_its_text_and_reads_back_untitled():
    draft = QuestionDraft("truefalse", "RAID 1 可以代替备份，这是一个很长很长很长很长很长很长很长很长的判断题题干。",
                          answer=False, points=1.0)
    root = SafeET.fromstring(write_moodle_xml([draft], key="b", title="B"))
    element = root.findall("question")[1]
    assert element.find("name/text").text == "RAID 1 可以代替备份，这是一个很长很长很长很长很长很长很长很长的判断题题干"  # 40
    assert only_draft(ET_tostring(element)).title == ""


def test_short_and_analysis_keep_case_rubric_and_type_through_essay():
    analysis = QuestionDraft("analysis", "分析根因。", title="连接池", points=10.0, case="高峰期超时。",
                             reference="连接泄漏。", rubric=[RubricItem(4, "影响范围"), RubricItem(6, "根因")])
    short = QuestionDraft("short", "解释 DNS 缓存。", title="DNS", points=2.0, reference="TTL 内缓存。")
    root = SafeET.fromstring(write_moodle_xml([analysis, short], key="b", title="B"))
    essay = root.findall("question")[1]
    assert essay.get("type") == "essay"
    assert essay.find("questiontext/text").text == "分析根因。\n\n### 案例\n\n高峰期超时。"
    assert essay.find("graderinfo/text").text == "连接泄漏。\n\n### 评分标准\n\n- (4) 影响范围\n- (6) 根因"

    back = read_moodle_xml("b.xml", ET_tostring(root).encode("utf-8")).drafts
    assert [(draft.qtype, draft.stem, draft.case, draft.reference, draft.rubric) for draft in back] == [
        ("analysis", "分析根因。", "高峰期超时。", "连接泄漏。", [RubricItem(4, "影响范围"), RubricItem(6, "根因")]),
        ("short", "解释 DNS 缓存。", "", "TTL 内缓存。", [])]


@pytest.mark.parametrize(("blank", "stem", "moodle_type"), [
    (Blank(["HTTPS", "TLS"]), "安全的 HTTP 是 {{1}}。", "shortanswer"),
    (Blank(["443"]), "端口是 {{1}}。", "numerical"),
    (Blank(["3.14"], 0.01), "π ≈ {{1}}", "numerical"),
    (Blank(["5"], 0.0), "答案 {{1}}", "cloze"),
    (Blank(["x"]), "名字 snake___case 与 {{1}}", "cloze"),  # the reader would put the blank at `___`
])
def test_one_blank_fill_takes_the_moodle_type_that_reads_back_the_same(blank, stem, moodle_type):
    draft = QuestionDraft("fill", stem, title="填空", points=1.0, blanks=[blank])
    root = SafeET.fromstring(write_moodle_xml([draft], key="b", title="B"))
    element = root.findall("question")[1]
    assert element.get("type") == moodle_type
    back = only_draft(ET_tostring(element))
    assert (back.stem, back.blanks) == (stem, [blank])


# --- reading details -----------------------------------------------------------------------------

def test_cloze_syntax_alternatives_feedback_tolerance_and_case():
    draft = only_draft(question(
        "cloze", "完形", "{1:SHORTANSWER:=a~=b#fb} 与 {2:NM:=3.14:0.01} 与 {3:SAC:=Linux\\}x}", fmt="markdown",
        grade=None))
    assert draft.stem == "{{1}} 与 {{2}} 与 {{3}}"
    assert draft.blanks == [Blank(["a", "b"]), Blank(["3.14"], 0.01), Blank(["Linux}x"])]
    assert draft.case_sensitive is True
    assert draft.points == 6.0


def test_shortanswer_blank_goes_at_the_first_underscores_else_at_the_end():
    body = "    <usecase>0</usecase>\n" + answer("100", "22", fmt="moodle_auto_format")
    first = only_draft(question("shortanswer", "端口", "<p>SSH ____ 端口，不是 ___ 这里</p>", body))
    end = only_draft(question("shortanswer", "端口", "<p>SSH 的默认端口？</p>", body))
    assert first.stem == "SSH {{1}} 端口，不是 \\_\\_\\_ 这里"
    assert end.stem == "SSH 的默认端口？\n\n{{1}}"


def test_literal_double_braces_in_a_moodle_text_are_escaped_for_our_fill_syntax():
    draft = only_draft(question("shortanswer", "模板", "<p>Jinja 写作 {{ name }}：____</p>",
                                "    <usecase>0</usecase>\n" + answer("100", "变量", fmt="moodle_auto_format")))
    assert draft.stem == "Jinja 写作 \\{{ name }}：{{1}}"
    assert reparsed(read(question("shortanswer", "模板", "<p>Jinja 写作 {{ name }}：____</p>",
                                  "    <usecase>0</usecase>\n" + answer("100", "变量", fmt="moodle_auto_format")))
                    ).questions[0].payload["blanks"][0]["answers"] == ["变量"]


def test_formats_plain_text_is_escaped_markdown_is_kept_html_is_converted():
    plain = only_draft(question("truefalse", "纯文本", "1. 不是列表 *也不是强调* <b>", answer("100", "true"),
                                fmt="plain_text"))
    markdown = only_draft(question("truefalse", "Markdown", "**加粗** 与 `代码`", answer("100", "true"),
                                   fmt="markdown"))
    auto = only_draft(question("truefalse", "自动", "第一行\n第二行", answer("100", "true"),
                               fmt="moodle_auto_format"))
    assert plain.stem == "1\\. 不是列表 \\*也不是强调\\* \\<b\\>"
    assert markdown.stem == "**加粗** 与 `代码`"
    assert auto.stem == "第一行  \n第二行"


def test_idnumber_that_is_not_an_id_and_a_repeated_idnumber_are_warned_and_dropped():
    tf = answer("100", "true") + answer("0", "false")
    conversion = read(question("truefalse", "甲", "<p>甲</p>", tf, idnumber="a b"),
                      question("truefalse", "乙", "<p>乙</p>", tf, idnumber="q-1"),
                      question("truefalse", "丙", "<p>丙</p>", tf, idnumber="q-1"))
    assert [draft.key for draft in conversion.drafts] == [None, "q-1", None]
    assert problems(conversion) == [
        ("warning", "question 1 (甲)", "the idnumber 'a b' is not valid: use up to 100 letters, digits, `_`, `-` "
         "or `.`, without spaces; the question was converted without an id"),
        ("warning", "question 3 (丙)", "the idnumber 'q-1' is used by an earlier question too; this one was "
         "converted without an id"),
    ]


def test_default_grade_zero_or_bad_gives_our_default_points():
    tf = answer("100", "true") + answer("0", "false")
    conversion = read(question("truefalse", "零分", "<p>甲</p>", tf, grade="0.0000000"),
                      question("truefalse", "坏分", "<p>乙</p>", tf, grade="1e999"))
    assert [draft.points for draft in conversion.drafts] == [None, None]
    assert problems(conversion) == [
        ("warning", "question 1 (零分)", "the default mark is 0; the question gets the default points of its type"),
        ("warning", "question 2 (坏分)", "the default mark '1e999' is not a number from 0 to 1000; the question "
         "gets the default points of its type"),
    ]


def image_question(name: str, content: str, reference: str | None = None) -> str:
    files = f'<file name="{name}" path="/" encoding="base64">{content}</file>\n'
    text = f'<p>看图</p><p><img src="@@PLUGINFILE@@/{reference or name}"></p>'
    return question("truefalse", "图", text, answer("100", "true"), files=files)


def test_images_that_are_not_png_jpeg_gif_webp_or_are_damaged_or_missing_are_left_out_with_a_warning():
    conversion = read(image_question("a.svg", "PHN2Zz4="), image_question("b.png", "bm90IGEgcG5n"),
                      image_question("c.png", PNG_BASE64, reference="d.png"))
    assert conversion.files == {}
    assert [problem[2] for problem in problems(conversion)] == [
        "image 'a.svg' was left out: only PNG, JPEG, GIF and WebP images are converted",
        "image 'b.png' was left out: its content is not a PNG image (damaged base64?)",
        "image 'd.png' is referenced but not included in the file: export the questions again with their files",
    ]


def test_images_pasted_as_image_png_in_two_questions_get_two_names():
    other = PNG + b"other"
    conversion = read(image_question("image.png", PNG_BASE64),
                      image_question("image.png", base64.b64encode(other).decode()))
    assert conversion.files == {"images/image.png": PNG, "images/image-2.png": other}
    assert [draft.stem for draft in conversion.drafts] == ["看图\n\n![](images/image.png)",
                                                           "看图\n\n![](images/image-2.png)"]


def test_image_names_with_spaces_are_made_safe_for_markdown():
    conversion = read(image_question("my shot (1).png", PNG_BASE64, reference="my%20shot%20%281%29.png"))
    assert list(conversion.files) == ["images/my_shot_1_.png"]


# --- bad input -----------------------------------------------------------------------------------

def test_malformed_xml_is_one_error_with_its_line_and_column():
    data = '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n  <question type="truefalse">\n' \
           '    <name><text>中文</name>\n</quiz>\n'
    conversion = read_moodle_xml("bank.xml", data.encode("utf-8"))
    # Columns count characters from 1 (中文 are two): expat points at the name in `</name>`.
    assert problems(conversion) == [("error", "4:21", "this is not well-formed XML (mismatched tag): a Moodle "
                                                     "export is; fix the file here or export it again")]
    assert conversion.drafts == []


def test_billion_laughs_is_refused_without_expanding_the_entities():
    entities = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
    data = (f'<?xml version="1.0"?>\n<!DOCTYPE quiz [\n<!ENTITY lol0 "lol">{entities}]>\n'
            "<quiz><question type=\"truefalse\"><name><text>&lol9;</text></name></question></quiz>")
    started = time.monotonic()
    conversion = read_moodle_xml("bomb.xml", data.encode("utf-8"))
    assert time.monotonic() - started < 2
    assert problems(conversion) == [("error", "3:1", "the file declares XML entities or an external DTD, which "
                                                    "are refused for safety (a Moodle export has none): remove the "
                                                    "<!DOCTYPE ...> part")]


def test_external_entity_is_refused():
    data = ('<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
            "<quiz>&secret;</quiz>")
    conversion = read_moodle_xml("x.xml", data.encode("utf-8"))
    assert [problem[:2] for problem in problems(conversion)] == [("error", "2:17")]


def test_question_without_questiontext_is_an_error_at_that_question_and_the_others_convert():
    tf = answer("100", "true") + answer("0", "false")
    broken = question("truefalse", "坏题", "x", tf).replace(
        '<questiontext format="html">\n      <text><![CDATA[x]]></text>\n    </questiontext>\n', "")
    conversion = read(question("truefalse", "好题", "<p>对</p>", tf), broken)
    assert [draft.title for draft in conversion.drafts] == ["好题"]
    assert problems(conversion) == [("error", "question 2 (坏题)", "the question has no <questiontext>: every "
                                                                  "Moodle question has one; export the question "
                                                                  "again")]


def test_a_file_that_is_not_a_moodle_export_says_so():
    conversion = read_moodle_xml("x.xml", b'<?xml version="1.0"?><assessmentItem/>')
    assert problems(conversion) == [("error", "1:1", "the root element is <assessmentItem>, not <quiz>: this is "
                                                    "not a Moodle XML question export (in Moodle: Question bank > "
                                                    "Export > Moodle XML format)")]
    assert problems(read_moodle_xml("x.xml", b"")) == [("error", "", "the file is empty")]
    assert problems(read_moodle_xml("x.xml", b"<quiz></quiz>")) == [
        ("error", "", "no questions found: a Moodle XML export holds <question> elements inside <quiz>")]


def test_gbk_file_is_read_whether_or_not_it_declares_its_encoding():
    text = question("truefalse", "中文判断", "<p>这是一道用简体中文写的判断题，保存为 GBK 编码。</p>",
                    answer("100", "true") + answer("0", "false"))
    declared = ('<?xml version="1.0" encoding="GBK"?>\n<quiz>\n' + text + "</quiz>\n").encode("gbk")
    undeclared = ("<quiz>\n" + text + "</quiz>\n").encode("gbk")
    assert only_draft_of(declared).stem == "这是一道用简体中文写的判断题，保存为 GBK 编码。"
    conversion = read_moodle_xml("gbk.xml", undeclared)
    assert [draft.title for draft in conversion.drafts] == ["中文判断"]
    assert problems(conversion) == [("warning", "", "the file is not UTF-8 but looks like GBK (GB18030); it was "
                                                   "read as GBK (GB18030): check the Chinese text, and save the "
                                                   "file as UTF-8")]


def only_draft_of(data: bytes) -> QuestionDraft:
    conversion = read_moodle_xml("x.xml", data)
    assert problems(conversion) == [] and len(conversion.drafts) == 1
    return conversion.drafts[0]


def test_truefalse_without_a_full_answer_is_skipped():
    conversion = read(question("truefalse", "无答案", "<p>对吗？</p>", answer("50", "true") + answer("0", "false")))
    assert problems(conversion) == [("skipped", "question 1 (无答案)", "not converted: neither answer (true, false) "
                                                                     "is worth 100%")]


def test_single_choice_without_exactly_one_full_answer_is_skipped():
    conversion = read(multichoice("两个对", "<p>选一个</p>", answer("100", "A") + answer("100", "B")))
    assert problems(conversion) == [("skipped", "question 1 (两个对)", "not converted: a one-answer choice "
                                                                     "question needs exactly one answer worth "
                                                                     "100%, found 2")]


# --- never raises --------------------------------------------------------------------------------

@FUZZ
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_give_a_conversion(data):
    conversion = read_moodle_xml("fuzz.xml", data)
    assert not any("internal error" in str(problem.message) for problem in conversion.problems)


QTYPES = st.sampled_from(["multichoice", "truefalse", "shortanswer", "numerical", "essay", "cloze", "matching",
                          "category", "multianswer", "description", "x"])
FORMATS = st.sampled_from(["html", "markdown", "plain_text", "moodle_auto_format", "wiki_like", "?"])
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=200)
CLOZE_TEXT = st.lists(st.sampled_from(["{", "}", "1", ":", "SA:", "NM:", "SAC:", "MC:", "=", "~", "#", "%50%",
                                       "\\", "&amp;", "*", "____", "\ue000", "3.14", " ", "中", "<p>", "{{"]),
                      max_size=30).map("".join)


FRACTIONS = st.one_of(st.sampled_from(["100", "0", "50", "-100", "33.33333", "-50"]), TEXT)
VALUES = st.one_of(st.sampled_from(["true", "false", "443", "3.14", "3,14", "*", "net*", "a\\*b", "0", ""]), TEXT,
                   CLOZE_TEXT)
FLAGS = st.one_of(st.sampled_from(["true", "false", "1", "0", ""]), TEXT)


def xml(value: str) -> str:
    """The characters of `value` that XML can hold, escaped."""
    return escape("".join(char for char in value if char in "\t\n" or char >= " " and char not in "\ufffe\uffff"))


@FUZZ
@given(QTYPES, FORMATS, st.one_of(TEXT, CLOZE_TEXT), st.one_of(st.sampled_from(["2", "0", "1e999"]), TEXT),
       FLAGS, st.lists(st.tuples(FRACTIONS, VALUES, VALUES), max_size=4), TEXT)
def test_arbitrary_text_inside_a_well_formed_question_gives_a_conversion(qtype, fmt, text, grade, flag, answers,
                                                                          tag):
    body = "".join(f'<answer fraction="{xml(fraction)}"><text>{xml(value)}</text><tolerance>{xml(tolerance)}'
                   f"</tolerance><feedback><text>{xml(value)}</text></feedback></answer>"
                   for fraction, value, tolerance in answers)
    data = (f'<quiz><question type="{qtype}"><name><text>{xml(tag)}</text></name>'
            f'<category><text>{xml(text)}</text></category>'
            f'<questiontext format="{fmt}"><text>{xml(text)}</text>'
            f'<file name="{xml(tag)}" path="/">{xml(text)}</file></questiontext>'
            f'<graderinfo format="{fmt}"><text>{xml(text)}</text></graderinfo>'
            f"<defaultgrade>{xml(grade)}</defaultgrade><idnumber>{xml(tag)}</idnumber>"
            f"<single>{xml(flag)}</single><usecase>{xml(flag)}</usecase><units><unit><unit_name>{xml(tag)}"
            f"</unit_name><multiplier>{xml(grade)}</multiplier></unit></units>{body}"
            f"<tags><tag><text>{xml(tag)}</text></tag></tags></question></quiz>").encode()
    conversion = read_moodle_xml("fuzz.xml", data)
    assert not any("internal error" in str(problem.message) for problem in conversion.problems)
    for draft in conversion.drafts:
        write_bank([draft])
