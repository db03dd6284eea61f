"""Reading a Word document's body into Lines: paragraphs and their runs (bold, italic, underlined blanks,
symbols, equations), Word's list numbering (numbering.xml and styles), inline pictures and tables."""
from __future__ import annotations

import hashlib

from docx.opc.constants import RELATIONSHIP_TYPE as RT

from examengine.core.banks.values import unique
from examengine.core.converters.docx.lines import PICTURE, Line, Piece
from examengine.core.converters.drafts import Conversion
from examengine.core.messages import N_

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_V = "{urn:schemas-microsoft-com:vml}"
_M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_OFF = ("0", "false", "off", "none")
# Not content: paragraph and run properties, deleted or moved-away text, field codes.
_NOT_CONTENT = frozenset(_W + tag for tag in ("pPr", "rPr", "del", "moveFrom", "instrText", "delText",
                                              "delInstrText", "fldChar", "sdtPr", "sdtEndPr"))
# Wingdings / Symbol characters Word inserts for √ and ×.
_SYMBOLS = {("wingdings", 0xFC): "√", ("wingdings", 0xFB): "×", ("wingdings 2", 0x50): "√",
            ("wingdings 2", 0x4F): "×", ("wingdings 2", 0x52): "√", ("symbol", 0xD6): "√", ("symbol", 0xB4): "×"}


