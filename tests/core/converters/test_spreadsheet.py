"""The spreadsheet template (XLSX/CSV) in, XLSX out: read_xlsx, read_csv, write_xlsx, template_xlsx."""
from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from examengine.core.banks import load_bank_bytes, parse_bank
from examengine.core.converters import drafts_of, write_bank
from examengine.core.converters.drafts import Blank, Option, QuestionDraft, RubricItem
from examengine.core.converters.spreadsheet import read_csv, read_xlsx, readers, template_xlsx, write_xlsx
from examengine.core.converters.spreadsheet.cells import cell_text
from examengine.core.converters.spreadsheet.columns import COLUMNS

BANKS = sorted(Path(__file__).resolve().parents[3].joinpath("question_banks").glob("*.md"))
ZH = ["编号", "题型", "标题", "题干", "选项A", "选项B", "选项C", "选项D", "选项E", "答案", "分值", "难度", "标签",
      "能力维度", "解析", "案例", "参考答案", "评分标准", "乱序", "计分方式", "区分大小写"]
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- building files ----------------------------------------------------------------------------

def xlsx(rows: list[list], *, title: str = "题库", before: tuple[str, ...] = ()) -> bytes:
    """A workbook whose sheet `title` holds `rows` (values as given: numbers stay numbers), after empty
    sheets named `before`."""
    workbook = openpyxl.Workbook()
    workbook.active.title = before[0] if before else title
    for name in before[1:]:
        workbook.create_sheet(name)
    sheet = workbook.create_sheet(title) if before else workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list], *, encoding: str = "utf-8", delimiter: str = ",", bom: bool = False) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter).writerows([["" if value is None else str(value) for value in row]
                                                    for row in rows])
    return (codecs.BOM_UTF8 if bom else b"") + out.getvalue().encode(encoding)


def record(values: dict) -> list:
    """A row of the Chinese template (ZH) from {header: value}."""
    return [values.get(header) for header in ZH]


def realistic_rows() -> list[list]:
    """100 questions as a support team writes them: 30 单选, 20 多选, 20 判断, 15 填空, 10 简答, 5 分析, with
    answers in every accepted spelling, numbers typed as numbers, and empty rows between."""
    rows = [ZH + ["备注"]]
    single_answers = ["B", "b", "Ｂ"]
    for n in range(30):
        rows.append(record({"编号": f"net-{n:03d}", "题型": "单选题" if n % 2 else "单选", "标题": f"端口题 {n}",
                            "题干": f"客户第 {n} 号工单：访问 `https://portal.example.com` 超时，服务器应监听哪个端口？",
                            "选项A": "80", "选项B": "443", "选项C": "8080", "选项D": f"{9000 + n}",
                            "答案": single_answers[n % 3], "分值": [None, 1, 2.0][n % 3], "难度": ["易", 2, "中"][n % 3],
                            "标签": "网络，端口、HTTPS", "能力维度": "产品/技术知识", "解析": "HTTPS 默认端口是 443。"}) + ["内部"])
        if n % 10 == 9:
            rows.append([None] * len(ZH))
    multiple_answers = ["AC", "A、C", "a,c", "Ａ，Ｃ"]
    for n in range(20):
        rows.append(record({"题型": "多选题", "题干": f"以下哪些是传输层协议？（第 {n} 题）", "选项A": "TCP",
                            "选项B": "HTTP", "选项C": "UDP", "选项D": "ICMP", "答案": multiple_answers[n % 4],
                            "计分方式": "部分得分" if n % 2 else None, "乱序": "否" if n % 5 == 0 else None,
                            "难度": 3, "标签": "协议"}))
    truefalse_answers = ["对", "错", "√", "×", "正确", "错误", "T", "F", True, "否"]
    for n in range(20):
        rows.append(record({"题型": "判断", "题干": f"ping 不通就能断定服务器已经宕机（第 {n} 题）。",
                            "答案": truefalse_answers[n % 10], "分值": 1}))
    for n in range(15):
        if n % 3 == 0:
            values = {"题干": f"HTTPS 的默认端口是 ____。（第 {n} 题）", "答案": 443}
        elif n % 3 == 1:
            values = {"题干": f"SSH 默认端口是（ ），DNS 默认使用（　）协议。（第 {n} 题）", "答案": "22；UDP|用户数据报协议"}
        else:
            values = {"题干": f"π 约等于 {{{{3.14 ± 0.01}}}}，第 {n} 题。", "区分大小写": "否"}
        rows.append(record({"题型": "填空题", "分值": 2.0, **values}))
    for n in range(10):
        rows.append(record({"题型": "简答题", "题干": f"请简述第 {n} 类“系统变慢”工单的排查思路。",
                            "参考答案": "先确认影响范围，再查看监控和日志。",
                            "评分标准": "(2) 确认影响范围\n- （3分）查看监控和日志" if n % 2 else None,
                            "分值": None if n % 2 else 5}))
    for n in range(5):
        rows.append(record({"题型": "案例分析题", "案例": f"某客户（第 {n} 例）高峰期出现 `Timeout waiting for connection`。",
                            "题干": "分析根因并给出处理步骤。", "参考答案": "连接泄漏导致连接池耗尽。",
                            "评分标准": "(3) 确认影响范围\n(4) 指出连接泄漏\n(3) 给出修复", "分值": 10, "难度": "难"}))
    return rows


