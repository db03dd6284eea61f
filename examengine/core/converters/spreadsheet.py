"""Question banks as spreadsheets: the XLSX/CSV template in, XLSX out (issue 12 §1, §2).

The format: one question per row of the first sheet (or of the sheet called 题库 / questions). The
first non-empty row holds the column headers, found by name in any order; a header is compared after
NFKC, without case, spaces, `_`, `-`, a `*` mark or a trailing `(必填)`, and may be Chinese or English:

    编号 id · 题型 type · 标题 title · 题干 stem · 选项A…选项H (option A…H, or A…H alone) · 答案 answer ·
    分值 points · 难度 difficulty · 标签 tags · 能力维度 dimension · 解析 explanation · 案例 case ·
    参考答案 reference answer · 评分标准 rubric · 乱序 shuffle · 计分方式 scoring · 区分大小写 case sensitive

题型 and 题干 are required. Per type, 答案 holds: option letters (`B`, `AC`, `A、C`, full-width or lower
case) for single/multiple; 对/错 (正确/错误, T/F, true/false, √/×, 是/否, or the letter of an option
that says so) for truefalse; for fill, the answers of the stem's blanks in order, separated by `；`/`;`,
alternatives by `|`, a number with a tolerance as `3.14±0.01`. A fill stem marks each blank with
`____` (three or more underscores, also full-width) or an empty `（ ）`; a stem written with our
`{{…}}` blanks is taken as is and needs no 答案. 评分标准 holds one item per line, `(3) 先确认影响范围`.

Converted: every type and feature of our bank format. Not converted, and reported: options past H
(选项I… columns are ignored with a warning), cell formatting and images (cells are read as text), a
formula without a saved value (Excel saves one; other tools may not). Numbers and dates typed as such
read as their text (`443`, not `443.0`). Every problem is reported at its cell (`C7`), or at its row
(`7`) when it involves several cells; each row that converted is then checked as a bank question, so a
file without errors imports.

Writing (`write_xlsx`, `template_xlsx`) produces the same template: fill questions with their blanks as
`{{…}}` in the stem, so a bank exported and read back gives the same questions. Text a spreadsheet would
run as a formula goes through `spreadsheets.neutralize` (a leading apostrophe); the readers take that
apostrophe off again, and the writer adds one more to text that already starts with apostrophes and a
formula character, so every text survives the round trip.
"""
from __future__ import annotations

import bisect
import csv
import datetime
import io
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

from examengine.core import qtypes
from examengine.core.banks.encodings import encoding_label, guess_encoding
from examengine.core.banks.parser import parse_bank
from examengine.core.banks.values import MAX_POINTS, parse_difficulty, parse_id, unique
from examengine.core.converters.drafts import Blank, Conversion, Option, QuestionDraft, RubricItem
from examengine.core.converters.markdown import TYPE_LABELS, blank_problem, write_question
from examengine.core.messages import N_
from examengine.core.spreadsheets import FORMULA_STARTS, neutralize
from examengine.core.text import parse_number

LETTERS = "ABCDEFGH"
SHEET_NAMES = ("题库", "questions")
HELP_SHEET = "说明"
MAX_ZIP_BYTES = 200 * 1024 * 1024  # uncompressed; a real bank of 10,000 questions is a few MB
MAX_ZIP_MEMBERS = 10_000
MAX_QUESTION_ROWS = 100_000
MAX_CSV_FIELD = 1_000_000  # characters; csv's default (131,072) is below what a long case can be


# --- the columns -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    field: str
    header: str  # as the template writes it
    names: tuple[str, ...]  # other headers accepted
    width: int
    zh: str  # what the 说明 sheet says, in Chinese
    en: str  # and in English
    required: bool = False


def _option_column(letter: str) -> Column:
    return Column(f"option_{letter}", f"选项{letter}", (f"option {letter}", letter), 18,
                  f"选项 {letter} 的内容（单选、多选题）；不用的选项留空。",
                  f"Option {letter} (single and multiple choice); leave unused options empty.")


