"""`write_xlsx`: a bank's drafts as rows of the template (fill blanks written `{{…}}` in the stem, options
past H in extra columns), so that `read_xlsx` reads the same questions back."""
from __future__ import annotations

from examengine.core.converters.drafts import QuestionDraft
from examengine.core.converters.markdown import TYPE_LABELS, braced_stem
from examengine.core.converters.spreadsheet.cells import _number_text
from examengine.core.converters.spreadsheet.columns import LETTERS
from examengine.core.converters.spreadsheet.template import _option_letter, _workbook


def write_xlsx(drafts: list[QuestionDraft], *, key: str, title: str) -> bytes:
    """A bank's questions in the template's layout (Chinese headers), which `read_xlsx` reads back."""
    rows = [_row_of(draft) for draft in drafts]
    extra = max((len(draft.options) - len(LETTERS) for draft in drafts), default=0)
    return _workbook(rows, title=title, key=key, extra_options=max(extra, 0))


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
        row["stem"] = braced_stem(draft)
        row["case_sensitive"] = "是" if draft.case_sensitive else "否"
    else:
        row["case"], row["reference"] = draft.case, draft.reference
        row["rubric"] = "\n".join(f"({_number_text(item.points)}) {item.text}" for item in draft.rubric)
    return row


def _number_cell(number: float | None):
    if number is None:
        return None
    return int(number) if float(number).is_integer() else number
