"""One row's fields, read as one question type needs them: `_Row` (its cells by field, and where each is)
and `_RowReport` (its problems), the points, the answer letters and options of a choice, the 对/错 of a
true/false, the reference answer and rubric of a short or analysis question. Fill stems are in `fill`."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from examengine.core.banks.values import MAX_POINTS, unique
from examengine.core.converters.drafts import Conversion, Option, QuestionDraft, RubricItem
from examengine.core.converters.markdown import TYPE_LABELS
from examengine.core.converters.spreadsheet.columns import COLUMN_BY_FIELD, LETTERS, OPTION_FIELDS, header_key
from examengine.core.messages import N_
from examengine.core.text import parse_number


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