COLUMNS: tuple[Column, ...] = (
    Column("id", "编号", ("id", "题目编号", "question id"), 12,
           "题目的固定编号（可选）：字母、数字、_、-、.；有编号的题目重新导入时保留历史版本。",
           "The question's stable id (optional): letters, digits, _, -, .; a question with an id keeps its "
           "history when the bank is imported again."),
    Column("qtype", "题型", ("type", "题目类型", "question type"), 10,
           "单选题、多选题、判断题、填空题、简答题、分析题（也可写 单选、single 等）。",
           "single, multiple, truefalse, fill, short or analysis (or the Chinese names).", True),
    Column("title", "标题", ("title", "题目名称"), 20,
           "题目的短标题（可选），出现在题库列表中。",
           "A short title (optional), shown in the bank's question list."),
    Column("stem", "题干", ("stem", "题目", "题目内容", "question"), 50,
           "题目内容，可用 Markdown。填空题的每个空写作 ____（三个以上下划线）或（ ），也可直接写 {{答案}}。",
           "The question text, Markdown allowed. In a fill question each blank is ____ (three or more "
           "underscores) or ( ), or written directly as {{answer}}.", True),
    *(_option_column(letter) for letter in LETTERS),
    Column("answer", "答案", ("answer", "正确答案", "correct answer"), 14,
           "单选：一个字母，如 B；多选：多个字母，如 AC 或 A、C；判断：对 或 错；填空：各空答案按顺序用；分隔，"
           "一个空的多个可接受答案用 | 分隔，数值允许误差写作 3.14±0.01。简答、分析题不填。",
           "single: one letter, e.g. B; multiple: letters, e.g. AC or A,C; truefalse: 对 or 错 (true/false); "
           "fill: the blanks' answers in order separated by ;, alternatives by |, a number with a tolerance "
           "as 3.14±0.01. Empty for short and analysis."),
    Column("points", "分值", ("points", "分数", "score"), 8,
           "题目分值（可选）：大于 0、不超过 1000 的数；留空则用默认值（单选、判断 1 分，多选 2 分，填空每空 1 分，"
           "简答、分析为评分标准合计）。",
           "Points (optional): a number above 0, at most 1000; empty means the default (single, truefalse 1, "
           "multiple 2, fill 1 per blank, short and analysis the rubric total)."),
    Column("difficulty", "难度", ("difficulty",), 8,
           "难度（可选）：1–5，或 易、中、难（简单、中等、困难）。",
           "Difficulty (optional): 1 to 5, or easy, medium, hard."),
    Column("tags", "标签", ("tags", "tag"), 16,
           "标签（可选），用逗号、顿号或分号分隔。",
           "Tags (optional), separated by commas, 、 or semicolons."),
    Column("dimension", "能力维度", ("dimension", "维度"), 14,
           "能力维度（可选），如 故障诊断。", "Ability dimension (optional), e.g. 故障诊断."),
    Column("explanation", "解析", ("explanation", "答案解析"), 30,
           "解析（可选），考试允许时在考后回顾中显示。",
           "Explanation (optional), shown in the review after the exam when the exam allows it."),
    Column("case", "案例", ("case", "案例材料"), 30,
           "案例材料（简答、分析题可选），显示在题干上方。",
           "Case material (short and analysis, optional), shown above the question."),
    Column("reference", "参考答案", ("reference answer", "reference"), 30,
           "参考答案（简答、分析题必填），供阅卷人参考。",
           "Reference answer (required for short and analysis), shown to reviewers."),
    Column("rubric", "评分标准", ("rubric",), 30,
           "评分标准（分析题必填，简答题可选）：每行一项，以分值开头，如 (3) 先确认影响范围；合计即题目分值。",
           "Rubric (required for analysis, optional for short): one item per line starting with its points, "
           "e.g. (3) confirms the impact; the total is the question's points."),
    Column("shuffle", "乱序", ("shuffle",), 8,
           "选项是否乱序显示（单选、多选题）：是 或 否，留空为 是。",
           "Whether options are shown shuffled (single, multiple): 是 (yes) or 否 (no); empty means yes."),
    Column("scoring", "计分方式", ("scoring",), 12,
           "多选题计分方式：全对才得分 或 部分得分；留空由考试设置决定。",
           "Scoring of multiple choice: 全对才得分 (all-or-nothing) or 部分得分 (partial); empty: the exam "
           "decides."),
    Column("case_sensitive", "区分大小写", ("case sensitive",), 10,
           "填空题答案是否区分大小写：是 或 否，留空为 否。",
           "Whether fill answers are case-sensitive: 是 (yes) or 否 (no); empty means no."),
)
COLUMN_BY_FIELD = {column.field: column for column in COLUMNS}
OPTION_FIELDS = tuple(f"option_{letter}" for letter in LETTERS)


def header_key(text: str) -> str:
    """How a header is compared: NFKC, no case, no spaces/`_`/`-`/`*`/`:`, no trailing `(必填)`."""
    key = unicodedata.normalize("NFKC", text).casefold().strip()
    key = re.sub(r"\([^()]*\)$", "", key)
    return re.sub(r"[\s_\-*:]+", "", key)


_FIELD_BY_KEY = {header_key(name): column.field
                 for column in COLUMNS for name in (column.header, column.field, *column.names)}
_EXTRA_OPTION = re.compile(r"(?:选项|option)?[i-z]")


# --- reading: cells ------------------------------------------------------------------------------

# A leading apostrophe that `neutralize` (or `_cell_value`, for text already starting with apostrophes)
# put before a formula character.
_NEUTRALIZED = re.compile("'+[" + re.escape("".join(FORMULA_STARTS)) + "]")
_ILLEGAL_IN_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def cell_text(value) -> str:
    """A cell's value as the text it shows: `443` for 443.0, dates as ISO, the neutralizing apostrophe off."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    text = str(value)
    if _NEUTRALIZED.match(text):
        text = text[1:]
    return text


def _number_text(number: float) -> str:
    """Up to 15 significant digits, as Excel shows them: 2.0 -> "2", 0.1 + 0.2 -> "0.3"."""
    if number != number or number in (float("inf"), float("-inf")):
        return str(number)
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return f"{number:.15g}"


def _coordinate(column: int, row: int) -> str:
    """"C7" for the 0-based column 2 of row 7."""
    return f"{_column_letters(column)}{row}"


def _column_letters(column: int) -> str:
    """"A" for the 0-based column 0, "AA" for 26."""
    letters = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# --- reading: the files --------------------------------------------------------------------------

def read_xlsx(path: str, data: bytes) -> Conversion:
    """An .xlsx file in the template's layout -> drafts and problems. Never raises."""
    conversion = Conversion(path)
    try:
        _read_xlsx(conversion, data)
    except Exception as exc:  # noqa: BLE001 -- a reader's bug must not turn an upload into a 500
        conversion.problem("", N_("internal error while converting this file (%(error)s); please report it",
                                  error=type(exc).__name__))
    return conversion


def read_csv(path: str, data: bytes) -> Conversion:
    """A .csv file in the template's layout (`,`, `;` or tab separated) -> drafts and problems. Never raises."""
    conversion = Conversion(path)
    try:
        _read_csv(conversion, data)
    except Exception as exc:  # noqa: BLE001 -- a reader's bug must not turn an upload into a 500
        conversion.problem("", N_("internal error while converting this file (%(error)s); please report it",
                                  error=type(exc).__name__))
    return conversion


def _read_xlsx(conversion: Conversion, data: bytes) -> None:
    if not _zip_is_sane(conversion, data):
        return
    import openpyxl  # here, not at the top: reading a CSV or writing Markdown never needs it

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about features it drops (extensions, styles)
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 -- any damage inside the zip surfaces as some exception
            conversion.problem("", N_("the workbook could not be read (%(error)s): open it in Excel or WPS and "
                                      "save it again as .xlsx", error=type(exc).__name__))
            return
        try:
            sheet_index = _question_sheet(workbook)
            if sheet_index is None:
                conversion.problem("", N_("the workbook has no worksheet: put the questions on the first sheet"))
                return
            conversion.title = str(workbook.properties.title or "").strip()
            formulas = _formulas_without_value(data, sheet_index) if _has_formulas(data) else set()
            sheet = workbook.worksheets[sheet_index]
            sheet.reset_dimensions()  # a wrong <dimension> would pad every row to it
            _SheetReader(conversion, formulas).read(_sheet_values(sheet))
        except Exception as exc:  # noqa: BLE001 -- a damaged sheet fails while it is read, row by row
            conversion.problem("", N_("the workbook could not be read (%(error)s): open it in Excel or WPS and "
                                      "save it again as .xlsx", error=type(exc).__name__))
        finally:
            workbook.close()


