"""The rows of a question sheet -> drafts: the header row (columns found by name), then one question per
non-empty row: its type, the fields every type has, the type's own fields (`rows`, `fill`), cells the type
does not use, duplicates; at the end every converted row is checked as the bank question it becomes."""
from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import replace

from examengine.core import qtypes
from examengine.core.banks.parser import parse_bank
from examengine.core.banks.values import parse_difficulty, parse_id, unique
from examengine.core.converters.drafts import Conversion, QuestionDraft
from examengine.core.converters.markdown import TYPE_LABELS, write_question
from examengine.core.converters.spreadsheet.cells import _column_letters, _coordinate, _tidy, cell_text
from examengine.core.converters.spreadsheet.columns import (
    _EXTRA_OPTION,
    _FIELD_BY_KEY,
    COLUMNS,
    OPTION_FIELDS,
    header_key,
)
from examengine.core.converters.spreadsheet.fill import _fill
from examengine.core.converters.spreadsheet.rows import (
    _LETTER,
    _choice,
    _compact_letters,
    _points,
    _Row,
    _RowReport,
    _truefalse,
    _written,
    parse_bool_cell,
)
from examengine.core.messages import N_

MAX_QUESTION_ROWS = 100_000


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