def messages(conversion) -> list[tuple[str, str, str]]:
    return [(problem.location, problem.kind, str(problem.message)) for problem in conversion.problems]


def locations(conversion) -> list[tuple[str, str]]:
    return [(problem.location, problem.kind) for problem in conversion.problems]


def as_bank(conversion):
    result = parse_bank(write_bank(conversion.drafts, key="sheet", title=conversion.title))
    assert result.ok, result.errors[:5]
    return result.bank


def type_counts(drafts) -> dict[str, int]:
    return dict(Counter(draft.qtype for draft in drafts))


REALISTIC_COUNTS = {"single": 30, "multiple": 20, "truefalse": 20, "fill": 15, "short": 10, "analysis": 5}
UNKNOWN_NOTE = ("1", "warning", "unknown columns 备注 are ignored; the template's columns are "
                + ", ".join(column.header for column in COLUMNS))


# --- a realistic file ---------------------------------------------------------------------------

def test_realistic_xlsx_with_chinese_headers():
    conversion = read_xlsx("题库.xlsx", xlsx(realistic_rows()))
    assert messages(conversion) == [UNKNOWN_NOTE]
    assert type_counts(conversion.drafts) == REALISTIC_COUNTS
    drafts = conversion.drafts
    first = drafts[0]
    assert (first.key, first.title, first.points, first.difficulty) == ("net-000", "端口题 0", None, 1)
    assert first.tags == ["网络", "端口", "HTTPS"] and first.dimension == "产品/技术知识"
    assert [option.text for option in first.options] == ["80", "443", "8080", "9000"]
    assert [option.correct for option in first.options] == [False, True, False, False]
    assert all([o.correct for o in d.options] == [False, True, False, False] for d in drafts[:30])
    assert drafts[2].points == 2.0 and drafts[1].difficulty == 2
    multiple = [d for d in drafts if d.qtype == "multiple"]
    assert all([o.correct for o in d.options] == [True, False, True, False] for d in multiple)
    assert [d.scoring for d in multiple[:2]] == [None, "partial"] and [d.shuffle for d in multiple[:2]] == [False, True]
    truefalse = [d.answer for d in drafts if d.qtype == "truefalse"]
    assert truefalse == [True, False, True, False, True, False, True, False, True, False] * 2
    fills = [d for d in drafts if d.qtype == "fill"]
    assert fills[0].stem == "HTTPS 的默认端口是 {{1}}。（第 0 题）" and fills[0].blanks == [Blank(["443"])]
    assert fills[1].stem == "SSH 默认端口是{{1}}，DNS 默认使用{{2}}协议。（第 1 题）"
    assert fills[1].blanks == [Blank(["22"]), Blank(["UDP", "用户数据报协议"])]
    assert fills[2].stem == "π 约等于 {{1}}，第 2 题。" and fills[2].blanks == [Blank(["3.14"], 0.01)]
    short = [d for d in drafts if d.qtype == "short"]
    assert short[0].points == 5 and short[0].rubric == []
    assert short[1].rubric == [RubricItem(2.0, "确认影响范围"), RubricItem(3.0, "查看监控和日志")]
    analysis = [d for d in drafts if d.qtype == "analysis"][0]
    assert analysis.case.startswith("某客户（第 0 例）") and analysis.difficulty == 5 and len(analysis.rubric) == 3
    assert drafts[-1].location == str(len(realistic_rows()))  # rows counted from 1, header included


def test_realistic_xlsx_imports_as_a_bank():
    bank = as_bank(read_xlsx("题库.xlsx", xlsx(realistic_rows())))
    assert Counter(q.qtype for q in bank.questions) == REALISTIC_COUNTS
    by_key = {q.key: q for q in bank.questions if q.key}
    assert by_key["net-000"].points == 1.0 and by_key["net-002"].points == 2.0
    assert [o["correct"] for o in by_key["net-001"].payload["options"]] == [False, True, False, False]
    fills = [q for q in bank.questions if q.qtype == "fill"]
    assert fills[0].payload["blanks"][0]["answers"] == ["443"] and fills[0].points == 2.0
    assert fills[2].payload["blanks"][0]["tolerance"] == 0.01
    analysis = [q for q in bank.questions if q.qtype == "analysis"][0]
    assert analysis.points == 10 and analysis.payload["case"].startswith("某客户")
    short = [q for q in bank.questions if q.qtype == "short"]
    assert short[1].points == 5.0 and short[1].payload["rubric"][1] == {"points": 3.0, "text": "查看监控和日志"}


