"""The document as lines of text: a Line of formatted Pieces (or a table), cut into parts and rendered as
Markdown. Knows nothing of Word, so that a reader of another format could produce Lines too."""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from functools import cached_property

PICTURE = "\ufffc"  # a picture's place in a line's plain text
_THEMATIC_BREAK = re.compile(r"\s*([-=*_])(?:\s*\1){2,}\s*")
_FENCE_START = re.compile(r"`{3,}|~{3,}")


@dataclass(frozen=True)
class Piece:
    """A stretch of a line with one formatting, or a picture (text PICTURE, `image` its Markdown path)."""
    text: str
    bold: bool = False
    italic: bool = False
    image: str = ""


@dataclass
class Line:
    """One line of a paragraph (a paragraph splits at its line breaks), or a table (`table`: Markdown lines)."""
    number: int  # the paragraph, 1-based
    pieces: list[Piece] = field(default_factory=list)
    numbering: tuple[str, int, str] | None = None  # Word's list numbering: (numId, level, format)
    table: list[str] | None = None

    @cached_property
    def plain(self) -> str:
        return "".join(piece.text for piece in self.pieces)

    @property
    def location(self) -> str:
        return f"¶{self.number}"

    @property
    def blank(self) -> bool:
        return self.table is None and not self.plain.strip()

    def sub(self, start: int, end: int | None = None) -> Line:
        """The part of the line from `start` to `end` (offsets in `plain`)."""
        end = len(self.plain) if end is None else end
        pieces, position = [], 0
        for piece in self.pieces:
            low, high = max(start, position), min(end, position + len(piece.text))
            if low < high:
                pieces.append(Piece(piece.text[low - position:high - position], piece.bold, piece.italic,
                                    piece.image))
            position += len(piece.text)
        return Line(self.number, pieces)

    def cut(self, start: int, end: int) -> Line:
        """The line without the part from `start` to `end`."""
        return Line(self.number, self.sub(0, start).pieces + self.sub(end).pieces, self.numbering)

    def markdown(self, *, strip: bool = True) -> str:
        """The line as Markdown: pictures as links, bold and italic kept unless the whole line has them
        (a line styled bold throughout is a heading's look, not emphasis)."""
        visible = [piece for piece in self.pieces if not piece.image and piece.text.strip()]
        keep_bold = not all(piece.bold for piece in visible)
        keep_italic = not all(piece.italic for piece in visible)
        out = []
        key = lambda piece: (piece.image, piece.bold and keep_bold, piece.italic and keep_italic)  # noqa: E731
        for (image, bold, italic), group in itertools.groupby(self.pieces, key=key):
            pieces = list(group)
            if image:
                out.extend(f"![]({piece.image})" for piece in pieces)
            else:
                out.append(_emphasized(_escaped("".join(piece.text for piece in pieces)), bold, italic))
        text = "".join(out).replace("\t", " ")
        return text.strip() if strip else text


def _escaped(text: str) -> str:
    """Plain text that Markdown would otherwise read as HTML (`<br>` in a question about HTML) kept as text."""
    text = re.sub(r"&(?=#?\w+;)", "&amp;", text)
    return re.sub(r"<(?=[A-Za-z/!?])", "&lt;", text)


def _emphasized(text: str, bold: bool, italic: bool) -> str:
    core = text.strip()
    if not core or not (bold or italic):
        return text
    mark = "***" if bold and italic else "**" if bold else "*"
    lead, trail = text[:len(text) - len(text.lstrip())], text[len(text.rstrip()):]
    return f"{lead}{mark}{core}{mark}{trail}"


def render(lines: list[Line], text_of=Line.markdown) -> str:
    """A part (stem, explanation, …) as Markdown: a line per paragraph line, tables set off by blank lines."""
    out: list[str] = []
    for line in lines:
        if line.table is not None:
            out += ["", *line.table, ""]
            continue
        out.append(_as_text_line(text_of(line)))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip("\n")


def _as_text_line(text: str) -> str:
    """A line of Word text kept as text where Markdown would make it a block: a line of dashes (a rule, or
    a heading underline) or a line starting with ``` (a code fence, which would run to the end of the bank)."""
    if _THEMATIC_BREAK.fullmatch(text) or _FENCE_START.match(text):
        return "\\" + text
    return text