def _sheet_values(sheet) -> Iterator[tuple[int, list]]:
    """(row number, values) of a read-only sheet; a number shown as a percentage is its text (`85%`, which
    Excel stores as 0.85)."""
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        values = []
        for cell in cells:
            value = cell.value
            if type(value) in (int, float) and "%" in (cell.number_format or ""):
                value = _number_text(value * 100) + "%"
            values.append(value)
        yield number, values


def _zip_is_sane(conversion: Conversion, data: bytes) -> bool:
    """Whether `data` is a zip openpyxl may open: decompression bombs and non-zips are reported instead."""
    if not data.removeprefix(b"\xef\xbb\xbf").strip():
        conversion.problem("", N_("the file is empty"))
        return False
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2: an .xls workbook, or an encrypted .xlsx
        conversion.problem("", N_("this is an old .xls workbook or a password-protected .xlsx: save it in Excel "
                                  "or WPS as .xlsx (Excel 工作簿) without a password"))
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except Exception:  # noqa: BLE001 -- BadZipFile, and the odd ValueError of a damaged directory
        conversion.problem("", N_("this is not an .xlsx workbook (it is not a zip archive): save it in Excel or "
                                  "WPS as .xlsx (Excel 工作簿), or use the .csv template"))
        return False
    if len(members) > MAX_ZIP_MEMBERS:
        conversion.problem("", N_("the workbook holds %(count)s files, over the limit of %(limit)s: it is not a "
                                  "question bank workbook", count=f"{len(members):,}", limit=f"{MAX_ZIP_MEMBERS:,}"))
        return False
    size = sum(member.file_size for member in members)
    if size > MAX_ZIP_BYTES:
        conversion.problem("", N_("the workbook unpacks to %(size)s MB, over the limit of %(limit)s MB: split the "
                                  "questions into several files", size=f"{size / 2**20:,.0f}",
                                  limit=f"{MAX_ZIP_BYTES / 2**20:,.0f}"))
        return False
    return True


