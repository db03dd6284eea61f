"""How much Markdown one piece of text may hold, so that rendering it stays cheap.

Python-Markdown and bleach (html5lib) slow down badly on some input: nested brackets, unclosed
tags and long runs of headings are quadratic, 400 nested lists overflow the stack, a 50,000-column
table takes seconds. `markup_problem()` measures a text against limits no real question comes
near, in time linear in the text; the bank checker refuses a bank that passes one of them, and
`markup.render_markdown()` shows such text as written instead of formatting it. One "field" is one
piece rendered on its own: a stem, an option, a case, a reference answer, an explanation, exam
instructions. The limits are stated in docs/question-bank-format.md ("Limits").
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from markdown.extensions.fenced_code import FencedBlockPreprocessor

from examengine.core.messages import N_, Message

MAX_FIELD_CHARS = 20_000
MAX_FIELD_LINES = 1_000
MAX_LINE_CHARS = 4_000
MAX_NESTING = 20  # list and quote levels; brackets `[` `(`; HTML tags
MAX_TABLE_COLUMNS = 50
MAX_MARKERS = 3_000
# The characters that make Markdown's inline parser (and then bleach) work: emphasis, code, links,
# raw HTML, table cells, entities.
MARKERS = "*_`[]<|&"
# Markdown's output, as bleach parses it. Within the limits above, lists, quotes, tables and HTML
# nest well inside MAX_HTML_DEPTH; only emphasis inside emphasis can go deeper, so the output is
# measured when a text has more than MAX_NESTING emphasis markers (`output_may_nest`).
MAX_HTML_DEPTH = 4 * MAX_NESTING
MAX_HTML_TAGS = 20_000

_MESSAGES = {
    "field_chars": N_("this part of the question is %(found)s characters long, over the limit of %(limit)s: "
                      "shorten it or split the question"),
    "field_lines": N_("this part of the question has %(found)s lines, over the limit of %(limit)s"),
    "line_chars": N_("this line is %(found)s characters long, over the limit of %(limit)s: "
                     "break it into shorter lines"),
    "nesting": N_("lists or quotes are nested %(found)s levels deep here, over the limit of %(limit)s"),
    "brackets": N_("brackets `[` or `(` are nested %(found)s deep here (or left open), over the limit of %(limit)s"),
    "html": N_("HTML tags are nested %(found)s deep here (or left open), over the limit of %(limit)s"),
    "table_columns": N_("this table row has %(found)s columns, over the limit of %(limit)s"),
    "markers": N_("this part of the question has %(found)s markup characters (* _ ` [ ] < | &) by this line, "
                  "over the limit of %(limit)s"),
    "html_depth": N_("this part of the question would be formatted %(found)s levels deep (emphasis inside "
                     "emphasis, lists, quotes, HTML), over the limit of %(limit)s"),
    "html_tags": N_("this part of the question would be formatted with %(found)s HTML tags, "
                    "over the limit of %(limit)s"),
}


@dataclass(frozen=True)
class MarkupProblem:
    """The first limit a text passes: `kind` (a key of the messages), its 1-based `line` in the text,
    the number `found` there and the `limit`."""

    kind: str
    line: int
    found: int
    limit: int

    @property
    def message(self) -> Message:
        template = _MESSAGES[self.kind]
        return Message(template.id, {"found": f"{self.found:,}", "limit": f"{self.limit:,}"})


# A container marker at the start of a line (after those before it): `>` or a list bullet/number.
_CONTAINER = re.compile(r"(?:>|(?:[-+*]|\d{1,9}[.)])(?=[ \t]|$))")
_LEADING_SPACE = re.compile(r"[ \t]*")
# A line can sit more than MAX_NESTING deep only if it starts with that many container characters.
_DEEP_PREFIX = re.compile(rf"^[ \t>*+\-0-9.)]{{{MAX_NESTING + 1},}}", re.MULTILINE)
_BRACKET = re.compile(r"\\.|[\[\]()]")
_BACKTICKS = re.compile(r"(`+)")
# An HTML start or end tag as Python-Markdown passes it through (bleach then parses it).
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)(?=[\s/>])[^<>]*>")
VOID_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
                       "source", "track", "wbr"})
# Python-Markdown's own pattern, so a line counts as fenced code exactly when Markdown treats it so.
_FENCED_BLOCK = FencedBlockPreprocessor.FENCED_BLOCK_RE


def normalize(text: str) -> str:
    """Line endings as Python-Markdown reads them."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def markup_problem(text: str, *, check_line_length: bool = True) -> MarkupProblem | None:
    """The first limit `text` passes, or None. Linear in the length of the text.

    `check_line_length=False` when the caller checks every line itself (the bank parser does, for
    the whole file).
    """
    text = normalize(text or "")
    if len(text) > MAX_FIELD_CHARS:
        return MarkupProblem("field_chars", 1, len(text), MAX_FIELD_CHARS)
    lines = text.split("\n")
    if len(lines) > MAX_FIELD_LINES:
        return MarkupProblem("field_lines", MAX_FIELD_LINES + 1, len(lines), MAX_FIELD_LINES)
    markers = sum(text.count(marker) for marker in MARKERS)
    if markers > MAX_MARKERS:
        return MarkupProblem("markers", _line_passing_markers(lines), markers, MAX_MARKERS)
    return _line_problem(text, lines, check_line_length)


def _line_passing_markers(lines: list[str]) -> int:
    total = 0
    for number, line in enumerate(lines, 1):
        total += sum(line.count(marker) for marker in MARKERS)
        if total > MAX_MARKERS:
            return number
    return len(lines)


