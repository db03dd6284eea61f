"""Line-level structure of a bank body: fences, headings, question blocks, metadata and sections.

Everything here is fence-aware: inside a fenced code block (``` or ~~~) a `#` line is code,
not a heading.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from examengine.core.qtypes.base import Line, section_name

_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_FENCE_CLOSE = re.compile(r"^ {0,3}(`{3,}|~{3,})[ \t]*$")
# ATX heading (CommonMark): up to 3 spaces, 1-6 `#`, then a space or the end of the line.
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$")
# `##[single]` without the space: not a Markdown heading, but clearly meant as a question.
_TIGHT_QUESTION_HEADING = re.compile(r"^ {0,3}##(?=[\[【])(.*?)[ \t]*$")
_CLOSING_HASHES = re.compile(r"(?:^|[ \t]+)#+$")
# `key: value` (full-width colon too); keys are ASCII words like `case_sensitive` or `case-sensitive`.
_META_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*)[ \t]*[:：][ \t]*(.*?)[ \t]*$")


def split_lines(text: str) -> list[str]:
    """Lines on \\n, \\r\\n or \\r only, so line numbers match what an editor shows."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def mark_fences(texts: list[str], first_number: int) -> tuple[list[Line], int | None]:
    """Numbered lines flagged when inside a fence, and the line number of a fence never closed."""
    lines: list[Line] = []
    fence: tuple[str, int, int] | None = None  # (character, length, opening line number)
    for number, text in enumerate(texts, first_number):
        if fence is None:
            opening = _FENCE_OPEN.match(text)
            # A backtick fence's info string may not contain backticks (then it's inline code).
            if opening and not (opening.group(1)[0] == "`" and "`" in opening.group(2)):
                fence = (opening.group(1)[0], len(opening.group(1)), number)
            lines.append(Line(number, text, fence is not None))
            continue
        lines.append(Line(number, text, True))
        closing = _FENCE_CLOSE.match(text)
        if closing and closing.group(1)[0] == fence[0] and len(closing.group(1)) >= fence[1]:
            fence = None
    return lines, fence[2] if fence else None


def heading(line: Line) -> tuple[int, str] | None:
    """(level, text) if the line is a heading outside any fence."""
    if line.in_fence:
        return None
    match = _HEADING.match(line.text)
    if match:
        return len(match.group(1)), _CLOSING_HASHES.sub("", match.group(2) or "").strip()
    tight = _TIGHT_QUESTION_HEADING.match(line.text)
    return (2, tight.group(1).strip()) if tight else None


@dataclass(eq=False)
class QuestionBlock:
    heading: Line
    heading_text: str  # after the `##`
    category: str  # text of the `#` heading above it, '' if none
    body: list[Line] = field(default_factory=list)


def question_blocks(lines: list[Line]) -> list[QuestionBlock]:
    """Split the body at `#` (category) and `##` (question) headings.

    Text outside a question (e.g. notes under a category heading) is not part of any question.
    """
    blocks: list[QuestionBlock] = []
    category, current = "", None
    for line in lines:
        found = heading(line)
        if found and found[0] == 1:
            category, current = found[1], None
        elif found and found[0] == 2:
            current = QuestionBlock(line, found[1], category)
            blocks.append(current)
        elif current is not None:
            current.body.append(line)
    return blocks


def split_metadata(body: list[Line]) -> tuple[list[tuple[str, str, Line]], list[Line]]:
    """Leading `key: value` lines (keys lower-cased, `-` as `_`) and the lines after them.

    Metadata must follow the heading directly and ends at the first blank or non-`key: value` line,
    so a blank line after the heading lets a stem begin with text like `Note: ...`.
    """
    entries = []
    for index, line in enumerate(body):
        match = None if line.in_fence else _META_LINE.match(line.text)
        if not match:
            return entries, body[index:]
        entries.append((match.group(1).lower().replace("-", "_"), match.group(2), line))
    return entries, []


@dataclass(eq=False)
class RawSection:
    name: str
    heading: Line
    lines: list[Line] = field(default_factory=list)


def split_sections(lines: list[Line]) -> tuple[list[Line], list[RawSection]]:
    """The stem lines, then one section per `###` heading with a known section name.

    Any other `###` heading is ordinary Markdown in whatever part it sits.
    """
    stem: list[Line] = []
    sections: list[RawSection] = []
    for line in lines:
        found = heading(line)
        name = section_name(found[1]) if found and found[0] == 3 else None
        if name:
            sections.append(RawSection(name, line))
        elif sections:
            sections[-1].lines.append(line)
        else:
            stem.append(line)
    return stem, sections