def _question_sheet(workbook) -> int | None:
    """The index of the sheet called 题库 / questions, else of the first sheet."""
    sheets = workbook.worksheets
    for index, sheet in enumerate(sheets):
        if unicodedata.normalize("NFKC", sheet.title).strip().casefold() in SHEET_NAMES:
            return index
    return 0 if sheets else None


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _has_formulas(data: bytes) -> bool:
    """Whether any worksheet of the zip has a formula (cheap: most uploads have none)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml") and _FORMULA_TAG.search(archive.read(name)):
                return True
    return False


def _formulas_without_value(data: bytes, sheet_index: int) -> set[tuple[int, int]]:
    """(row, 0-based column) of the formulas of the sheet; those without a saved value read as empty."""
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        sheet = workbook.worksheets[sheet_index]
        sheet.reset_dimensions()
        return {(row, column) for row, values in enumerate(sheet.iter_rows(values_only=True), start=1)
                for column, value in enumerate(values)
                if isinstance(value, str) and value.startswith("=") or type(value).__name__.endswith("Formula")}
    finally:
        workbook.close()


def _read_csv(conversion: Conversion, data: bytes) -> None:
    text = _decoded(conversion, data)
    if text is None:
        return
    delimiter = _delimiter(text[:65536])
    csv.field_size_limit(max(csv.field_size_limit(), MAX_CSV_FIELD))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    _SheetReader(conversion, set()).read(_csv_records(conversion, reader))


def _delimiter(sample: str) -> str:
    """`,`, `;` or tab: the one that splits the header row into the most known columns, else the sniffer's
    guess, else the most frequent in the first line."""
    def known_headers(delimiter: str) -> int:
        try:
            for record in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter):
                if any(cell.strip() for cell in record):
                    return sum(header_key(cell) in _FIELD_BY_KEY for cell in record)
        except csv.Error:
            pass
        return 0

    counts = {delimiter: known_headers(delimiter) for delimiter in ",;\t"}
    best = max(counts, key=counts.get)
    if counts[best] > 1:
        return best
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:  # one column, or nothing to tell by
        first_line = sample.split("\n", 1)[0]
        return max(",;\t", key=first_line.count)


def _decoded(conversion: Conversion, data: bytes) -> str | None:
    if not data.removeprefix(b"\xef\xbb\xbf").strip():
        conversion.problem("", N_("the file is empty"))
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    codec = guess_encoding(data)
    if codec is not None:
        try:
            text = data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            text = None
        if text is not None:
            conversion.problem("", N_("the file is encoded as %(encoding)s, not UTF-8; it was read as %(encoding)s "
                                      "(save it as \"CSV UTF-8\" to avoid this warning)",
                                      encoding=encoding_label(codec)), "warning")
            return text.removeprefix("\ufeff")
    conversion.problem("", N_("the file is neither UTF-8 nor GBK text: save it as \"CSV UTF-8\" (or use the .xlsx "
                              "template)"))
    return None


def _csv_records(conversion: Conversion, reader) -> Iterator[tuple[int, list[str]]]:
    """(record number, cells): the record number is the row a spreadsheet shows, whatever line breaks
    its quoted cells hold."""
    number = 0
    while True:
        number += 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            conversion.problem(str(number), N_("the CSV can't be read from this row on (%(error)s): check its quotes",
                                               error=str(exc)))
            return
        yield number, record


# --- reading: rows -------------------------------------------------------------------------------

@dataclass
class _Row:
    number: int
    cells: dict[str, str]  # field -> text, for every column the sheet has
    letters: dict[str, str]  # field -> its column's letters
    headers: dict[str, str]  # field -> the header as the sheet writes it
    formulas: list[str]  # the cells holding a formula without a saved value

    def text(self, field: str) -> str:
        return self.cells.get(field, "")

    def where(self, field: str) -> str:
        """The cell, or the row when the sheet has no such column."""
        letters = self.letters.get(field)
        return f"{letters}{self.number}" if letters else str(self.number)

    def column(self, field: str) -> str:
        return self.headers.get(field, COLUMN_BY_FIELD[field].header)


class _RowReport:
    """Problems of one row; `failed` once it has an error."""

    def __init__(self, conversion: Conversion):
        self.conversion = conversion
        self.failed = False

    def error(self, location: str, message: str) -> None:
        self.failed = True
        self.conversion.problem(location, message)

    def warning(self, location: str, message: str) -> None:
        self.conversion.problem(location, message, "warning")


class _SheetReader:
    """Rows of one sheet -> drafts: the header row first, then one question per non-empty row."""

    def __init__(self, conversion: Conversion, formulas: set[tuple[int, int]]):
        self.conversion = conversion
        self.formulas = formulas
        self.columns: dict[str, int] | None = None  # field -> 0-based column
        self.letters: dict[str, str] = {}  # field -> the column's letters
        self.headers: dict[str, str] = {}
        self.ids: dict[str, str] = {}  # id -> the cell that first used it
        self.contents: dict[str, int] = {}  # a question's content -> its row, for questions without an id
        self.header_row = 0

    def read(self, rows: Iterable[tuple[int, Sequence]]) -> None:
        questions = 0
        for number, values in rows:
            if self.columns is None:
                texts = [cell_text(value) for value in values]
                if any(text.strip() for text in texts):
                    if not self._header(number, texts):
                        return
                continue
            row = self._row(number, values)
            if row is None:
                continue
            questions += 1
            if questions > MAX_QUESTION_ROWS:
                self.conversion.problem(str(number), N_("more than %(limit)s questions in one file: split them into "
                                                        "several files", limit=f"{MAX_QUESTION_ROWS:,}"))
                return
            draft = self._draft(row)
            if draft is not None:
                self.conversion.drafts.append(draft)
        self._finish()

    def _finish(self) -> None:
        if self.columns is None:
            self.conversion.problem("", N_("the sheet is empty: its first row must hold the column headers (题型, "
                                           "题干, 选项A…, 答案, …) and each row below it one question"))
        elif not self.conversion.drafts and not self.conversion.errors:
            self.conversion.problem("", N_("no questions: put one question on each row below the header row "
                                           "(row %(row)d)", row=self.header_row))
        else:
            _check_as_bank(self.conversion)

    # --- the header row
    def _header(self, number: int, texts: list[str]) -> bool:
        """Reads the header row; False when the required columns are missing (nothing else can be read)."""
        self.header_row = number
        columns: dict[str, int] = {}
        unknown, extra_options = [], []
        for index, text in enumerate(texts):
            key = header_key(text)
            if not key:
                continue
            field = _FIELD_BY_KEY.get(key)
            if field is None:
                (extra_options if _EXTRA_OPTION.fullmatch(key) else unknown).append(text.strip())
            elif field in columns:
                self.conversion.problem(_coordinate(index, number), N_(
                    "column %(column)s is given twice (also in %(other)s): keep one of them",
                    column=text.strip(), other=_coordinate(columns[field], number)))
            else:
                columns[field] = index
                self.headers[field] = text.strip()
        if extra_options:
            self.conversion.problem(str(number), N_(
                "columns %(columns)s are ignored: the template takes at most 8 options (选项A to 选项H)",
                columns=", ".join(extra_options)), "warning")
        if unknown:
            self.conversion.problem(str(number), N_(
                "unknown columns %(columns)s are ignored; the template's columns are %(known)s",
                columns=", ".join(unknown), known=", ".join(column.header for column in COLUMNS)), "warning")
        missing = [column.header for column in COLUMNS if column.required and column.field not in columns]
        if missing:
            self.conversion.problem(str(number), N_(
                "missing column %(columns)s: the first non-empty row (row %(row)d) must hold the column headers, "
                "e.g. 题型, 题干, 选项A, 答案", columns=", ".join(missing), row=number))
            return False
        self.columns = columns
        self.letters = {field: _column_letters(index) for field, index in columns.items()}
        return True

    def _row(self, number: int, values: Sequence) -> _Row | None:
        """The row's cells of the known columns, or None for an empty row."""
        cells, formulas, width = {}, [], len(values)
        for field, index in self.columns.items():
            value = values[index] if index < width else None
            text = "" if value is None else _tidy(cell_text(value))
            if not text and self.formulas and (number, index) in self.formulas:
                formulas.append(_coordinate(index, number))
            cells[field] = text
        if not formulas and not any(text.strip() for text in cells.values()):
            return None
        return _Row(number, cells, self.letters, self.headers, formulas)

    # --- one question
    def _draft(self, row: _Row) -> QuestionDraft | None:
        report = _RowReport(self.conversion)
        if row.formulas:  # the row can't be judged without those values
            for coordinate in row.formulas:
                report.error(coordinate, N_("this cell holds a formula without a saved value: open the file in Excel "
                                            "and save it (Excel saves the values), or type the value instead"))
            return None
        qtype = self._qtype(row, report)
        draft = QuestionDraft(qtype=qtype or "single", stem=row.text("stem").strip("\n"),
                              title=" ".join(row.text("title").split()), location=str(row.number))
        self._common(row, draft, report)
        self._check_text(row, report)
        if qtype is None:
            return None
        if not draft.stem.strip() and not draft.title:
            report.error(row.where("stem"), N_("%(column)s is empty: write the question", column=row.column("stem")))
        _BUILDERS[qtype](row, draft, report)
        self._ignored(row, draft, report)
        if not report.failed:
            self._check_duplicate(row, draft, report)
        return None if report.failed else draft

    def _qtype(self, row: _Row, report: _RowReport) -> str | None:
        text = row.text("qtype").strip()
        if not text:
            report.error(row.where("qtype"), N_("%(column)s is empty: write the question type, e.g. 单选题",
                                                column=row.column("qtype")))
            return None
        qtype = qtypes.resolve(text) or _EXTRA_TYPES.get(unicodedata.normalize("NFKC", text).strip().rstrip("题"))
        if qtype is None:
            report.error(row.where("qtype"), N_(
                "unknown question type %(value)r: use 单选题, 多选题, 判断题, 填空题, 简答题 or 分析题 (single, "
                "multiple, truefalse, fill, short, analysis)", value=text))
        return qtype

    def _common(self, row: _Row, draft: QuestionDraft, report: _RowReport) -> None:
        """编号, 分值, 难度, 标签, 能力维度, 解析: the same for every type."""
        key = row.text("id").strip()
        if key:
            draft.key, message = parse_id(key)
            if message:
                report.error(row.where("id"), message)
            elif draft.key in self.ids:
                report.error(row.where("id"), N_("duplicate id %(id)r: %(other)s already uses it; every question "
                                                 "needs its own id", id=draft.key, other=self.ids[draft.key]))
            else:
                self.ids[draft.key] = row.where("id")
        draft.points = _points(row, report)
        difficulty = row.text("difficulty").strip()
        if difficulty:
            draft.difficulty, message = parse_difficulty(difficulty)
            if message:
                report.error(row.where("difficulty"), message)
        draft.tags = unique(tag.strip() for tag in _TAG_SEPARATORS.split(row.text("tags")))
        draft.dimension = " ".join(row.text("dimension").split())
        draft.explanation = row.text("explanation").strip("\n")

    def _check_text(self, row: _Row, report: _RowReport) -> None:
        """Characters a bank can't store (NUL, lone surrogates: a CSV can hold them)."""
        for field, text in row.cells.items():
            if _UNSTORABLE.search(text):
                report.error(row.where(field), N_("%(column)s holds a control character or a broken character "
                                                  "(such as NUL): delete it", column=row.column(field)))

    def _ignored(self, row: _Row, draft: QuestionDraft, report: _RowReport) -> None:
        """A warning for each filled cell the question's type does not use."""
        label = TYPE_LABELS[draft.qtype]
        unused = []
        if draft.qtype not in ("single", "multiple"):
            if not (draft.qtype == "truefalse" and _LETTER.fullmatch(_compact_letters(row.text("answer")))):
                unused += [field for field in OPTION_FIELDS if row.text(field).strip()]
            if parse_bool_cell(row.text("shuffle")) is False:
                unused.append("shuffle")
        if draft.qtype != "multiple" and row.text("scoring").strip():
            unused.append("scoring")
        if draft.qtype != "fill" and parse_bool_cell(row.text("case_sensitive")):
            unused.append("case_sensitive")
        if draft.qtype not in ("short", "analysis"):
            unused += [field for field in ("case", "reference", "rubric") if row.text(field).strip()]
        elif row.text("answer").strip() and row.text("reference").strip():
            unused.append("answer")
        for field in unused:
            report.warning(row.where(field), N_("%(column)s is ignored: a %(type)s does not use it",
                                                column=row.column(field), type=label))

    def _check_duplicate(self, row: _Row, draft: QuestionDraft, report: _RowReport) -> None:
        """Two questions without an id and with the same content can't both be in a bank."""
        if draft.key:
            return
        content = repr(replace(draft, location=""))
        if content in self.contents:
            report.error(str(row.number), N_("this question is the same as the one in row %(row)d: delete one, or "
                                             "give them different 编号 (ids)", row=self.contents[content]))
        else:
            self.contents[content] = row.number