class DocumentReader:
    """The body of a document as Lines, its pictures as `images` (Markdown path -> bytes)."""

    def __init__(self, document, conversion: Conversion):
        self.document = document
        self.part = document.part
        self.conversion = conversion
        self.images: dict[str, bytes] = {}
        self.formats = _numbering_formats(_related_element(self.part, RT.NUMBERING))
        self.styles = _style_numbering(_related_element(self.part, RT.STYLES))

    def lines(self) -> list[Line]:
        lines: list[Line] = []
        number = 0
        body = self.document.element.body
        for block in _body_blocks(body if body is not None else []):
            if block.tag == _W + "p":
                number += 1
                lines += self._paragraph_lines(block, number)
            else:
                table = self._table(block, max(number, 1))
                if table:
                    lines.append(Line(max(number, 1), table=table))
        return lines

    def _paragraph_lines(self, paragraph, number: int) -> list[Line]:
        groups: list[list[Piece]] = [[]]
        for piece in self._pieces(paragraph, number):
            if piece.image:
                groups[-1].append(piece)
                continue
            for i, text in enumerate(piece.text.split("\n")):
                if i:
                    groups.append([])
                if text:
                    groups[-1].append(Piece(text, piece.bold, piece.italic))
        numbering = self._numbering(paragraph)
        return [Line(number, pieces, numbering if i == 0 else None) for i, pieces in enumerate(groups)]

    def _pieces(self, element, number: int) -> list[Piece]:
        out: list[Piece] = []
        self._walk(element, number, out)
        return out

    def _walk(self, element, number: int, out: list[Piece]) -> None:
        for child in element:
            tag = child.tag
            if not isinstance(tag, str) or tag in _NOT_CONTENT:
                continue
            if tag == _W + "r":
                self._run(child, _run_format(child), number, out)
            elif tag in (_M + "oMath", _M + "oMathPara"):
                self._equation(child, number, out)
            elif tag == _MC + "AlternateContent":
                self._walk(_chosen_branch(child), number, out)
            else:  # hyperlinks, insertions, content controls, smart tags, simple fields: their runs count
                self._walk(child, number, out)

    def _run(self, run, fmt: tuple[bool, bool, bool], number: int, out: list[Piece]) -> None:
        bold, italic, underline = fmt
        for child in run:
            tag = child.tag
            if tag == _W + "t":
                text = child.text or ""
                # An underlined stretch of spaces is how Word users draw a blank.
                out.append(Piece("____" if underline and text and not text.strip() else text, bold, italic))
            elif tag == _W + "tab":
                out.append(Piece("____" if underline else "\t"))
            elif tag in (_W + "br", _W + "cr"):
                out.append(Piece("\n"))
            elif tag == _W + "noBreakHyphen":
                out.append(Piece("-", bold, italic))
            elif tag == _W + "sym":
                self._symbol(child, number, out)
            elif tag in (_W + "drawing", _W + "pict", _W + "object"):
                self._graphic(child, number, out)
            elif tag == _MC + "AlternateContent":
                self._run(_chosen_branch(child), fmt, number, out)

    def _symbol(self, sym, number: int, out: list[Piece]) -> None:
        font = (sym.get(_W + "font") or "").strip().casefold()
        try:
            code = int(sym.get(_W + "char") or "", 16)
        except ValueError:
            return
        low = code - 0xF000 if 0xF000 <= code <= 0xF0FF else code
        if (font, low) in _SYMBOLS:
            out.append(Piece(_SYMBOLS[(font, low)]))
        elif 0x20 <= code < 0xE000 or 0xF900 <= code < 0x110000:
            out.append(Piece(chr(code)))
        else:
            self.conversion.problem(f"¶{number}", N_("a symbol (font %(font)s, character %(char)s) was dropped: "
                                                     "type the character itself instead of inserting a symbol",
                                                     font=font or "?", char=f"{code:04X}"), "warning")

    def _graphic(self, element, number: int, out: list[Piece]) -> None:
        if any(True for _ in element.iter(_W + "txbxContent")):
            self.conversion.problem(f"¶{number}", N_("the text in a text box was not converted: move it out of "
                                                     "the text box into the paragraph"), "warning")
        ids = [blip.get(_R + "embed") or blip.get(_R + "link") for blip in element.iter(_A + "blip")]
        ids += [data.get(_R + "id") for data in element.iter(_V + "imagedata")]
        for rid in unique(ids):  # a group of pictures names each; a picture named twice is one
            self._picture(rid, number, out)

    def _picture(self, rid: str, number: int, out: list[Piece]) -> None:
        rel = self.part.rels.get(rid)
        location = f"¶{number}"
        if rel is None:
            self.conversion.problem(location, N_("a picture's data is missing from the document and was dropped: "
                                                 "insert the picture again"), "warning")
            return
        if rel.is_external:
            self.conversion.problem(location, N_("a linked picture (not saved in the document) was dropped: "
                                                 "insert the picture instead of linking to it"), "warning")
            return
        content = rel.target_part.blob
        extension = _image_extension(content)
        if extension is None:
            self.conversion.problem(location, N_("a picture in %(format)s format was dropped: only PNG, JPEG, "
                                                 "GIF and WebP pictures are converted; save it as PNG and insert "
                                                 "it again", format=_format_name(rel.target_part)), "warning")
            return
        name = f"images/{hashlib.sha256(content).hexdigest()[:12]}.{extension}"
        self.images[name] = content
        out.append(Piece(PICTURE, image=name))

    def _equation(self, element, number: int, out: list[Piece]) -> None:
        text = "".join(node.text or "" for node in element.iter(_M + "t"))
        if text.strip():
            out.append(Piece(text))
            self.conversion.problem(f"¶{number}", N_("an equation was converted as plain text (%(text)s): check "
                                                     "that it still reads right", text=text.strip()), "warning")

    def _numbering(self, paragraph) -> tuple[str, int, str] | None:
        properties = paragraph.find(_W + "pPr")
        direct = properties.find(_W + "numPr") if properties is not None else None
        style = properties.find(_W + "pStyle") if properties is not None else None
        num_id, level = _num_pr(direct)
        if num_id is None and style is not None:
            num_id, style_level = self._style_num_pr(style.get(_W + "val"))
            level = style_level if level is None else level
        if num_id is None or num_id == "0":
            return None
        level = level or 0
        return num_id, level, self.formats.get((num_id, level), "decimal")

    def _style_num_pr(self, style_id: str | None) -> tuple[str | None, int | None]:
        seen = set()
        while style_id and style_id not in seen and style_id in self.styles:
            seen.add(style_id)
            num_pr, based_on = self.styles[style_id]
            num_id, level = _num_pr(num_pr)
            if num_id is not None:
                return num_id, level
            style_id = based_on
        return None, None

    def _table(self, table, number: int) -> list[str]:
        rows = []
        for row in table.findall(_W + "tr"):
            cells = []
            for cell in row.findall(_W + "tc"):
                texts = [Line(number, self._pieces(paragraph, number)).markdown() for paragraph in cell.iter(_W + "p")]
                text = "<br>".join(text for text in texts if text).replace("\n", "<br>")
                cells.append(text.replace("|", "\\|"))
            rows.append(cells)
        width = max((len(row) for row in rows), default=0)
        if not width:
            return []
        lines = ["| " + " | ".join(row + [""] * (width - len(row))) + " |" for row in rows]
        return [lines[0], "|" + " --- |" * width, *lines[1:]]