def test_english_headers_in_another_order():
    rows = [["Answer", "Stem", "Type", "A", "B", "option C", "Points", "Tags", "ID", "Reference answer", "Rubric"],
            ["b", "Which port does HTTPS use?", "single", "80", "443", "22", 2, "network; ports", "en-1", None, None],
            ["true", "RAID 1 replaces backups.", "TrueFalse", None, None, None, None, None, "en-2", None, None],
            [None, "Explain DNS caching.", "short", None, None, None, None, None, "en-3", "Resolvers keep answers for "
             "the TTL.", "(1) mentions the TTL\n(1) mentions resolvers"]]
    conversion = read_xlsx("english.xlsx", xlsx(rows))
    assert conversion.problems == []
    single, truefalse, short = conversion.drafts
    assert single.options == [Option("80"), Option("443", True), Option("22")]
    assert (single.points, single.tags, single.key) == (2, ["network", "ports"], "en-1")
    assert truefalse.answer is True and short.rubric == [RubricItem(1, "mentions the TTL"),
                                                         RubricItem(1, "mentions resolvers")]
    assert [q.points for q in as_bank(conversion).questions] == [2, 1, 2]


def test_headers_ignore_case_width_spaces_and_marks():
    rows = [["ＴＹＰＥ", " 题 干 *", "选项 a", "Option_B", "答案(必填)"], ["单选", "题目", "甲", "乙", "A"]]
    conversion = read_xlsx("x.xlsx", xlsx(rows))
    assert conversion.problems == [] and conversion.drafts[0].options == [Option("甲", True), Option("乙")]


def test_the_question_sheet_is_chosen_by_name():
    rows = [["题型", "题干", "答案"], ["判断", "ping 使用 ICMP。", "对"]]
    conversion = read_xlsx("x.xlsx", xlsx(rows, title="题库", before=("说明", "统计")))
    assert conversion.problems == [] and conversion.drafts[0].answer is True


def test_header_row_after_empty_rows_and_locations_follow_it():
    rows = [[], [None, None], ["题型", "题干", "答案"], ["判断", "ping 使用 ICMP。", "也许"]]
    conversion = read_xlsx("x.xlsx", xlsx(rows))
    assert locations(conversion) == [("C4", "error")]


def test_numbers_and_dates_typed_in_cells_read_as_text():
    import datetime

    rows = [["编号", "题型", "题干", "答案", "分值", "难度", "标签"],
            [1001, "填空", "端口是 ____，版本 ____", "443;2.5", 2.0, 3.0, datetime.date(2024, 5, 1)],
            [1002, "填空", "HTTPS 端口是 ____", 443, 1, 1, None]]
    conversion = read_xlsx("x.xlsx", xlsx(rows))
    assert conversion.problems == []
    first, second = conversion.drafts
    assert (first.key, first.points, first.difficulty, first.tags) == ("1001", 2.0, 3, ["2024-05-01"])
    assert second.blanks == [Blank(["443"])] and second.key == "1002"
    assert cell_text(0.1 + 0.2) == "0.3" and cell_text(443.0) == "443" and cell_text(True) == "TRUE"


def test_a_percentage_cell_reads_as_typed():
    workbook = openpyxl.Workbook()
    workbook.active.append(["题型", "题干", "答案"])
    workbook.active.append(["填空", "满意度应超过 ____", 0.85])
    workbook.active["C2"].number_format = "0%"
    out = io.BytesIO()
    workbook.save(out)
    assert read_xlsx("x.xlsx", out.getvalue()).drafts[0].blanks == [Blank(["85%"])]


def test_truefalse_answer_may_name_an_option():
    rows = [["题型", "题干", "选项A", "选项B", "答案"], ["判断题", "RAID 1 可以替代备份。", "正确", "错误", "B"]]
    conversion = read_xlsx("x.xlsx", xlsx(rows))
    assert conversion.problems == [] and conversion.drafts[0].answer is False


def test_cells_a_type_does_not_use_are_reported():
    rows = [["题型", "题干", "选项A", "答案", "参考答案", "乱序"], ["判断", "说法。", "甲", "对", "理由", "否"]]
    conversion = read_xlsx("x.xlsx", xlsx(rows))
    assert messages(conversion) == [("C2", "warning", "选项A is ignored: a 判断题 does not use it"),
                                    ("F2", "warning", "乱序 is ignored: a 判断题 does not use it"),
                                    ("E2", "warning", "参考答案 is ignored: a 判断题 does not use it")]
    assert len(conversion.drafts) == 1


# --- CSV ----------------------------------------------------------------------------------------

def test_csv_utf8_with_bom():
    conversion = read_csv("题库.csv", csv_bytes(realistic_rows(), bom=True))
    assert messages(conversion) == [UNKNOWN_NOTE]
    assert type_counts(conversion.drafts) == REALISTIC_COUNTS
    assert as_bank(conversion).questions[0].stem.startswith("客户第 0 号工单")


def test_csv_in_gbk_is_read_with_a_warning():
    conversion = read_csv("题库.csv", csv_bytes(realistic_rows(), encoding="gbk"))
    assert messages(conversion)[0] == ("", "warning", "the file is encoded as GBK (GB18030), not UTF-8; it was read "
                                       "as GBK (GB18030) (save it as \"CSV UTF-8\" to avoid this warning)")
    assert messages(conversion)[1:] == [UNKNOWN_NOTE]
    assert type_counts(conversion.drafts) == REALISTIC_COUNTS
    assert conversion.drafts[0].tags == ["网络", "端口", "HTTPS"]


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_csv_separated_by_semicolons_or_tabs(delimiter):
    conversion = read_csv("题库.csv", csv_bytes(realistic_rows(), delimiter=delimiter))
    assert type_counts(conversion.drafts) == REALISTIC_COUNTS


