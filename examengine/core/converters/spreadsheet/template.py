"""The template workbook: its question sheet (headers, widths, drop-down lists) and 说明 sheet, written by
`write_xlsx` and `template_xlsx`; the downloadable template's example question per type."""
from __future__ import annotations

import io

from examengine.core.converters.spreadsheet.cells import _cell_value, _column_letters
from examengine.core.converters.spreadsheet.columns import (
    COLUMN_BY_FIELD,
    COLUMNS,
    LETTERS,
    SHEET_NAMES,
    Column,
    _option_column,
)

HELP_SHEET = "说明"


def template_xlsx() -> bytes:
    """The downloadable template: headers, one example question per type, and the 说明 sheet."""
    return _workbook(TEMPLATE_EXAMPLES, title="", key="", examples=True)  # no title: it would name the user's bank


def _option_letter(index: int) -> str:
    """A, B, … H, then I, J, … for the columns past the template's eight."""
    return _column_letters(index)


def _workbook(rows: list[dict], *, title: str, key: str, extra_options: int = 0, examples: bool = False) -> bytes:
    import openpyxl
    from openpyxl.cell.cell import ERROR_CODES
    from openpyxl.styles import Alignment, Font, PatternFill

    columns = list(COLUMNS)
    position = columns.index(COLUMN_BY_FIELD["option_H"]) + 1
    for index in range(len(LETTERS), len(LETTERS) + extra_options):
        columns.insert(position, _option_column(_option_letter(index)))
        position += 1
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = SHEET_NAMES[0]
    sheet.append([column.header for column in columns])
    for row in rows:
        values = [_cell_value(row.get(column.field)) for column in columns]
        sheet.append(values)
        for index, value in enumerate(values, start=1):
            if value in ERROR_CODES:  # openpyxl would store the text "#N/A" as an error value
                sheet.cell(sheet.max_row, index).data_type = "s"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(1, index)
        cell.font = Font(bold=True, color="C00000") if column.required else bold
        cell.fill = fill
        sheet.column_dimensions[cell.column_letter].width = column.width
    if examples:
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    _add_validations(sheet, columns)
    _help_sheet(workbook.create_sheet(HELP_SHEET), columns)
    workbook.properties.title = title or None
    workbook.properties.identifier = key or None
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


_VALIDATIONS = {
    "qtype": ("单选题,多选题,判断题,填空题,简答题,分析题", "题型 / type", "单选题、多选题、判断题、填空题、简答题 或 分析题"),
    "difficulty": ("1,2,3,4,5,易,中,难", "难度 / difficulty", "1–5，或 易、中、难"),
    "shuffle": ("是,否", "乱序 / shuffle", "是 或 否"),
    "scoring": ("全对才得分,部分得分", "计分方式 / scoring", "全对才得分 或 部分得分"),
    "case_sensitive": ("是,否", "区分大小写 / case sensitive", "是 或 否"),
}


def _add_validations(sheet, columns: list[Column]) -> None:
    """Drop-down lists; a value typed outside them only warns (English names and aliases are fine too)."""
    from openpyxl.worksheet.datavalidation import DataValidation

    for index, column in enumerate(columns):
        if column.field not in _VALIDATIONS:
            continue
        choices, title, prompt = _VALIDATIONS[column.field]
        letter = _column_letters(index)
        validation = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True, showErrorMessage=True,
                                    errorStyle="warning", errorTitle=title, error=prompt, promptTitle=title,
                                    prompt=prompt, showInputMessage=True)
        validation.add(f"{letter}2:{letter}1048576")
        sheet.add_data_validation(validation)


def _help_sheet(sheet, columns: list[Column]) -> None:
    from openpyxl.styles import Alignment, Font

    sheet.append(["列名", "必填", "说明", "Column", "Description"])
    for column in columns:
        english = column.names[0] if column.names else column.field
        sheet.append([column.header, "是" if column.required else "", column.zh, english, column.en])
    sheet.append([])
    for line in HELP_NOTES:
        sheet.append([line])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDE", (12, 6, 60, 16, 60)):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2, max_row=len(columns) + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"


HELP_NOTES = (
    "每行一道题；第一行是列名，列的顺序可以调整，列名也可以用英文（如 type、stem、option A、answer）。",
    "One question per row; the first row holds the column headers, in any order, in Chinese or English "
    "(type, stem, option A, answer, ...).",
    "必填列：题型、题干。其他列可以留空或删除。空行会被跳过。",
    "Required columns: 题型 (type) and 题干 (stem). Other columns may be empty or left out. Empty rows are skipped.",
    "填空题示例：题干“HTTPS 的默认端口是 ____。”，答案“443”；多个空的答案用；分隔，如“443；22”。",
    "Fill example: stem \"HTTPS uses port ____.\", answer \"443\"; several blanks: \"443;22\".",
    "也可以在题干中直接写 {{443|HTTPS}}（可接受多个答案）或 {{3.14 ± 0.01}}（数值误差），此时答案列留空。",
    "A stem may also write the blanks directly as {{443|HTTPS}} (alternatives) or {{3.14 ± 0.01}} (a tolerance); "
    "then leave 答案 empty.",
    "导入时会一次列出所有问题及其单元格位置（如 C7），改正后重新上传即可。",
    "Every problem of the file is listed with its cell (e.g. C7); fix them and upload the file again.",
)