_EXTRA_TYPES = {"是非": "truefalse", "问答": "short", "不定项": "multiple", "不定项选择": "multiple"}
_TAG_SEPARATORS = re.compile(r"[,，、;；]")
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
_BLANK_LINES_AROUND = re.compile(r"\A(?:[ \t]*\n)+|(?:\n[ \t]*)+\Z")


def _tidy(text: str) -> str:
    """Line breaks as \\n, without blank lines around the text (its lines are kept as typed: Markdown)."""
    if not text.strip():
        return ""
    if "\n" not in text and "\r" not in text:
        return text
    return _BLANK_LINES_AROUND.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


_POINTS_UNIT = re.compile(r"\s*(?:分|points?|pts?)\s*$", re.IGNORECASE)


def _points(row: _Row, report: _RowReport) -> float | None:
    text = row.text("points").strip()
    if not text:
        return None
    number = parse_number(_POINTS_UNIT.sub("", text))
    if number is None or not 0 < number <= MAX_POINTS:
        report.error(row.where("points"), N_("%(column)s must be a number above 0 and at most %(max)s, not %(value)r",
                                             column=row.column("points"), max=f"{MAX_POINTS:g}", value=text))
        return None
    return number


# --- per type ------------------------------------------------------------------------------------

_LETTER_SEPARATORS = re.compile(r"[\s,，、;；/|]+")
_LETTER = re.compile(r"[A-H]")
_TRUE_FALSE = {
    **{word: True for word in ("对", "正确", "t", "true", "√", "✓", "✔", "是", "yes", "y")},
    **{word: False for word in ("错", "错误", "f", "false", "×", "✗", "✘", "否", "no", "n")},
}
_BOOLEANS = {
    **{word: True for word in ("是", "true", "yes", "y", "1", "对")},
    **{word: False for word in ("否", "false", "no", "n", "0", "错")},
}
_SCORING = {"全对才得分": "all-or-nothing", "全对得分": "all-or-nothing", "allornothing": "all-or-nothing",
            "部分得分": "partial", "partial": "partial"}


def _compact_letters(text: str) -> str:
    return _LETTER_SEPARATORS.sub("", unicodedata.normalize("NFKC", text).upper())


def parse_bool_cell(text: str) -> bool | None:
    """是/否, true/false, yes/no, 1/0 (also as TRUE/FALSE cells); None when empty or not one of these."""
    return _BOOLEANS.get(unicodedata.normalize("NFKC", text).strip().casefold())