def test_csv_rows_are_records_even_with_line_breaks_in_cells():
    rows = [["题型", "题干", "参考答案", "评分标准"], ["简答", "第一行\n第二行", "参考", "(1) 甲\n(x) 乙"]]
    conversion = read_csv("x.csv", csv_bytes(rows))
    assert messages(conversion) == [("D2", "error", "line 2 of 评分标准: the points must be a number above 0, not 'x'")]


def test_csv_in_utf16_as_excel_saves_unicode_text():
    data = codecs.BOM_UTF16_LE + "题型\t题干\t答案\r\n判断\tping 使用 ICMP，对吗？\t对\r\n".encode("utf-16-le")
    conversion = read_csv("x.csv", data)
    assert [(p.kind, p.message.split(";")[0]) for p in conversion.problems] == [
        ("warning", "the file is encoded as UTF-16, not UTF-8")]
    assert conversion.drafts[0].answer is True


def test_csv_with_commas_in_a_semicolon_file():
    rows = [["题型", "题干", "答案"]] + [["判断", f"说法 {n}, 其中有逗号, 很多逗号。", "对"] for n in range(5)]
    assert len(read_csv("x.csv", csv_bytes(rows, delimiter=";")).drafts) == 5


def test_csv_not_text():
    conversion = read_csv("x.csv", bytes(range(256)) * 4)
    assert [p.kind for p in conversion.problems] == ["error"] and conversion.drafts == []


# --- bad input, with its location ---------------------------------------------------------------

BAD_ROWS = [
    ["编号", "题型", "题干", "选项A", "选项B", "选项C", "答案", "分值", "难度", "参考答案", "评分标准", "选项I"],
    ["q1", "论述题", "说明原因。", None, None, None, None, None, None, None, None, None],          # 2: unknown type
    ["q2", "单选", "端口？", "80", "443", None, "C", None, None, None, None, None],                   # 3: empty option
    ["q3", "单选", "端口？", "80", "443", "22", "AB", None, None, None, None, None],                 # 4: two answers
    ["q4", "填空", "端口 ____ 和 ____", None, None, None, "443", None, None, None, None, None],      # 5: count
    ["q5", "判断", "说法。", None, None, None, "对", 0, None, None, None, None],                      # 6: bad points
    ["q6", "判断", "说法。", None, None, None, "对", "两分", "很难", None, None, None],                # 7: text points
    ["q1", "简答", "说明。", None, None, None, None, 5, None, None, None, None],                      # 8: dup id, no ref
    ["q8", "分析", "分析。", None, None, None, None, 10, None, "参考", "(3) 甲\n(4) 乙", None],        # 9: total 7
    ["q9", "单选", "端口？", "80", "80", None, "A", 1001, None, None, None, "多余"],                 # 10: dup option
    ["q10", "填空", "π = ____", None, None, None, "3.14±", None, None, None, None, None],           # 11: tolerance
    ["q11", None, "没有题型", None, None, None, None, None, None, None, None, None],                 # 12: no type
    ["q12", "单选", "端口？", "80", "443", None, "X", None, None, None, None, None],                 # 13: past H
    ["q13", "多选", "端口？", "80", "443", None, "1", None, None, None, None, None],                 # 14: not letters
]


def test_every_bad_input_is_reported_at_its_cell_all_at_once():
    conversion = read_xlsx("bad.xlsx", xlsx(BAD_ROWS))
    assert messages(conversion) == [
        ("1", "warning", "columns 选项I are ignored: the template takes at most 8 options (选项A to 选项H)"),
        ("B2", "error", "unknown question type '论述题': use 单选题, 多选题, 判断题, 填空题, 简答题 or 分析题 (single, "
                        "multiple, truefalse, fill, short, analysis)"),
        ("G3", "error", "answer C names an empty option: fill in 选项C or correct the answer"),
        ("G4", "error", "a 单选题 takes exactly one answer letter, found 2 (AB): keep one, or make it a 多选题"),
        ("5", "error", "the stem has 2 blanks but 答案 gives 1 answers: separate the blanks' answers with ；"),
        ("H6", "error", "分值 must be a number above 0 and at most 1000, not '0'"),
        ("H7", "error", "分值 must be a number above 0 and at most 1000, not '两分'"),
        ("I7", "error", "difficulty must be 1 to 5, easy/medium/hard or 易/中/难, not '很难'"),
        ("A8", "error", "duplicate id 'q1': A2 already uses it; every question needs its own id"),
        ("J8", "error", "a 简答题 needs a 参考答案 (the reference answer reviewers grade against)"),
        ("9", "error", "the rubric totals 7 points but 分值 is 10: make them equal"),
        ("H10", "error", "分值 must be a number above 0 and at most 1000, not '1001'"),
        ("E10", "error", "option B is the same as option A: every option must differ"),
        ("G11", "error", "malformed numeric blank '3.14±': write a number and its tolerance as 3.14±0.01"),
        ("B12", "error", "题型 is empty: write the question type, e.g. 单选题"),
        ("G13", "error", "answer X: the template has options A to H only"),
        ("G14", "error", "答案 must be option letters such as B or AC, not '1'"),
    ]
    assert conversion.drafts == []