TEMPLATE_EXAMPLES: list[dict[str, object]] = [
    {"id": "demo-001", "qtype": "单选题", "title": "HTTPS 默认端口",
     "stem": "客户反馈浏览器访问 `https://portal.example.com`（地址中没有写端口号）时连接超时。排查时应先确认服务器"
             "哪个 TCP 端口在监听？",
     "option_A": "80", "option_B": "443", "option_C": "8080", "option_D": "22", "answer": "B", "points": 1,
     "difficulty": "易", "tags": "网络，端口", "dimension": "产品/技术知识", "shuffle": "是",
     "explanation": "HTTPS 的默认端口是 443；80 是 HTTP 的默认端口，8080 是常见的自定义端口，22 是 SSH。"},
    {"id": "demo-002", "qtype": "多选题", "title": "查看监听端口的命令",
     "stem": "在 Linux 服务器上，以下哪些命令可以查看正在监听的 TCP 端口？",
     "option_A": "`ss -ltn`", "option_B": "`netstat -ltn`", "option_C": "`df -h`", "option_D": "`lsof -iTCP -sTCP:LISTEN`",
     "answer": "A、B、D", "points": 2, "difficulty": 2, "tags": "Linux，排查命令", "dimension": "系统操作与工具",
     "shuffle": "是", "scoring": "部分得分",
     "explanation": "`ss`、`netstat` 和 `lsof` 都能列出监听端口；`df -h` 查看的是磁盘空间。"},
    {"id": "demo-003", "qtype": "判断题", "title": "ping 不通能否断定主机宕机",
     "stem": "从客户端 ping 某台服务器不通，就可以断定这台服务器已经宕机。", "answer": "错", "points": 1,
     "difficulty": "中", "tags": "ICMP，排查思路", "dimension": "故障诊断",
     "explanation": "防火墙或安全组禁止 ICMP、路由不可达等都会导致 ping 不通，应结合端口探测和带外管理综合判断。"},
    {"id": "demo-004", "qtype": "填空题", "title": "常用端口与协议",
     "stem": "HTTPS 的默认端口是 ____，普通 DNS 查询默认使用的传输层协议是 ____。", "answer": "443；UDP|用户数据报协议",
     "points": 2, "difficulty": 2, "tags": "网络，端口", "dimension": "产品/技术知识", "case_sensitive": "否",
     "explanation": "HTTPS 默认端口 443；DNS 查询默认走 UDP 53，响应过大或区域传送时才用 TCP。"},
    {"id": "demo-005", "qtype": "简答题", "title": "接到“系统变慢”工单后的处理",
     "stem": "客户来电反馈“系统很慢”。请简述你接到工单后的前三步处理思路。",
     "reference": "先确认影响范围和开始时间（哪些用户、哪些功能、从何时开始），再查看监控和日志定位瓶颈"
                  "（CPU、内存、磁盘 I/O、数据库、网络），同时及时向客户同步进展和预计恢复时间。",
     "rubric": "(2) 确认影响范围和开始时间\n(2) 查看监控与日志，定位瓶颈\n(1) 及时向客户同步进展",
     "difficulty": "中", "tags": "工单处理，沟通", "dimension": "服务与沟通"},
    {"id": "demo-006", "qtype": "分析题", "title": "数据库连接池耗尽",
     "case": "某客户反馈系统在业务高峰期间歇性超时，应用日志中反复出现 "
             "`Timeout waiting for connection from pool`，数据库服务器的 CPU 和内存使用率都不高。",
     "stem": "阅读案例，分析最可能的根因，并给出排查和处理步骤。",
     "reference": "最可能是应用的数据库连接未归还，导致连接池耗尽。先确认影响范围和时间线；再通过连接池监控、"
                  "线程转储定位未关闭连接的代码路径；临时可重启应用或调大连接池缓解，根本上修复连接泄漏并增加监控告警。",
     "rubric": "(3) 确认影响范围和时间线\n(4) 指出连接泄漏并给出证据\n(3) 给出临时缓解和根本修复",
     "points": 10, "difficulty": 4, "tags": "数据库，故障诊断", "dimension": "故障诊断",
     "explanation": "高峰期超时 + 连接池等待日志 + 数据库资源空闲，是连接泄漏的典型表现。"},
]