def _choice(row: _Row, draft: QuestionDraft, report: _RowReport) -> None:
    options = _filled_options(row, report)
    letters = _answer_letters(row, report, options)
    draft.options = [Option(text, letter in letters) for letter, text in options.items()]
    if len(options) < 2:
        report.error(str(row.number), N_("a %(type)s needs at least two options (选项A, 选项B, …), found %(count)d",
                                         type=TYPE_LABELS[draft.qtype], count=len(options)))
    if draft.qtype == "single" and len(letters) > 1:
        report.error(row.where("answer"), N_(
            "a 单选题 takes exactly one answer letter, found %(count)d (%(answer)s): keep one, or make it a 多选题",
            count=len(letters), answer="".join(letters)))
    shuffle = row.text("shuffle").strip()
    if shuffle:
        value = parse_bool_cell(shuffle)
        if value is None:
            report.error(row.where("shuffle"), N_("%(column)s must be 是 or 否, not %(value)r",
                                                  column=row.column("shuffle"), value=shuffle))
        draft.shuffle = value is not False
    scoring = row.text("scoring").strip()
    if scoring and draft.qtype == "multiple":
        draft.scoring = _SCORING.get(header_key(scoring))
        if draft.scoring is None:
            report.error(row.where("scoring"), N_("%(column)s must be 全对才得分 (all-or-nothing) or 部分得分 "
                                                  "(partial), not %(value)r", column=row.column("scoring"),
                                                  value=scoring))


def _filled_options(row: _Row, report: _RowReport) -> dict[str, str]:
    """Letter -> text of the options filled in (an empty column between two is fine: letters keep their
    column); a repeated option is an error at its cell."""
    options: dict[str, str] = {}
    seen: dict[str, str] = {}
    for letter, field in zip(LETTERS, OPTION_FIELDS):
        text = row.text(field).strip()
        if not text:
            continue
        if text in seen:
            report.error(row.where(field), N_("option %(letter)s is the same as option %(other)s: every option must "
                                              "differ", letter=letter, other=seen[text]))
        seen.setdefault(text, letter)
        options[letter] = text
    return options


def _answer_letters(row: _Row, report: _RowReport, options: dict[str, str]) -> list[str]:
    text = row.text("answer").strip()
    where, column = row.where("answer"), row.column("answer")
    if not text:
        report.error(where, N_("%(column)s is empty: give the letter of the right option, e.g. B (多选题: e.g. AC)",
                               column=column))
        return []
    compact = _compact_letters(text)
    if not re.fullmatch(r"[A-Z]+", compact):
        report.error(where, N_("%(column)s must be option letters such as B or AC, not %(value)r",
                               column=column, value=text))
        return []
    letters = unique(compact)
    for letter in letters:
        if letter not in LETTERS:
            report.error(where, N_("answer %(letter)s: the template has options A to H only", letter=letter))
        elif letter not in options:
            report.error(where, N_("answer %(letter)s names an empty option: fill in 选项%(letter)s or correct the "
                                   "answer", letter=letter))
    return [letter for letter in letters if letter in options]


def _truefalse(row: _Row, draft: QuestionDraft, report: _RowReport) -> None:
    text = row.text("answer").strip()
    where, column = row.where("answer"), row.column("answer")
    if not text:
        report.error(where, N_("%(column)s is empty: write 对 or 错", column=column))
        return
    value = _TRUE_FALSE.get(unicodedata.normalize("NFKC", text).casefold())
    letter = _compact_letters(text)
    if value is None and _LETTER.fullmatch(letter):  # 选项A 正确, 选项B 错误, 答案 A
        value = _TRUE_FALSE.get(unicodedata.normalize("NFKC", row.text(f"option_{letter}")).strip().casefold())
    if value is None:
        report.error(where, N_("%(column)s of a 判断题 must be 对 or 错 (also 正确/错误, T/F, true/false, √/×, 是/否), "
                               "not %(value)r", column=column, value=text))
        return
    draft.answer = value


def _fill(row: _Row, draft: QuestionDraft, report: _RowReport) -> None:
    case_sensitive = row.text("case_sensitive").strip()
    if case_sensitive:
        value = parse_bool_cell(case_sensitive)
        if value is None:
            report.error(row.where("case_sensitive"), N_("%(column)s must be 是 or 否, not %(value)r",
                                                         column=row.column("case_sensitive"), value=case_sensitive))
        draft.case_sensitive = bool(value)
    if _UNESCAPED_OPEN.search(draft.stem):
        _braced_fill(row, draft, report)
    else:
        _marked_fill(row, draft, report)


def _braced_fill(row: _Row, draft: QuestionDraft, report: _RowReport) -> None:
    """A stem with our `{{…}}` blanks: taken as is; 答案 is not needed."""
    draft.stem, draft.blanks, problems = braced_blanks(draft.stem)
    for message in problems:
        report.error(row.where("stem"), message)
    if row.text("answer").strip():
        report.warning(row.where("answer"), N_("%(column)s is ignored: this stem writes its answers in {{…}} blanks",
                                               column=row.column("answer")))


def _marked_fill(row: _Row, draft: QuestionDraft, report: _RowReport) -> None:
    """A stem with `____` / `（ ）` blanks, and 答案 holding their answers in order."""
    spans = _blank_spans(draft.stem)
    answer = row.text("answer").strip()
    if not spans:
        report.error(row.where("stem"), N_("a 填空题 needs blanks in %(column)s: write each as ____ (three or more "
                                           "underscores) or （ ）, or as {{answer}}", column=row.column("stem")))
        return
    answer = answer.strip(" \t\n;；")  # a separator after the last answer is no extra blank
    parts = [part.strip() for part in _BLANK_SEPARATORS.split(answer)] if answer else []
    if len(parts) != len(spans):
        report.error(str(row.number), N_(
            "the stem has %(blanks)d blanks but %(column)s gives %(answers)d answers: separate the blanks' answers "
            "with ；", blanks=len(spans), answers=len(parts), column=row.column("answer")))
        return
    for part in parts:
        blank, message = blank_of(part)
        if message is None:
            message = blank_problem(blank)
        if message is not None:
            report.error(row.where("answer"), message)
        draft.blanks.append(blank or Blank([part]))
    pieces, position = [], 0
    for number, (start, end) in enumerate(spans, start=1):
        pieces += [draft.stem[position:start], f"{{{{{number}}}}}"]
        position = end
    draft.stem = "".join(pieces) + draft.stem[position:]