def test_missing_stem_column():
    conversion = read_xlsx("x.xlsx", xlsx([["题型", "问题", "答案"], ["判断", "说法。", "对"]]))
    assert messages(conversion) == [
        ("1", "warning", "unknown columns 问题 are ignored; the template's columns are "
         + ", ".join(column.header for column in COLUMNS)),
        ("1", "error", "missing column 题干: the first non-empty row (row 1) must hold the column headers, e.g. 题型, "
                       "题干, 选项A, 答案")]


def test_a_column_given_twice():
    conversion = read_xlsx("x.xlsx", xlsx([["题型", "题干", "stem", "答案"], ["判断", "说法。", "又一个", "对"]]))
    assert messages(conversion) == [("C1", "error", "column stem is given twice (also in B1): keep one of them")]


@pytest.mark.parametrize("reader", [read_xlsx, read_csv])
@pytest.mark.parametrize("data", [b"", b"   \n", codecs.BOM_UTF8])
def test_empty_file(reader, data):
    assert messages(reader("x", data)) == [("", "error", "the file is empty")]


def test_empty_sheet_and_header_only():
    assert locations(read_xlsx("x.xlsx", xlsx([]))) == [("", "error")]
    only_header = read_xlsx("x.xlsx", xlsx([["题型", "题干"]]))
    assert messages(only_header) == [("", "error", "no questions: put one question on each row below the header row "
                                                    "(row 1)")]


def test_not_a_zip():
    conversion = read_xlsx("题库.xlsx", "题型,题干\n判断,说法".encode())
    assert messages(conversion) == [("", "error", "this is not an .xlsx workbook (it is not a zip archive): save it in "
                                                  "Excel or WPS as .xlsx (Excel 工作簿), or use the .csv template")]


def test_old_xls_or_encrypted():
    conversion = read_xlsx("题库.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    assert [p.kind for p in conversion.problems] == ["error"] and ".xls" in conversion.problems[0].message


def test_a_zip_that_is_not_a_workbook():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    conversion = read_xlsx("x.xlsx", out.getvalue())
    assert [p.location for p in conversion.problems] == [""]
    assert conversion.problems[0].message.startswith("the workbook could not be read")


def test_zip_bomb_is_refused_before_openpyxl(monkeypatch):
    monkeypatch.setattr(readers, "MAX_ZIP_BYTES", 2**20)  # 1 MB here; 200 MB in use
    monkeypatch.setattr(openpyxl, "load_workbook", None)  # never reached
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (3 * 2**20))
    conversion = read_xlsx("x.xlsx", out.getvalue())
    assert messages(conversion) == [("", "error", "the workbook unpacks to 3 MB, over the limit of 1 MB: split the "
                                                  "questions into several files")]


def test_too_many_members_in_the_zip():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for n in range(readers.MAX_ZIP_MEMBERS + 1):
            archive.writestr(f"m{n}", b"")
    assert locations(read_xlsx("x.xlsx", out.getvalue())) == [("", "error")]


def test_a_formula_without_a_saved_value():
    rows = [["题型", "题干", "答案", "分值"], ["判断", "说法。", "对", "=1+1"], ["判断", "=\"拼\"&\"接\"", "错", None]]
    conversion = read_xlsx("x.xlsx", xlsx(rows))  # openpyxl saves formulas without values, as some tools do
    assert locations(conversion) == [("D2", "error"), ("B3", "error")]
    assert conversion.problems[0].message.startswith("this cell holds a formula without a saved value")


def test_problems_the_bank_check_finds_are_reported_at_their_row():
    rows = [["题型", "题干", "答案"], ["判断", "说法一。", "对"], ["判断", "代码：\n```bash\nls", "对"],
            ["判断", "说法三。", "错"]]
    conversion = read_xlsx("x.xlsx", xlsx(rows))
    assert locations(conversion) == [("3", "error")]
    assert "never closed" in conversion.problems[0].message
    rows[2][1], rows[3][1] = "代码：\n```bash\nls\n```", "x" * 4500
    conversion = read_xlsx("x.xlsx", xlsx(rows))
    assert locations(conversion) == [("4", "error")] and "4,000" in conversion.problems[0].message
    assert len(conversion.drafts) == 2


def test_identical_questions_without_ids():
    rows = [["题型", "题干", "答案"], ["判断", "说法。", "对"], ["判断", "说法。", "对"]]
    assert messages(read_xlsx("x.xlsx", xlsx(rows))) == [
        ("3", "error", "this question is the same as the one in row 2: delete one, or give them different 编号 (ids)")]


def test_questions_that_differ_only_in_defaults_are_identical_too():
    rows = [["题型", "题干", "答案", "分值"], ["判断", "说法。", "对", None], ["判断", "说法。", "对", 1]]
    assert messages(read_xlsx("x.xlsx", xlsx(rows))) == [
        ("3", "error", "this question is the same as the one in row 2: delete one, or give them different 编号 (ids)")]


def test_nul_in_a_csv_cell():
    conversion = read_csv("x.csv", "题型,题干,答案\n判断,说\0法,对\n".encode())
    assert messages(conversion) == [("B2", "error", "题干 holds a control character or a broken character (such as "
                                                    "NUL): delete it")]


# --- writing, and the round trip ----------------------------------------------------------------

