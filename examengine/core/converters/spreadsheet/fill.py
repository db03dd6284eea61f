"""A 填空题 row: a stem with `____` / `（ ）` blanks and 答案 giving their answers in order, or a stem that
writes our `{{…}}` blanks itself; a blank's text as a `Blank` (alternatives with `|`, a tolerance as
`3.14±0.01`)."""
from __future__ import annotations

import re
import unicodedata

from examengine.core.converters.drafts import Blank, QuestionDraft
from examengine.core.converters.markdown import blank_problem
from examengine.core.converters.spreadsheet.rows import _Row, _RowReport, parse_bool_cell
from examengine.core.messages import N_
from examengine.core.text import parse_number


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