_BLANK_SEPARATORS = re.compile(r"[;；\n]")
_UNESCAPED_OPEN = re.compile(r"(?<!\\)\{\{")
_MARKED_BLANK = re.compile(r"[_＿]{3,}|(?<![A-Za-z0-9_])[(（][ \t\u3000]*[)）]")
# Fenced code blocks (to their closing fence, or the end) and inline code spans: blanks there are code.
_CODE = re.compile(r"^ {0,3}(`{3,}|~{3,})[^\n]*(?:\n[\s\S]*?(?:\n {0,3}\1[^\n]*|\Z)|\Z)|(`+)(?!`)[^\n]*?(?<!`)\2(?!`)",
                   re.MULTILINE)


def _blank_spans(stem: str) -> list[tuple[int, int]]:
    """Where the `____` / `（ ）` blanks are, outside code."""
    code = [match.span() for match in _CODE.finditer(stem)]
    return [match.span() for match in _MARKED_BLANK.finditer(stem)
            if not any(start <= match.start() < end for start, end in code)]


_NUM = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_TOLERANCE = re.compile(rf"\s*({_NUM})\s*(?:±|\+/-|\+-)\s*({_NUM})\s*")  # as our {{3.14 ± 0.01}} blanks
_LOOKS_LIKE_TOLERANCE = re.compile(r"±|\d\s*\+/?-")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def blank_of(content: str) -> tuple[Blank | None, str | None]:
    """A blank from its text (`443|HTTPS`, `3.14±0.01`), as our `{{…}}` syntax reads it; else why not."""
    if _LOOKS_LIKE_TOLERANCE.search(content):
        match = _TOLERANCE.fullmatch(unicodedata.normalize("NFKC", content))
        if not match:
            return None, N_("malformed numeric blank %(content)r: write a number and its tolerance as 3.14±0.01",
                            content=content)
        number, tolerance = parse_number(match.group(1)), parse_number(match.group(2))
        if number is None or tolerance is None:
            return None, N_("the number in blank %(content)r is too large", content=content)
        return Blank([match.group(1)], tolerance), None
    answers = [part.strip().replace("\\|", "|") for part in _UNESCAPED_PIPE.split(content)]
    if not any(answers):
        return None, N_("a blank has no answer: write its accepted answer")
    if not all(answers):
        return None, N_("empty alternative in blank %(content)r: remove the extra |", content=content)
    return Blank(answers), None


def braced_blanks(stem: str) -> tuple[str, list[Blank], list[str]]:
    """A stem with `{{…}}` blanks -> (the stem with `{{n}}` markers, the blanks, problems); `\\{{` stays literal."""
    blanks: list[Blank] = []
    problems: list[str] = []
    lines = []
    for line in stem.split("\n"):
        out, position = [], 0
        while (start := line.find("{{", position)) >= 0:
            if start > 0 and line[start - 1] == "\\":
                out.append(line[position:start + 2])
                position = start + 2
                continue
            end = line.find("}}", start + 2)
            if end < 0:
                problems.append(N_("unclosed blank: `{{` without `}}` on the same line (write `\\{{` for literal "
                                   "braces)"))
                break
            content = line[start + 2:end]
            blank, message = (None, N_("a blank can't contain `{{` (is a `}}` missing?)")) if "{{" in content \
                else blank_of(content)
            if message is None:
                message = blank_problem(blank)
            if message is not None:
                problems.append(message)
                out.append(line[position:end + 2])
            else:
                blanks.append(blank)
                out.append(f"{line[position:start]}{{{{{len(blanks)}}}}}")
            position = end + 2
        out.append(line[position:])
        lines.append("".join(out))
    if not blanks and not problems:
        problems.append(N_("a 填空题 needs at least one blank, e.g. {{443}}"))
    return "\n".join(lines), blanks, problems


_RUBRIC_LINE = re.compile(r"^\s*(?:[-*+•·]\s*)?(?:\d+[.)、]\s*)?[(（]\s*([^)）]*?)\s*(?:分|points?|pts?)?\s*[)）]\s*(.*?)\s*$",
                          re.IGNORECASE)


def _written(row: _Row, draft: QuestionDraft, report: _RowReport) -> None:
    label = TYPE_LABELS[draft.qtype]
    draft.case = row.text("case").strip("\n")
    draft.reference = row.text("reference").strip("\n")
    if not draft.reference.strip() and row.text("answer").strip():  # many templates put it under 答案
        draft.reference = row.text("answer").strip("\n")
        report.warning(row.where("answer"), N_("%(answer)s was taken as the %(reference)s of this %(type)s",
                                               answer=row.column("answer"), reference=row.column("reference"),
                                               type=label))
    if not draft.reference.strip():
        report.error(row.where("reference"), N_("a %(type)s needs a %(column)s (the reference answer reviewers "
                                                "grade against)", type=label, column=row.column("reference")))
    draft.rubric = _rubric(row, report)
    if draft.qtype == "analysis" and not row.text("rubric").strip():
        report.error(row.where("rubric"), N_("a 分析题 needs a %(column)s: one item per line, e.g. (3) 先确认影响范围",
                                             column=row.column("rubric")))
    if draft.qtype == "short" and not draft.rubric and draft.points is None and not row.text("rubric").strip():
        report.error(row.where("points"), N_("a 简答题 needs a %(points)s or a %(rubric)s (whose total becomes the "
                                             "points)", points=row.column("points"), rubric=row.column("rubric")))
    if draft.rubric and draft.points is not None:
        total = round(sum(item.points for item in draft.rubric), 2)
        if abs(total - draft.points) > 1e-9:
            report.error(str(row.number), N_("the rubric totals %(total)s points but %(column)s is %(points)s: make "
                                             "them equal", total=f"{total:g}", column=row.column("points"),
                                             points=f"{draft.points:g}"))