def _body_blocks(body):
    """The body's paragraphs and tables in order, those inside content controls included."""
    for child in body:
        if child.tag in (_W + "p", _W + "tbl"):
            yield child
        elif child.tag in (_W + "sdt", _W + "sdtContent", _W + "customXml"):
            yield from _body_blocks(child)


def _chosen_branch(alternate):
    """Of Word's alternative renderings, the first (the modern one), else the fallback."""
    for branch in alternate:
        if branch.tag in (_MC + "Choice", _MC + "Fallback"):
            return branch
    return []


def _run_format(run) -> tuple[bool, bool, bool]:
    properties = run.find(_W + "rPr")
    if properties is None:
        return False, False, False

    def on(tag: str) -> bool:
        element = properties.find(_W + tag)
        return element is not None and (element.get(_W + "val") or "true").casefold() not in _OFF
    return on("b"), on("i"), on("u")


def _related_element(part, reltype: str):
    try:
        return getattr(part.part_related_by(reltype), "element", None)
    except KeyError:
        return None


def _num_pr(num_pr) -> tuple[str | None, int | None]:
    if num_pr is None:
        return None, None
    num_id, level = num_pr.find(_W + "numId"), num_pr.find(_W + "ilvl")
    try:
        level_value = int(level.get(_W + "val")) if level is not None else None
    except (TypeError, ValueError):
        level_value = None
    return (num_id.get(_W + "val") if num_id is not None else None), level_value


def _numbering_formats(numbering) -> dict[tuple[str, int], str]:
    """(numId, level) -> number format ("decimal", "upperLetter", "bullet", …) from numbering.xml."""
    if numbering is None:
        return {}
    abstract = {element.get(_W + "abstractNumId"): _level_formats(element)
                for element in numbering.iterfind(_W + "abstractNum")}
    formats = {}
    for num in numbering.iterfind(_W + "num"):
        abstract_id = num.find(_W + "abstractNumId")
        levels = dict(abstract.get(abstract_id.get(_W + "val") if abstract_id is not None else None, {}))
        for override in num.iterfind(_W + "lvlOverride"):
            levels.update(_level_formats(override))
        formats.update({(num.get(_W + "numId"), level): fmt for level, fmt in levels.items()})
    return formats


def _level_formats(element) -> dict[int, str]:
    formats = {}
    for level in element.iterfind(_W + "lvl"):
        fmt = level.find(_W + "numFmt")
        try:
            formats[int(level.get(_W + "ilvl") or 0)] = fmt.get(_W + "val") if fmt is not None else "decimal"
        except ValueError:
            continue
    return formats


def _style_numbering(styles) -> dict[str, tuple]:
    """styleId -> (its numPr element or None, the style it is based on)."""
    if styles is None:
        return {}
    result = {}
    for style in styles.iterfind(_W + "style"):
        properties = style.find(_W + "pPr")
        based_on = style.find(_W + "basedOn")
        result[style.get(_W + "styleId")] = (
            properties.find(_W + "numPr") if properties is not None else None,
            based_on.get(_W + "val") if based_on is not None else None,
        )
    return result


def _image_extension(content: bytes) -> str | None:
    """png / jpg / gif / webp by the picture's own bytes (Word's content type may say otherwise), else None."""
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if content.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "webp"
    return None


def _format_name(part) -> str:
    name = str(getattr(part, "partname", "") or "")
    extension = name.rsplit(".", 1)[-1].upper() if "." in name else ""
    return extension or str(getattr(part, "content_type", "") or "?")

