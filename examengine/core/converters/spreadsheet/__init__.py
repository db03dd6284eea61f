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

The package, by responsibility: `columns` (the template's columns and how a header names one), `cells`
(a cell's value as text, and text as a cell's value), `readers` (`read_xlsx`, `read_csv`: the file to its
rows: zip guard, sheet, formulas, CSV encoding and dialect), `sheet` (the header row, then one draft per
row, checked as a bank), `rows` (the fields of a row: points, choices, true/false, written answers and
rubrics), `fill` (fill stems and their blanks), `writer` (`write_xlsx`: drafts as rows) and `template`
(`template_xlsx`: the workbook's layout, drop-downs, 说明 sheet and example questions).
"""
from __future__ import annotations

from examengine.core.converters.spreadsheet.readers import read_csv, read_xlsx
from examengine.core.converters.spreadsheet.template import template_xlsx
from examengine.core.converters.spreadsheet.writer import write_xlsx

__all__ = ["read_csv", "read_xlsx", "template_xlsx", "write_xlsx"]