CRAFTED = r"""---
id: crafted
title: 全功能题库
---

# 网络

## [single] 保持顺序
id: c-1
shuffle: false
points: 1.5

=SUM(A1:A3) 这样的内容不是公式；选择正确的说法：

- [ ] -1 是负数
- [x] +1 是正数
- [ ] @home 是一个词
- [ ] '=x 以撇号开头

### 解析
- 以减号开头的解析
- 第二行

## [multiple] 部分得分
scoring: partial
tags: 协议, 传输层

哪些是传输层协议？

```text
- [x] 代码里的任务列表不是选项
```

- [x] TCP
- [x] UDP
- [ ] ICMP

## [truefalse] 判断
answer: false
difficulty: 5
dimension: 故障诊断

-RAID 1 可以替代备份。

## [fill] 多个空
case_sensitive: true

SSH 端口 {{22}}，协议 {{HTTPS|HTTP over TLS}}，π ≈ {{3.14 ± 0.01}}，管道 {{a\|b}}，字面 \{{不是空}}。

## [fill]

'-下划线 ____ 不是空，括号 ( ) 也不是：{{443}}

## [short] 简答
points: 4

#N/A

### 参考答案
TTL 决定缓存时间。

### 评分标准
- (1.5) 提到 TTL
- (2.5) 提到递归解析器

## [analysis] 案例分析
dimension: 故障诊断

阅读案例：

```python
def leak():
    conn = pool.get()  # 未归还
```

### 案例
高峰期超时，日志出现 `Timeout waiting for connection`。

### 参考答案
连接泄漏。

### 评分标准
- (3) 确认影响范围
- (7) 指出连接泄漏

### 解析
=典型的连接泄漏。
"""


def round_trip(markdown: bytes, source: str):
    """Bank -> xlsx -> read -> bank: (original questions, questions read back, the conversion)."""
    original = load_bank_bytes(markdown, source=source)
    assert original.ok, original.errors
    data = write_xlsx(drafts_of(original.bank), key=original.bank.key, title=original.bank.title)
    conversion = read_xlsx(source + ".xlsx", data)
    return original.bank, as_bank(conversion), conversion


@pytest.mark.parametrize("path", BANKS, ids=[path.name for path in BANKS])
def test_every_bank_survives_the_round_trip(path):
    bank, again, conversion = round_trip(path.read_bytes(), str(path))
    assert conversion.problems == []
    assert conversion.title == bank.title
    assert [q.fingerprint for q in again.questions] == [q.fingerprint for q in bank.questions]
    assert [q.key for q in again.questions] == [q.key for q in bank.questions]


def test_a_bank_with_every_feature_survives_the_round_trip():
    bank, again, conversion = round_trip(CRAFTED.encode(), "crafted.md")
    assert conversion.problems == [] and conversion.title == "全功能题库"
    assert [q.fingerprint for q in again.questions] == [q.fingerprint for q in bank.questions]
    assert Counter(q.qtype for q in bank.questions) == {"single": 1, "multiple": 1, "truefalse": 1, "fill": 2,
                                                         "short": 1, "analysis": 1}
    fill = again.questions[3]
    assert [blank["answers"] for blank in fill.payload["blanks"]] == [["22"], ["HTTPS", "HTTP over TLS"], ["3.14"],
                                                                       ["a|b"]]
    assert fill.payload["case_sensitive"] is True and again.questions[0].payload["shuffle"] is False


NINE_OPTIONS = """## [multiple] 九个选项

选出偶数。

""" + "\n".join(f"- [{'x' if n % 2 == 0 else ' '}] {n}" for n in range(1, 10)) + "\n"


def test_more_than_eight_options_are_written_and_reported_on_reading():
    bank = load_bank_bytes(NINE_OPTIONS.encode(), source="nine.md").bank
    data = write_xlsx(drafts_of(bank), key="nine", title="九")
    headers = [cell.value for cell in openpyxl.load_workbook(io.BytesIO(data))["题库"][1]]
    assert headers[headers.index("选项H") + 1] == "选项I"
    conversion = read_xlsx("nine.xlsx", data)
    assert messages(conversion) == [
        ("1", "warning", "columns 选项I are ignored: the template takes at most 8 options (选项A to 选项H)")]
    assert [option.text for option in conversion.drafts[0].options] == [str(n) for n in range(1, 9)]


def test_formula_like_text_is_neutralized_and_read_back():
    drafts = [QuestionDraft("truefalse", stem, answer=True) for stem in
              ("=SUM(A1:A3)", "-3 是负数", "+1", "@home", "'=x", "''-y", "'plain", "\tindented", "#N/A")]
    data = write_xlsx(drafts, key="k", title="t")
    sheet = openpyxl.load_workbook(io.BytesIO(data))["题库"]
    stems = [row[3].value for row in sheet.iter_rows(min_row=2)]
    assert stems == ["'=SUM(A1:A3)", "'-3 是负数", "'+1", "'@home", "''=x", "'''-y", "'plain", "'\tindented", "#N/A"]
    assert all(row[3].data_type == "s" for row in sheet.iter_rows(min_row=2))  # text, never a formula
    conversion = read_xlsx("x.xlsx", data)
    assert conversion.problems == []
    assert [d.stem for d in conversion.drafts] == [d.stem for d in drafts]