def _rubric(row: _Row, report: _RowReport) -> list[RubricItem]:
    items = []
    for number, line in enumerate(row.text("rubric").split("\n"), start=1):
        if not line.strip():
            continue
        match = _RUBRIC_LINE.match(line)
        points = parse_number(match.group(1)) if match else None
        if match is None:
            report.error(row.where("rubric"), N_("line %(line)d of %(column)s must start with its points, e.g. (3) "
                                                 "先确认影响范围", line=number, column=row.column("rubric")))
        elif points is None or points <= 0:
            report.error(row.where("rubric"), N_("line %(line)d of %(column)s: the points must be a number above 0, "
                                                 "not %(value)r", line=number, column=row.column("rubric"),
                                                 value=match.group(1)))
        elif not match.group(2):
            report.error(row.where("rubric"), N_("line %(line)d of %(column)s has no text: say what earns these points",
                                                 line=number, column=row.column("rubric")))
        else:
            items.append(RubricItem(points, " ".join(match.group(2).split())))
    return items


_BUILDERS = {"single": _choice, "multiple": _choice, "truefalse": _truefalse, "fill": _fill,
             "short": _written, "analysis": _written}


_IDENTICAL = "this question is identical to the one on line %(line)d: remove one, or give each an `id`"


def _check_as_bank(conversion: Conversion) -> None:
    """Check the converted rows as the bank they become (limits, Markdown structure), reporting at their row:
    what passes here imports."""
    drafts = conversion.drafts
    if not drafts:
        return
    parts = [write_question(draft) for draft in drafts]
    starts, line = [], 1
    for part in parts:
        starts.append(line)
        line += part.count("\n") + 1  # write_bank joins the questions with a blank line
    result = parse_bank("\n".join(parts), source=conversion.path)
    failed = set()
    for error in result.errors:
        index = bisect.bisect_right(starts, error.line) - 1
        if index < 0:
            conversion.problem("", error.message)
            continue
        message = error.message
        if getattr(message, "id", None) == _IDENTICAL:  # its line is one of the Markdown: name the row instead
            first = drafts[bisect.bisect_right(starts, message.params["line"]) - 1]
            message = N_("this question is the same as the one in row %(row)d: delete one, or give them different "
                         "编号 (ids)", row=int(first.location))
        conversion.problem(drafts[index].location, message)
        failed.add(index)
    if failed:
        conversion.drafts = [draft for index, draft in enumerate(drafts) if index not in failed]


# --- writing -------------------------------------------------------------------------------------

def write_xlsx(drafts: list[QuestionDraft], *, key: str, title: str) -> bytes:
    """A bank's questions in the template's layout (Chinese headers), which `read_xlsx` reads back."""
    rows = [_row_of(draft) for draft in drafts]
    extra = max((len(draft.options) - len(LETTERS) for draft in drafts), default=0)
    return _workbook(rows, title=title, key=key, extra_options=max(extra, 0))


def template_xlsx() -> bytes:
    """The downloadable template: headers, one example question per type, and the 说明 sheet."""
    return _workbook(TEMPLATE_EXAMPLES, title="", key="", examples=True)  # no title: it would name the user's bank


def _row_of(draft: QuestionDraft) -> dict[str, object]:
    row: dict[str, object] = {
        "id": draft.key or "", "qtype": TYPE_LABELS[draft.qtype], "title": draft.title, "stem": draft.stem,
        "points": _number_cell(draft.points), "difficulty": draft.difficulty, "tags": "，".join(draft.tags),
        "dimension": draft.dimension, "explanation": draft.explanation,
    }
    if draft.qtype in ("single", "multiple"):
        for index, option in enumerate(draft.options):
            row[f"option_{_option_letter(index)}"] = option.text
        row["answer"] = "".join(_option_letter(index) for index, option in enumerate(draft.options) if option.correct)
        row["shuffle"] = "是" if draft.shuffle else "否"
        if draft.qtype == "multiple" and draft.scoring:
            row["scoring"] = "部分得分" if draft.scoring == "partial" else "全对才得分"
    elif draft.qtype == "truefalse":
        row["answer"] = "对" if draft.answer else "错"
    elif draft.qtype == "fill":
        row["stem"] = _braced_stem(draft)
        row["case_sensitive"] = "是" if draft.case_sensitive else "否"
    else:
        row["case"], row["reference"] = draft.case, draft.reference
        row["rubric"] = "\n".join(f"({_number_text(item.points)}) {item.text}" for item in draft.rubric)
    return row


def _option_letter(index: int) -> str:
    """A, B, … H, then I, J, … for the columns past the template's eight."""
    return _column_letters(index)


def _number_cell(number: float | None):
    if number is None:
        return None
    return int(number) if float(number).is_integer() else number


_MARKER = re.compile(r"(?<!\\)\{\{(\d+)\}\}")


def _braced_stem(draft: QuestionDraft) -> str:
    """The fill stem with each `{{n}}` marker written as its blank: `{{443|HTTPS}}`, `{{3.14 ± 0.01}}`."""
    def blank_text(match: re.Match) -> str:
        index = int(match.group(1)) - 1
        if not 0 <= index < len(draft.blanks):
            return match.group(0)
        blank = draft.blanks[index]
        if blank.tolerance is not None:
            return f"{{{{{blank.answers[0]} ± {_number_text(blank.tolerance)}}}}}"
        return "{{" + "|".join(answer.strip().replace("|", "\\|") for answer in blank.answers) + "}}"
    return _MARKER.sub(blank_text, draft.stem)


def _cell_value(value):
    """What goes into a cell: text made inert for a spreadsheet (see the module docstring), numbers as numbers."""
    if not isinstance(value, str):
        return value
    text = _ILLEGAL_IN_XLSX.sub("", value)  # control characters can't be stored in an .xlsx at all
    if _NEUTRALIZED.match(text):
        return "'" + text
    return neutralize(text)


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
