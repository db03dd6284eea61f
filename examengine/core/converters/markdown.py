"""Drafts -> a Markdown bank file in our format, which the normal parser and check then read.

The writer escapes what would change the file's structure: a line of a stem or section that would
start a category or a question (`#`, `##`), a `###` line that names one of our sections, a task-list
line in a choice question's stem (it would be taken for options), and a literal `{{` in a fill stem is
left as the draft wrote it (`\\{{`). What it cannot express (a blank answer spanning lines) the readers
report before calling it: `blank_problem()` says why.
"""
from __future__ import annotations

import re

import yaml

from examengine.core.converters.drafts import Blank, QuestionDraft
from examengine.core.messages import N_
from examengine.core.qtypes.base import section_name

TYPE_LABELS = {
    "single": "单选题", "multiple": "多选题", "truefalse": "判断题",
    "fill": "填空题", "short": "简答题", "analysis": "分析题",
}
SECTION_HEADINGS = {"case": "案例", "reference": "参考答案", "rubric": "评分标准", "explanation": "解析"}
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^( {0,3})(#{1,6})(?=[ \t]|$)(.*)$")
_TASK_ITEM = re.compile(r"^( {0,3}[-*+][ \t]+)\[([ xX])\]")
_MARKER = re.compile(r"(?<!\\)\{\{(\d+)\}\}")
_TAG_SEPARATORS = re.compile(r"[,，]")


def write_bank(drafts: list[QuestionDraft], *, key: str | None = None, title: str = "",
               description: str = "") -> str:
    """The bank file: front matter, then one `## [type]` block per draft."""
    front = {name: value for name, value in (("id", key), ("title", title), ("description", description)) if value}
    parts = []
    if front:
        parts.append("---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=10_000) + "---\n")
    parts.extend(write_question(draft) for draft in drafts)
    return "\n".join(parts)


def write_question(draft: QuestionDraft) -> str:
    lines = [f"## [{TYPE_LABELS[draft.qtype]}] {one_line(draft.title)}".rstrip()]
    lines += [f"{name}: {value}" for name, value in _metadata(draft)]
    lines.append("")
    stem = braced_stem(draft) if draft.qtype == "fill" else draft.stem
    lines += _escaped(stem, choice=draft.qtype in ("single", "multiple"))
    if draft.qtype in ("single", "multiple"):
        lines.append("")
        lines += _options(draft)
    if draft.qtype in ("short", "analysis"):
        lines += _section("case", draft.case)
        lines += _section("reference", draft.reference)
        if draft.rubric:
            lines += ["", f"### {SECTION_HEADINGS['rubric']}"]
            lines += [f"- ({exact_number(item.points)}) {one_line(item.text)}" for item in draft.rubric]
    lines += _section("explanation", draft.explanation)
    return "\n".join(lines).rstrip() + "\n"


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def exact_number(value: float) -> str:
    """The shortest text that reads back as exactly `value` (`:g` alone keeps six digits)."""
    short = f"{value:g}"
    return short if float(short) == value else repr(float(value))


def blank_problem(blank: Blank):
    """Why a blank can't be written in our syntax, or None."""
    for answer in blank.answers:
        if not answer.strip():
            return N_("a blank has an empty answer")
        if "\n" in answer or "{{" in answer or "}}" in answer:
            return N_("a blank's answer %(answer)r can't hold a line break, `{{` or `}}`", answer=answer)
    if not blank.answers:
        return N_("a blank has no answer")
    return None


def _metadata(draft: QuestionDraft):
    if draft.key:
        yield "id", draft.key
    if draft.points is not None:
        yield "points", exact_number(draft.points)
    if draft.difficulty is not None:
        yield "difficulty", draft.difficulty
    tags = [one_line(_TAG_SEPARATORS.sub(" ", tag)) for tag in draft.tags]
    if any(tags):
        yield "tags", ", ".join(tag for tag in tags if tag)
    if draft.dimension.strip():
        yield "dimension", one_line(draft.dimension)
    if draft.qtype == "truefalse":
        yield "answer", "对" if draft.answer else "错"
    if draft.qtype in ("single", "multiple") and not draft.shuffle:
        yield "shuffle", "false"
    if draft.qtype == "multiple" and draft.scoring:
        yield "scoring", draft.scoring
    if draft.qtype == "fill" and draft.case_sensitive:
        yield "case_sensitive", "true"


def braced_stem(draft: QuestionDraft) -> str:
    """The fill stem with each `{{n}}` marker written as its blank: `{{443|HTTPS}}`, `{{3.14 ± 0.01}}`."""
    def blank_text(match: re.Match) -> str:
        index = int(match.group(1)) - 1
        if not 0 <= index < len(draft.blanks):
            return match.group(0)
        blank = draft.blanks[index]
        if blank.tolerance is not None:
            return f"{{{{{blank.answers[0]} ± {exact_number(blank.tolerance)}}}}}"
        return "{{" + "|".join(answer.strip().replace("|", "\\|") for answer in blank.answers) + "}}"
    return _MARKER.sub(blank_text, draft.stem)


def _options(draft: QuestionDraft) -> list[str]:
    lines = []
    for option in draft.options:
        first, *rest = option.text.strip().split("\n") or [""]
        lines.append(f"- [{'x' if option.correct else ' '}] {first.strip()}".rstrip())
        lines += [f"    {line}" if line.strip() else "" for line in rest]
    return lines


def _section(name: str, text: str) -> list[str]:
    if not text.strip():
        return []
    return ["", f"### {SECTION_HEADINGS[name]}", *_escaped(text)]


def _escaped(text: str, *, choice: bool = False) -> list[str]:
    """The text's lines, with the structure-changing ones escaped (outside fenced code)."""
    out, fence = [], None
    for line in text.strip("\n").split("\n"):
        opening = _FENCE.match(line)
        if fence is None and opening:
            fence = opening.group(1)[0]
        elif fence is not None and opening and opening.group(1)[0] == fence:
            fence = None
        elif fence is None:
            line = _escape_line(line, choice)
        out.append(line)
    return out


def _escape_line(line: str, choice: bool) -> str:
    heading = _HEADING.match(line)
    if heading:
        indent, hashes, rest = heading.groups()
        if len(hashes) < 3 or (len(hashes) == 3 and section_name(rest) is not None):
            return f"{indent}\\{hashes}{rest}"
    if choice:
        return _TASK_ITEM.sub(lambda match: f"{match.group(1)}\\[{match.group(2)}]", line)
    return line