def test_fill_is_written_with_its_blanks_in_the_stem():
    draft = QuestionDraft("fill", "端口 {{1}}，协议 {{2}}，π {{3}}",
                          blanks=[Blank(["443"]), Blank(["HTTPS", "a|b"]), Blank(["3.14"], 0.01)])
    sheet = openpyxl.load_workbook(io.BytesIO(write_xlsx([draft], key="k", title="t")))["题库"]
    row = {sheet.cell(1, column).value: sheet.cell(2, column).value for column in range(1, sheet.max_column + 1)}
    assert row["题干"] == r"端口 {{443}}，协议 {{HTTPS|a\|b}}，π {{3.14 ± 0.01}}" and row["答案"] is None
    assert row["题型"] == "填空题" and row["区分大小写"] == "否"


# --- the template -------------------------------------------------------------------------------

def test_the_template_converts_its_own_examples():
    conversion = read_xlsx("template.xlsx", template_xlsx())
    assert conversion.problems == []
    assert type_counts(conversion.drafts) == {qtype: 1 for qtype in REALISTIC_COUNTS}
    bank = as_bank(conversion)
    assert [q.points for q in bank.questions] == [1, 2, 1, 2, 5, 10]


def test_the_template_layout():
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    assert workbook.sheetnames == ["题库", "说明"]
    sheet = workbook["题库"]
    headers = [cell.value for cell in sheet[1]]
    assert headers == [column.header for column in COLUMNS]
    assert sheet.freeze_panes == "A2"
    validated = {str(validation.sqref).split(":")[0][:-1]: validation.formula1
                 for validation in sheet.data_validations.dataValidation}
    letter = {header: openpyxl.utils.get_column_letter(index) for index, header in enumerate(headers, start=1)}
    assert validated[letter["题型"]] == '"单选题,多选题,判断题,填空题,简答题,分析题"'
    assert validated[letter["难度"]] == '"1,2,3,4,5,易,中,难"'
    assert {letter["乱序"], letter["计分方式"], letter["区分大小写"]} <= set(validated)
    assert sheet.column_dimensions[letter["题干"]].width == 50
    explained = [row[0].value for row in workbook["说明"].iter_rows(min_row=2, max_row=len(COLUMNS) + 1)]
    assert explained == headers
    assert all(row[2].value and row[4].value for row in workbook["说明"].iter_rows(min_row=2, max_row=len(COLUMNS) + 1))


def test_the_template_read_back_as_csv():
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    rows = [list(row) for row in workbook["题库"].iter_rows(values_only=True)]
    conversion = read_csv("template.csv", csv_bytes(rows, bom=True))
    assert conversion.problems == [] and len(conversion.drafts) == 6


# --- never raises -------------------------------------------------------------------------------

@FUZZ
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(data):
    for reader in (read_xlsx, read_csv):
        conversion = reader("fuzz", data)
        assert not any("internal error" in p.message for p in conversion.problems)


TEMPLATE = template_xlsx()


@FUZZ
@given(st.integers(0, len(TEMPLATE)), st.binary(min_size=1, max_size=64))
def test_damaged_workbooks_never_raise(position, junk):
    for data in (TEMPLATE[:position], TEMPLATE[:position] + junk + TEMPLATE[position + len(junk):]):
        conversion = read_xlsx("fuzz.xlsx", data)
        assert not any("internal error" in p.message for p in conversion.problems)


FRAGMENTS = ["单选", "多选题", "判断", "填空", "简答", "分析", "single", "nope", "A", "AC", "A、C", "Z", "对", "错",
             "maybe", "____", "（ ）", "{{443}}", "{{3.14 ± 0.01}}", "{{}}", "{{a||b}}", "{{open", r"\{{x}}", "3.14±",
             "443；22", "(3) 甲", "（2分）乙", "- (1) 丙", "(x) 丁", "0", "1001", "2", "两分", "易", "9", "是", "否",
             "部分得分", "=1+1", "'=x", "-", "## 标题", "### 解析", "- [x] 选项", "```", "\n", " ", "id: 3", "#N/A"]
cell = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12),
                 st.lists(st.sampled_from(FRAGMENTS), max_size=3).map("".join), st.none(),
                 st.integers(-5, 2000), st.floats(allow_nan=False, allow_infinity=False))
HEADERS = [column.header for column in COLUMNS]
sheet_rows = st.lists(st.lists(cell, min_size=len(HEADERS), max_size=len(HEADERS)), min_size=1, max_size=6)


def _xlsx_cell(value):
    if isinstance(value, str):
        value = openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE.sub("", value)
        return "'" + value if value.startswith("=") else value
    return value


def _imports_when_clean(conversion) -> None:
    assert not any("internal error" in p.message for p in conversion.problems), conversion.problems
    if not conversion.errors and conversion.drafts:
        result = parse_bank(write_bank(conversion.drafts, key="fuzz", title="fuzz"))
        assert result.ok, (result.errors, conversion.drafts)


@FUZZ
@given(sheet_rows)
def test_arbitrary_cells_in_a_well_formed_sheet(rows):
    _imports_when_clean(read_xlsx("fuzz.xlsx", xlsx([HEADERS] + [[_xlsx_cell(v) for v in row] for row in rows])))
    _imports_when_clean(read_csv("fuzz.csv", csv_bytes([HEADERS] + rows)))