def _fenced_lines(text: str) -> set[int]:
    """0-based indexes of the lines inside fenced code blocks (fences included): Markdown keeps
    their content as escaped text, so they cost nothing to render."""
    fenced: set[int] = set()
    pos = 0
    while (match := _FENCED_BLOCK.search(text, pos)) is not None:
        first = text.count("\n", 0, match.start())
        fenced.update(range(first, first + match.group(0).count("\n") + 1))
        pos = max(match.end(), pos + 1)
    return fenced


def _line_problem(text: str, lines: list[str], check_line_length: bool) -> MarkupProblem | None:
    # Most text needs few of the checks: each is skipped when the whole text shows it cannot fail.
    nesting = _DEEP_PREFIX.search(text) is not None
    brackets_used = "[" in text or "(" in text
    tags_used = "<" in text
    pipes_used = "|" in text
    if check_line_length and max(map(len, lines)) > MAX_LINE_CHARS:
        number = next(n for n, line in enumerate(lines, 1) if len(line) > MAX_LINE_CHARS)
        return MarkupProblem("line_chars", number, len(lines[number - 1]), MAX_LINE_CHARS)
    if not (nesting or brackets_used or tags_used or pipes_used):
        return None
    fenced = _fenced_lines(text) if "```" in text or "~~~" in text else set()
    brackets = parens = tags = 0
    for index, line in enumerate(lines):
        if index in fenced:
            continue
        if not line.strip():
            brackets = parens = 0  # inline markup never runs over a blank line
            continue
        number = index + 1
        if nesting and (depth := container_depth(line)) > MAX_NESTING:
            return MarkupProblem("nesting", number, depth, MAX_NESTING)
        if pipes_used and (columns := _table_columns(line)) > MAX_TABLE_COLUMNS:
            return MarkupProblem("table_columns", number, columns, MAX_TABLE_COLUMNS)
        if brackets_used:
            for match in _BRACKET.finditer(line):
                char = match.group()
                if char == "[":
                    brackets += 1
                elif char == "(":
                    parens += 1
                elif char == "]":
                    brackets = max(brackets - 1, 0)
                elif char == ")":
                    parens = max(parens - 1, 0)
                if brackets > MAX_NESTING or parens > MAX_NESTING:
                    return MarkupProblem("brackets", number, max(brackets, parens), MAX_NESTING)
        if tags_used and "<" in line:
            tags = _tag_depth(_without_code_spans(line), tags)
            if tags > MAX_NESTING:
                return MarkupProblem("html", number, tags, MAX_NESTING)
    return None


def container_depth(line: str) -> int:
    """How deep a line sits in lists and quotes: one per `>` or list marker at its start, and one per
    four columns of indentation (Markdown nests a list four spaces in) before or between them."""
    depth = pos = 0
    while True:
        end = _LEADING_SPACE.match(line, pos).end()
        run = line[pos:end]
        columns = run.count(" ") + 4 * run.count("\t") - (1 if pos else 0)  # a marker's own space is free
        depth += max(columns, 0) // 4
        marker = _CONTAINER.match(line, end)
        if marker is None:
            return depth
        depth += 1
        pos = marker.end()


def _table_columns(line: str) -> int:
    pipes = line.count("|") - line.count("\\|")
    if pipes == 0:
        return 0
    stripped = line.strip()
    return pipes + 1 - stripped.startswith("|") - (stripped.endswith("|") and len(stripped) > 1)


def _without_code_spans(line: str) -> str:
    """The line without its `code spans` (their `<` is shown as text, not parsed as a tag)."""
    parts = _BACKTICKS.split(line)  # text, run, text, run, ..., text
    # For each run (odd index), the index of the next run of the same length, if any.
    closing: dict[int, int] = {}
    last_seen: dict[int, int] = {}
    for index in range(len(parts) - 2, 0, -2):
        length = len(parts[index])
        if length in last_seen:
            closing[index] = last_seen[length]
        last_seen[length] = index
    kept, index = [parts[0]], 1
    while index < len(parts):
        end = closing.get(index)
        if end is None:
            kept.append(parts[index])
            kept.append(parts[index + 1])
            index += 2
        else:
            kept.append(parts[end + 1])
            index = end + 2
    return "".join(kept)


def _tag_depth(text: str, depth: int) -> int:
    """The open-tag depth after `text`, starting from `depth`; the deepest point if it passes the limit."""
    deepest = depth
    for match in _TAG.finditer(text):
        name = match.group(2).lower()
        if match.group(1):
            depth = max(depth - 1, 0)
        elif name not in VOID_TAGS and not match.group(0).endswith("/>"):
            depth += 1
            deepest = max(deepest, depth)
    return deepest if deepest > MAX_NESTING else depth


def output_may_nest(text: str) -> bool:
    """Whether Markdown's output for `text` (within the limits above) could pass MAX_HTML_DEPTH."""
    return text.count("*") + text.count("_") > MAX_NESTING


def output_problem(html: str) -> MarkupProblem | None:
    """The output limit Markdown's `html` passes (line 1: the output has no source lines), or None."""
    depth, tags = html_depth(html)
    if depth > MAX_HTML_DEPTH:
        return MarkupProblem("html_depth", 1, depth, MAX_HTML_DEPTH)
    if tags > MAX_HTML_TAGS:
        return MarkupProblem("html_tags", 1, tags, MAX_HTML_TAGS)
    return None


def html_depth(html: str) -> tuple[int, int]:
    """(deepest tag nesting, number of tags) of an HTML string, e.g. Markdown's output."""
    depth = deepest = count = 0
    for match in _TAG.finditer(html):
        count += 1
        if match.group(1):
            depth = max(depth - 1, 0)
        elif match.group(2).lower() not in VOID_TAGS and not match.group(0).endswith("/>"):
            depth += 1
            deepest = max(deepest, depth)
    return deepest, count
