"""The template's columns (header, accepted names, width, what the 说明 sheet says) and how a sheet's
header is matched to one: `header_key` compares headers after NFKC, without case, spaces or marks."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

LETTERS = "ABCDEFGH"
SHEET_NAMES = ("题库", "questions")


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