# --- fill blanks --------------------------------------------------------------------------------

@pytest.mark.parametrize(("stem", "answer", "expected_stem", "blanks"), [
    ("调用 `print()` 或 foo() 后，端口是 ____", "443", "调用 `print()` 或 foo() 后，端口是 {{1}}", [["443"]]),
    ("```\na = '____'\n```\n值是 ＿＿＿", "7", "```\na = '____'\n```\n值是 {{1}}", [["7"]]),
    ("端口 ( ) 和 （）", "443\n22", "端口 {{1}} 和 {{2}}", [["443"], ["22"]]),
    ("端口 ____", "443；", "端口 {{1}}", [["443"]]),
    ("管道 ____", r"a\|b|c", "管道 {{1}}", [["a|b", "c"]]),
])
def test_fill_blanks_in_the_stem(stem, answer, expected_stem, blanks):
    conversion = read_xlsx("x.xlsx", xlsx([["题型", "题干", "答案"], ["填空", stem, answer]]))
    assert conversion.problems == []
    assert conversion.drafts[0].stem == expected_stem
    assert [blank.answers for blank in conversion.drafts[0].blanks] == blanks
    as_bank(conversion)


def test_a_braced_stem_ignores_the_answer_cell():
    conversion = read_xlsx("x.xlsx", xlsx([["题型", "题干", "答案"], ["填空", "端口 {{443}}", "443"]]))
    assert messages(conversion) == [("C2", "warning", "答案 is ignored: this stem writes its answers in {{…}} blanks")]
    assert conversion.drafts[0].blanks == [Blank(["443"])]


@pytest.mark.parametrize(("stem", "answer", "problem"), [
    ("没有空", "443", ("B2", "a 填空题 needs blanks in 题干: write each as ____ (three or more underscores) or （ ）, "
                           "or as {{answer}}")),
    ("端口 {{443", None, ("B2", "unclosed blank: `{{` without `}}` on the same line (write `\\{{` for literal braces)")),
    ("端口 ____", "a||b", ("C2", "empty alternative in blank 'a||b': remove the extra |")),
    ("端口 ____ 和 ____", "443；；", ("2", "the stem has 2 blanks but 答案 gives 1 answers: separate the blanks' "
                                         "answers with ；")),
])
def test_bad_fill_rows(stem, answer, problem):
    conversion = read_xlsx("x.xlsx", xlsx([["题型", "题干", "答案"], ["填空", stem, answer]]))
    assert [(p.location, str(p.message)) for p in conversion.problems] == [problem]


# --- other cells --------------------------------------------------------------------------------

@pytest.mark.parametrize(("header", "value", "problem"), [
    ("乱序", "随机", ("D2", "乱序 must be 是 or 否, not '随机'")),
    ("计分方式", "按比例", ("D2", "计分方式 must be 全对才得分 (all-or-nothing) or 部分得分 (partial), not '按比例'")),
    ("编号", "有 空格", ("D2", "id '有 空格' is not valid: use up to 100 letters, digits, `_`, `-` or `.`, without "
                              "spaces")),
])
def test_bad_choice_settings(header, value, problem):
    rows = [["题型", "题干", "答案", header, "选项A", "选项B"], ["多选", "协议？", "A", value, "TCP", "ICMP"]]
    conversion = read_xlsx("x.xlsx", xlsx(rows))
    assert [(p.location, str(p.message)) for p in conversion.problems] == [problem]


def test_written_questions_need_their_parts():
    rows = [["题型", "题干", "参考答案", "评分标准", "分值"], ["分析", "分析。", "参考", None, 10],
            ["简答", "说明。", "参考", None, None], ["简答", "说明。", "参考", "先确认影响范围", None]]
    assert messages(read_xlsx("x.xlsx", xlsx(rows))) == [
        ("D2", "error", "a 分析题 needs a 评分标准: one item per line, e.g. (3) 先确认影响范围"),
        ("E3", "error", "a 简答题 needs a 分值 or a 评分标准 (whose total becomes the points)"),
        ("D4", "error", "line 1 of 评分标准 must start with its points, e.g. (3) 先确认影响范围"),
    ]


def test_a_written_answer_under_the_answer_column():
    rows = [["题型", "题干", "答案", "分值"], ["简答", "说明 DNS 缓存。", "解析器按 TTL 缓存结果。", 2]]
    conversion = read_xlsx("x.xlsx", xlsx(rows))
    assert messages(conversion) == [("C2", "warning", "答案 was taken as the 参考答案 of this 简答题")]
    assert conversion.drafts[0].reference == "解析器按 TTL 缓存结果。"


def test_a_title_stands_in_for_an_empty_stem():
    rows = [["题型", "标题", "题干", "答案"], ["判断", "ping 使用 ICMP", None, "对"], ["判断", None, None, "错"]]
    conversion = read_xlsx("x.xlsx", xlsx(rows))
    assert messages(conversion) == [("C3", "error", "题干 is empty: write the question")]
    assert as_bank(conversion).questions[0].stem == "ping 使用 ICMP"
