"""Word documents (.docx): question papers as teachers and HR staff type them, read into drafts.

The layout (Chinese first; the English labels work too):

    一、单选题（每题2分）             optional section heading: the type (and points) of the questions below
    1. HTTPS 默认使用哪个端口？（ ）   a question: `1.` `1、` `1．` `1)` `（1）` `第1题`, or Word's list numbering
    A. 80    B. 443    C. 8080       options, on one line or one per line: A. A、 A) A． （A）, or a lettered list
    答案：B                           答案 / 正确答案 / 参考答案 / Answer, with ：or :, or 【答案】B
    解析：HTTPS 默认端口是 443。       optional explanation (解析 / Explanation)
    评分标准：                         rubric lines `(3) 先确认影响范围` (short answer, case analysis)
    难度：中  分值：5  标签：网络  能力维度：…  题型：多选题   optional metadata lines

Headings (一、单选题 … 六、案例分析题, 第一部分 判断题, Part 1 Single choice) set the type of the questions
below them; 选择题 / "Multiple choice" leave single or multiple to the answer. Without a heading the type is
inferred: options and one answer letter -> single, several letters -> multiple; 对/错 (√/×, 正确/错误)
without options -> truefalse; a blank (`____`, `（ ）`) with an answer -> fill (the answers of several
blanks separated by `；`, alternatives by `|`); any other answer -> short, with a rubric -> analysis.
Points come from `分值：`, else a `（5分）` at the start or end of the question line (removed from the
stem), else the heading (`每题2分`). In a choice or true/false question a trailing `（ ）` is the answer
placeholder and is removed; a trailing `（B）` or `（√）` is taken as the answer when no 答案 line gives one.

Converted with the text: inline pictures (PNG, JPEG, GIF and WebP, stored once per content as
`images/<sha256-12>.<ext>` in `Conversion.files` and linked where they sit), tables (Markdown tables),
bold and italic inside a line, underlined blank runs (as `____`). Word text is text, not Markdown: what
Markdown would read as HTML, a code fence or a rule is escaped. Reported and dropped: pictures in other
formats (EMF, WMF, TIFF, BMP…), linked pictures, text in text boxes; equations are kept as their plain
text, with a warning. Text before the first question (a title, instructions) is ignored; its first line
is the title if it looks like one, unless the document's properties have a title. Not understood, so
reported as questions without an answer: an answer key gathered at the end of the paper, and answers
marked only by formatting (a red or bold option).

Locations are paragraphs "¶N", counted from 1 over the paragraphs of the document's body (the paragraphs
inside tables are not counted; a table belongs to the paragraph above it).
"""
from __future__ import annotations

import hashlib
import io
import itertools
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from functools import cached_property

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT

from examengine.core.banks.values import parse_difficulty, parse_points, unique
from examengine.core.converters.drafts import Blank, Conversion, Option, QuestionDraft, RubricItem
from examengine.core.converters.markdown import blank_problem, write_question
from examengine.core.messages import N_
from examengine.core.text import parse_number

MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_MEMBERS = 10_000
# How far a numbered line inside an answer or explanation looks for the 答案 or options that would make
# it a question of its own (a numbered list in an answer is more common than a question without answer).
LOOKAHEAD_LINES = 200

_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .doc files, and password-protected .docx
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_V = "{urn:schemas-microsoft-com:vml}"
_M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
PICTURE = "\ufffc"  # a picture's place in a line's plain text
_OFF = ("0", "false", "off", "none")
# Not content: paragraph and run properties, deleted or moved-away text, field codes.
_NOT_CONTENT = frozenset(_W + tag for tag in ("pPr", "rPr", "del", "moveFrom", "instrText", "delText",
                                              "delInstrText", "fldChar", "sdtPr", "sdtEndPr"))
_LETTER_FORMATS = frozenset({"upperLetter", "lowerLetter"})
_UNNUMBERED_FORMATS = frozenset({"bullet", "none"})
# Wingdings / Symbol characters Word inserts for √ and ×.
_SYMBOLS = {("wingdings", 0xFC): "√", ("wingdings", 0xFB): "×", ("wingdings 2", 0x50): "√",
            ("wingdings 2", 0x4F): "×", ("wingdings 2", 0x52): "√", ("symbol", 0xD6): "√", ("symbol", 0xB4): "×"}


def read_docx(path: str, data: bytes) -> Conversion:
    """The questions of a Word document. Never raises: every problem is in `conversion.problems`."""
    conversion = Conversion(path)
    try:
        _read(conversion, data)
    except Exception as exc:  # noqa: BLE001 -- a reader's bug must not turn an upload into a 500
        conversion.drafts, conversion.files = [], {}
        conversion.problem("", N_("internal error while converting this file (%(error)s); please report it",
                                  error=type(exc).__name__))
    return conversion


def _read(conversion: Conversion, data: bytes) -> None:
    problem = _package_problem(data)
    if problem:
        conversion.problem("", problem)
        return
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # noqa: BLE001 -- python-docx raises many kinds on a broken package; all mean the same
        conversion.problem("", N_("the file is not a readable Word document: open it in Word and save it "
                                  "again as a Word document (.docx)"))
        return
    reader = _DocumentReader(document, conversion)
    paper = _PaperReader(reader.lines(), conversion)
    paper.read()
    if not conversion.drafts and not conversion.errors:
        conversion.problem("", N_("no questions found: number each question (1. …) and put its answer below it "
                                  "(答案：B)"))
    conversion.title = (document.core_properties.title or "").strip() or paper.title
    used = "\n".join(_draft_text(draft) for draft in conversion.drafts)
    conversion.files = {name: content for name, content in reader.images.items() if name in used}


def _package_problem(data: bytes):
    """Why these bytes can't be opened as a .docx (checked before python-docx unpacks anything), or None."""
    if data.startswith(_OLE_SIGNATURE):
        if "EncryptionInfo".encode("utf-16-le") in data:
            return N_("the document is protected by a password: open it in Word, remove the password "
                      "(文件 > 信息 > 保护文档) and save it again")
        return N_("this is an old Word 97-2003 document (.doc) or another binary Office file: open it in Word "
                  "and save it as a Word document (.docx)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except Exception:  # noqa: BLE001 -- zipfile raises several kinds on garbage; all mean "not a zip"
        return N_("the file is not a Word document (.docx is a zip archive, and this file is not one): "
                  "save it in Word as a Word document (.docx)")
    if len(members) > MAX_MEMBERS:
        return N_("the document holds %(count)s parts, more than the %(limit)s a Word document may have",
                  count=f"{len(members):,}", limit=f"{MAX_MEMBERS:,}")
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNPACKED_BYTES:
        return N_("the document unpacks to %(size)s bytes, over the limit of %(limit)s MB: make its pictures "
                  "smaller or split it", size=f"{unpacked:,}", limit=MAX_UNPACKED_BYTES // (1024 * 1024))
    if any(member.flag_bits & 0x1 for member in members):
        return N_("the document is protected by a password: open it in Word, remove the password "
                  "(文件 > 信息 > 保护文档) and save it again")
    return None


def _draft_text(draft: QuestionDraft) -> str:
    return "\n".join([draft.stem, draft.case, draft.reference, draft.explanation,
                      *(option.text for option in draft.options), *(item.text for item in draft.rubric)])


# --- The document as lines -------------------------------------------------------------------------------


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


class _DocumentReader:
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


# --- Recognizing the parts of a paper --------------------------------------------------------------------

_NUMERAL = "[一二三四五六七八九十]"
_DIGITS = "[0-9０-９]"
_NUMBER = rf"{_DIGITS}+(?:[.．]{_DIGITS}+)?"
_TYPE_WORDS = (  # (pattern, type): a type name as headings and 题型： write it; "choice" leaves it to the answer
    (r"单项选择题?|单选题?|single[- ]?choice|single[- ]answer", "single"),
    (r"多项选择题?|多选题?|不定项选择题?|multiple[- ]answer|multiple[- ]response|multi[- ]?select", "multiple"),
    (r"选择题|multiple[- ]choice|choice", "choice"),
    (r"判断题?|是非题|true\s*(?:/|or|-)\s*false|judge?ment", "truefalse"),
    (r"填空题?|fill[- ]in[- ]the[- ]blanks?|fill[- ]in(?:[- ]blanks?)?|blanks?|completion", "fill"),
    (r"案例分析题?|综合分析题|分析题|case[- ](?:analysis|study)|analysis", "analysis"),
    (r"简答题?|问答题|论述题|short[- ]answers?|essay", "short"),
)
_TYPE_NAME = re.compile("|".join(f"(?P<t{i}>{pattern})" for i, (pattern, _) in enumerate(_TYPE_WORDS)), re.I)
_HEADING_PREFIX = re.compile(
    rf"\s*(?:{_NUMERAL}{{1,3}}\s*[、.．:：]|[（(]\s*{_NUMERAL}{{1,3}}\s*[)）]|第\s*(?:{_NUMERAL}{{1,3}}|{_DIGITS}{{1,2}})\s*"
    r"(?:部分|大题|节|卷)\s*[：:、.．]?|(?:part|section)\s+(?:\d{1,2}|[ivx]{1,5})\s*[:.：\-–—]?)\s*", re.I)
_OTHER_SECTION = re.compile(r"\S{1,8}?题")  # 七、计算题: a section of a type we infer per question
# After the type: a parenthesis (（每题2分，共20分）), and after a numbered known type also `：每题2分`.
_HEADING_TAIL = re.compile(r"\s*(?:questions?\s*)?(?:[（(].{0,60})?", re.I)
_HEADING_TAIL_AFTER_NUMBER = re.compile(r"\s*(?:questions?\s*)?(?:[（(:：,，].{0,60})?", re.I)
_POINTS_EACH = re.compile(rf"每(?:小|道)?题\s*(?:各\s*)?({_NUMBER})\s*分|({_NUMBER})\s*分\s*/\s*题"
                          rf"|({_NUMBER})\s*points?\s+each|each\s+(?:question\s+)?(?:is\s+)?(?:worth\s+)?"
                          rf"({_NUMBER})\s*points?", re.I)
_POINTS_ONLY = re.compile(rf"\s*[（(]\s*({_NUMBER})\s*(?:分|points?)\s*[)）](?:\s*[:：])?\s*", re.I)
_QUESTION_NUMBER = re.compile(
    rf"\s*(?:[（(]\s*(?P<paren>{_DIGITS}{{1,4}})\s*[)）]|第\s*(?P<ti>{_DIGITS}{{1,4}})\s*题\s*[.．、:：]?"
    rf"|(?P<plain>{_DIGITS}{{1,4}})\s*(?:[.．](?!{_DIGITS})|[、)）]))\s*")
_LINE_POINTS_END = re.compile(rf"\s*[（(]\s*({_NUMBER})\s*(?:分|points?)\s*[)）](?=\s*(?:[（(][ \t\u3000]*[)）])?"
                              r"[\s。.．]*$)", re.I)
_LINE_POINTS_START = re.compile(rf"\s*[（(]\s*({_NUMBER})\s*(?:分|points?)\s*[)）]\s*", re.I)
_LETTER = "[A-Ha-hＡ-Ｈａ-ｈ]"
_OPTION_MARK = rf"(?:[（(][ \t]*(?P<p>{_LETTER})[ \t]*[)）]|(?P<d>{_LETTER})[ \t]*[.．、)）:：])"
_OPTION_FIRST = re.compile(rf"\s*{_OPTION_MARK}\s*")
_OPTION_NEXT = re.compile(rf"(?<=\s){_OPTION_MARK}\s*")
_LABEL_WORDS = (
    ("reference", ("参考答案", "标准答案", "reference answer", "model answer")),
    ("answer", ("正确答案", "答案", "correct answer", "answer")),
    ("explanation", ("答案解析", "试题解析", "解析", "explanation")),
    ("rubric", ("评分标准", "评分要点", "评分细则", "rubric", "scoring")),
    ("case", ("案例材料", "案例背景", "案例", "case")),
    ("points", ("分值", "分数", "points", "score")),
    ("difficulty", ("难度", "difficulty")),
    ("tags", ("标签", "知识点", "tags")),
    ("dimension", ("能力维度", "维度", "dimension")),
    ("type", ("题型", "question type")),
)
_LABEL_KIND = {word: kind for kind, words in _LABEL_WORDS for word in words}
_LABEL_ALTERNATIVES = "|".join(sorted((re.escape(word) for word in _LABEL_KIND), key=len, reverse=True))
_LABEL = re.compile(rf"\s*(?:【\s*(?P<a>{_LABEL_ALTERNATIVES})\s*】\s*[:：]?|\[\s*(?P<b>{_LABEL_ALTERNATIVES})\s*\]"
                    rf"\s*[:：]?|(?P<c>{_LABEL_ALTERNATIVES})\s*[:：])\s*", re.I)
_META_KINDS = ("points", "difficulty", "tags", "dimension", "type")
_RUBRIC_ITEM = (
    re.compile(rf"\s*(?:[-*•·]\s*)?[（(]\s*({_NUMBER})\s*(?:(?:分|points?|pts?)\s*)?[)）]\s*", re.I),
    re.compile(rf"\s*(?:[-*•·]\s*)?({_NUMBER})\s*(?:分|points?)\s*[:：、.．]?\s*", re.I),
)
_RUBRIC_TRAILING = re.compile(rf"\s*[（(]\s*({_NUMBER})\s*(?:分|points?)\s*[)）]\s*$", re.I)
_BLANK = re.compile(r"[_＿]{3,}|（[ \t\u3000]*）|\([ \t\u3000]+\)")
_PLACEHOLDER_END = re.compile(r"\s*[（(][ \t\u3000]*[)）][\s。.．]*$")
_INLINE_ANSWER_END = re.compile(r"\s*[（(][ \t\u3000]*([A-Ha-hＡ-Ｈａ-ｈ]{1,8}|[√×✓✗✔✘]|对|错)[ \t\u3000]*[)）][\s。.．]*$")
_ANSWER_SEPARATORS = re.compile(r"[\s,，、;；/]+")
_TRUE_WORDS = frozenset({"对", "正确", "√", "✓", "✔", "是", "t", "true", "yes", "right"})
_FALSE_WORDS = frozenset({"错", "错误", "×", "✗", "✘", "x", "否", "f", "false", "no", "wrong"})
_THEMATIC_BREAK = re.compile(r"\s*([-=*_])(?:\s*\1){2,}\s*")
_FENCE_START = re.compile(r"`{3,}|~{3,}")
_TITLE_END = re.compile(r"[。.!！?？；;:：,，]$")
_POINTS_VALUE = re.compile(rf"\s*({_NUMBER})\s*(?:(?:分|points?|pts?)\s*)?", re.I)
# Patterns searched for at the end of a line only look at its last characters: a search for `\s*（…）$`
# over a line of many spaces would otherwise take quadratic time.
END_WINDOW = 200


@dataclass
class _Section:
    qtype: str | None  # None: inferred per question; "choice": single or multiple by the answer
    points: float | None = None


@dataclass
class _Start:
    family: tuple  # numbering style: ("plain",) for 1. 1、 1) ; ("paren",) for （1）; ("auto", numId, level)
    n: int | None  # the typed number (None for Word's numbering)
    text: Line  # the question's first line without its number


@dataclass
class _Option:
    letter: str
    lines: list[Line]


@dataclass
class _Question:
    start: _Start
    line: Line
    section: _Section
    stem: list[Line] = field(default_factory=list)
    points: tuple[str, Line] | None = None  # from the question line
    options: list[_Option] = field(default_factory=list)
    answer: list[Line] | None = None
    answer_line: Line | None = None
    reference_label: bool = False
    explanation: list[Line] | None = None
    case: list[Line] | None = None
    rubric: list[tuple[float, Line]] | None = None
    rubric_line: Line | None = None
    meta: dict[str, tuple[str, Line]] = field(default_factory=dict)
    state: str = "stem"  # stem, options, answer, explanation, case, rubric
    errors: int = 0  # errors reported while its lines were collected

    @property
    def location(self) -> str:
        return self.line.location


def _heading(line: Line) -> _Section | None:
    """The section a heading line starts (一、单选题（每题2分）), or None if the line is no heading."""
    text = line.plain
    prefix = _HEADING_PREFIX.match(text)
    rest = text[prefix.end():] if prefix else text.lstrip()
    match = _TYPE_NAME.match(rest)
    qtype = _type_of_match(match) if match else None
    tail_pattern = _HEADING_TAIL_AFTER_NUMBER if match and prefix else _HEADING_TAIL
    if match is None and prefix:
        match = _OTHER_SECTION.match(rest)
    if match is None or not tail_pattern.fullmatch(rest[match.end():]):
        return None
    tail = rest[match.end():]
    each = _POINTS_EACH.search(tail)
    only = _POINTS_ONLY.fullmatch(tail)
    value = next((group for group in each.groups() if group), None) if each else only.group(1) if only else None
    return _Section(qtype, _number(value) if value else None)


def _type_of_match(match: re.Match) -> str:
    index = next(int(name[1:]) for name, value in match.groupdict().items() if value)
    return _TYPE_WORDS[index][1]


def _type_word(text: str) -> str | None:
    match = _TYPE_NAME.fullmatch(text.strip())
    return _type_of_match(match) if match else None


def _start_of(line: Line) -> _Start | None:
    """The question a line starts (by its typed number or Word's list numbering), or None."""
    if line.table is not None or line.blank:
        return None
    if line.numbering and line.numbering[2] not in _LETTER_FORMATS | _UNNUMBERED_FORMATS:
        return _Start(("auto", line.numbering[0], line.numbering[1]), None, line)
    match = _QUESTION_NUMBER.match(line.plain)
    if not match:
        return None
    family = "paren" if match.group("paren") else "ti" if match.group("ti") else "plain"
    digits = match.group("paren") or match.group("ti") or match.group("plain")
    return _Start((family,), int(unicodedata.normalize("NFKC", digits)), line.sub(match.end()))


def _label(line: Line) -> tuple[str, Line] | None:
    """(kind, the rest of the line) for a labelled line such as `答案：B` or `【解析】…`."""
    if line.table is not None:
        return None
    match = _LABEL.match(line.plain)
    if not match:
        return None
    kind = _LABEL_KIND.get((match.group("a") or match.group("b") or match.group("c")).casefold())
    return (kind, line.sub(match.end())) if kind else None


def _option_marks(line: Line, first_letter: str | None) -> list[tuple[str, int, int]]:
    """[(letter, where its marker starts, where its text starts)] for the options on a line; the first must
    be `first_letter` when given. A line of Word's lettered list is one option (letter None: the next)."""
    if line.table is not None or line.blank:
        return []
    if line.numbering and line.numbering[2] in _LETTER_FORMATS:
        return [("", 0, 0)]
    match = _OPTION_FIRST.match(line.plain)
    if not match:
        return []
    letter = _letter(match)
    if first_letter and letter != first_letter:
        return []
    marks = [(letter, match.start(), match.end())]
    for following in _OPTION_NEXT.finditer(line.plain, match.end()):
        if _letter(following) == chr(ord(marks[-1][0]) + 1):
            marks.append((_letter(following), following.start(), following.end()))
    return marks


def _letter(match: re.Match) -> str:
    return unicodedata.normalize("NFKC", match.group("p") or match.group("d")).upper()


def _rubric_item(line: Line) -> tuple[str, Line] | None:
    """(points text, the item's text) for a rubric line: `(3) …`, `（2分）…`, `3分：…` or `…（3分）`."""
    for pattern in _RUBRIC_ITEM:
        match = pattern.match(line.plain)
        if match:
            return match.group(1), line.sub(match.end())
    match = _search_end(_RUBRIC_TRAILING, line.plain)
    if match:
        return match.group(1), line.sub(0, match.start())
    return None


def _search_end(pattern: re.Pattern, text: str) -> re.Match | None:
    return pattern.search(text, max(0, len(text) - END_WINDOW))


def _number(text: str) -> float | None:
    return parse_number(unicodedata.normalize("NFKC", text).strip())


def _letters(text: str) -> str | None:
    """`B`, `A,C`, `ＡＣ`, `a c` -> the letters in upper case; None if the text is not option letters."""
    letters = _ANSWER_SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).rstrip("。.").upper()
    return letters if re.fullmatch(r"[A-H]+", letters) else None


def _truth(text: str) -> bool | None:
    word = unicodedata.normalize("NFKC", text).strip().rstrip("。.!！").strip().casefold()
    return True if word in _TRUE_WORDS else False if word in _FALSE_WORDS else None


def _render(lines: list[Line], text_of=Line.markdown) -> str:
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


# --- The paper: lines into questions ----------------------------------------------------------------------


class _PaperReader:
    """Walks the lines, starting a question at each numbered line that is one, and builds the drafts."""

    def __init__(self, lines: list[Line], conversion: Conversion):
        self.lines = lines
        self.conversion = conversion
        self.section = _Section(None)
        self.seen_heading = False
        self.question: _Question | None = None
        self.title = ""
        self._title_checked = False
        self._written: dict[str, str] = {}  # a draft's bank text -> where it is, to find duplicates

    def read(self) -> None:
        self.first_question = self._first_question()
        for index, line in enumerate(self.lines):
            if line.blank:
                continue
            self._line(index, line)
        self._finish_question()

    def _line(self, index: int, line: Line) -> None:
        section = _heading(line) if line.table is None else None
        if section is not None:
            self._finish_question()
            self._title_checked = True
            self.seen_heading = True
            self.section = self._checked_section(section, line)
            return
        start = _start_of(line)
        if start is not None and self._starts_question(index, start):
            self._finish_question()
            self._title_checked = True
            self.question = self._new_question(start, line)
            return
        if self.question is None:
            self._before_questions(line)
        else:
            self._feed(self.question, line)

    def _checked_section(self, section: _Section, line: Line) -> _Section:
        if section.points is not None:
            section.points, problem = parse_points(section.points)
            if problem:
                self.conversion.problem(line.location, problem)
        return section

    def _before_questions(self, line: Line) -> None:
        """Text before the first question is ignored; the first line may be the paper's title."""
        label = _label(line)
        if label and label[0] in ("answer", "reference"):
            self.conversion.problem(line.location, N_("an answer before the first question: start the question "
                                                      "above it with its number (1. …)"))
        text = " ".join(line.plain.replace(PICTURE, "").split()) if line.table is None else ""
        if not self._title_checked and text:  # a logo above the title is no title
            self._title_checked = True
            if len(text) <= 50 and not label and not _TITLE_END.search(text) and _start_of(line) is None:
                self.title = text

    def _starts_question(self, index: int, start: _Start) -> bool:
        """Whether a numbered line starts a question or belongs to the one before (a list in its text).

        Word's list numbering and the next number in the question's own style start a question; inside an
        answer, explanation, case or rubric a numbered line does only if an answer or options follow it
        before the next numbered line, so a numbered list there stays part of the text."""
        question = self.question
        if question is None:
            return self.seen_heading or index >= self.first_question
        same_family = start.family == question.start.family
        follows = same_family and start.n is not None and question.start.n is not None \
            and start.n == question.start.n + 1
        if same_family and start.family[0] == "auto":
            return True
        if question.state in ("stem", "options"):
            return follows
        if question.state == "answer" and self._one_line_answer(question):
            return same_family or self._question_ahead(index)
        return same_family and self._question_ahead(index)

    def _first_question(self) -> int:
        """Where the questions start when no heading comes first: at the first numbered line with an answer or
        options below it, or earlier if the numbers just above it lead up to it (question 1 without an answer
        before question 2), so that numbered instructions (注意事项：1. … 2. …) are not taken for questions."""
        starts = [(index, start) for index, line in enumerate(self.lines) if (start := _start_of(line))]
        anchor = next((i for i, (index, _) in enumerate(starts) if self._question_ahead(index)), None)
        if anchor is None:
            return starts[0][0] if starts else len(self.lines)
        first = anchor
        while first > 0 and _leads_to(starts[first - 1][1], starts[first][1]):
            first -= 1
        return starts[first][0]

    def _question_ahead(self, index: int) -> bool:
        for line in self.lines[index + 1:index + 1 + LOOKAHEAD_LINES]:
            if line.blank or line.table is not None:
                continue
            if _heading(line) is not None or _start_of(line) is not None:
                return False
            label = _label(line)
            if (label and label[0] in ("answer", "reference")) or _option_marks(line, "A"):
                return True
        return False

    def _one_line_answer(self, question: _Question) -> bool:
        """Whether the question's answer is one line (a letter, 对/错, a blank's text) rather than a
        written reference answer that may go on for several paragraphs."""
        declared = _declared_type(question, None)
        if question.options or declared in ("single", "multiple", "choice", "truefalse", "fill"):
            return True
        if declared in ("short", "analysis") or question.reference_label:
            return False
        first = _first_text(question.answer or [])
        return bool(first) and (_truth(first) is not None or _letters(first) is not None
                                or any(_BLANK.search(line.plain) for line in question.stem))

    def _new_question(self, start: _Start, line: Line) -> _Question:
        question = _Question(start, line, self.section)
        text = start.text
        match = _LINE_POINTS_START.match(text.plain) or _search_end(_LINE_POINTS_END, text.plain)
        if match:
            question.points = (match.group(1), line)
            text = text.cut(match.start(), match.end())
        question.stem.append(text)
        return question

    def _error(self, question: _Question, location: str, message: str) -> None:
        question.errors += 1
        self.conversion.problem(location, message)

    def _feed(self, question: _Question, line: Line) -> None:
        label = _label(line)
        if label:
            self._labelled(question, *label, line)
        elif line.table is not None and question.state in ("stem", "options"):
            question.stem.append(line)  # a table below the options still belongs to the question's text
        elif question.state in ("stem", "options"):
            self._stem_or_option(question, line)
        elif question.state == "rubric":
            self._rubric_line(question, line)
        elif line.table is not None and question.state == "answer" and self._one_line_answer(question):
            question.stem.append(line)  # a table after a one-line answer: it can only belong to the question
        else:
            {"answer": question.answer, "explanation": question.explanation, "case": question.case}[
                question.state].append(line)

    def _labelled(self, question: _Question, kind: str, rest: Line, line: Line) -> None:
        if kind in _META_KINDS:
            if kind in question.meta:
                label = line.plain[:len(line.plain) - len(rest.plain)].strip()
                self._error(question, line.location, N_("%(label)s is given twice for the question at %(where)s: "
                                                        "keep one", label=label, where=question.location))
            question.meta[kind] = (rest.plain.strip(), line)
            return
        if kind in ("answer", "reference"):
            if question.answer is not None:
                self._error(question, line.location, N_("a second answer for the question at %(where)s: is the "
                                                        "number of the question above it missing?",
                                                        where=question.location))
                return
            question.answer, question.answer_line = [rest], line
            question.reference_label = kind == "reference"
            question.state = "answer"
        elif kind == "explanation":
            question.explanation = (question.explanation or []) + [rest]
            question.state = "explanation"
        elif kind == "case":
            question.case = (question.case or []) + [rest]
            question.state = "case"
        elif kind == "rubric":
            question.rubric = question.rubric or []
            question.rubric_line = question.rubric_line or line
            question.state = "rubric"
            if not rest.blank:
                self._rubric_line(question, rest)

    def _stem_or_option(self, question: _Question, line: Line) -> None:
        marks = _option_marks(line, None if question.options else "A")
        if not marks:
            if question.options:
                question.options[-1].lines.append(line)
            else:
                question.stem.append(line)
            return
        question.state = "options"
        ends = [mark_start for _, mark_start, _ in marks[1:]] + [len(line.plain)]
        for (letter, _, text_start), end in zip(marks, ends):
            letter = letter or _next_letter(question.options)
            question.options.append(_Option(letter, [line.sub(text_start, end)]))

    def _rubric_line(self, question: _Question, line: Line) -> None:
        if line.table is not None:
            self._error(question, line.location, N_("a table in the rubric (评分标准) can't be converted: write each "
                                                    "rubric line as its points and text, e.g. (3) 先确认影响范围"))
            return
        item = _rubric_item(line)
        if item is None:
            self._error(question, line.location, N_("a rubric line must start with its points, e.g. (3) 先确认影响范围, "
                                                    "not %(text)r", text=line.plain.strip()[:60]))
            return
        points, problem = parse_points(_number(item[0]) if _number(item[0]) is not None else item[0])
        if problem:
            self._error(question, line.location, problem)
        elif item[1].blank:
            self._error(question, line.location, N_("a rubric line needs its text after the points"))
        else:
            question.rubric.append((points, item[1]))

    def _finish_question(self) -> None:
        question, self.question = self.question, None
        if question is None:
            return
        draft = _DraftBuilder(question, self.conversion).build()
        if draft is None:
            return
        text = write_question(draft)
        if text in self._written:
            self.conversion.problem(question.location, N_("this question is the same as the one at %(where)s: "
                                                          "remove one of them", where=self._written[text]))
            return
        self._written[text] = question.location
        self.conversion.drafts.append(draft)


def _declared_type(question: _Question, conversion: Conversion | None) -> str | None:
    """The type the question's 题型： line or its section heading gives, or None."""
    if "type" in question.meta:
        value, line = question.meta["type"]
        qtype = _type_word(value)
        if qtype is None and conversion is not None:
            conversion.problem(line.location, N_("unknown question type %(value)r: use 单选题, 多选题, 判断题, 填空题, "
                                                 "简答题 or 案例分析题", value=value))
        if qtype is not None:
            return qtype
    return question.section.qtype


def _leads_to(before: _Start, after: _Start) -> bool:
    """Whether `after` is the number that follows `before` (in Word's numbering: the same list)."""
    if before.family != after.family:
        return False
    return before.family[0] == "auto" or (before.n is not None and after.n == before.n + 1)


def _first_text(lines: list[Line]) -> str:
    return next((line.plain.strip() for line in lines if not line.blank and line.table is None), "")


def _next_letter(options: list[_Option]) -> str:
    return chr(ord(options[-1].letter) + 1) if options and len(options[-1].letter) == 1 else "A"


class _DraftBuilder:
    """One question's collected lines -> a QuestionDraft, or None with every problem reported."""

    def __init__(self, question: _Question, conversion: Conversion):
        self.question = question
        self.conversion = conversion
        self.errors = question.errors

    def error(self, location: str, message: str) -> None:
        self.errors += 1
        self.conversion.problem(location, message)

    def build(self) -> QuestionDraft | None:
        question = self.question
        declared = _declared_type(question, self.conversion)
        inline = self._inline_answer(declared)
        answer = _first_text(question.answer or []) or inline
        answer_location = question.answer_line.location if question.answer_line else question.location
        qtype = self._qtype(declared, answer)
        if not answer and not (qtype in ("short", "analysis") and _render(question.answer or [])):
            self.error(question.location, N_("no answer for this question: add a line 答案：… below it "
                                             "(参考答案：… for a written answer)"))
            return None
        draft = QuestionDraft(qtype=qtype, stem="", location=question.location)
        self._common(draft)
        if qtype in ("single", "multiple"):
            self._choice(draft, answer, answer_location)
        elif qtype == "truefalse":
            self._truefalse(draft, answer, answer_location)
        elif qtype == "fill":
            self._fill(draft, answer, answer_location)
        else:
            self._written(draft)
        if qtype not in ("short", "analysis"):
            self._answer_tail(draft)
        if not draft.stem.strip():
            self.error(question.location, N_("the question has no text: write it after the question's number"))
        return None if self.errors else draft

    def _qtype(self, declared: str | None, answer: str) -> str:
        """The declared type, else the one the options and the answer imply."""
        question = self.question
        if declared not in (None, "choice"):
            return declared
        if question.options or declared == "choice":
            letters = _letters(answer) or ""
            return "multiple" if len(set(letters)) > 1 else "single"
        if _truth(answer) is not None:
            return "truefalse"
        if question.rubric:
            return "analysis"
        if answer and not question.reference_label and any(_BLANK.search(line.plain) for line in question.stem):
            return "fill"
        if _letters(answer) is not None and not question.reference_label:
            return "single"  # reported in _choice: the answer names options the question doesn't have
        return "short"

    def _inline_answer(self, declared: str | None) -> str:
        """A trailing `（B）` / `（√）` on the stem's last line, used when no 答案 line gives the answer."""
        question = self.question
        if question.answer is not None or declared in ("fill", "short", "analysis"):
            return ""
        for i in range(len(question.stem) - 1, -1, -1):
            line = question.stem[i]
            if line.table is not None or line.blank:
                continue
            match = _search_end(_INLINE_ANSWER_END, line.plain)
            usable = match and ((question.options and _letters(match.group(1)))
                                or (not question.options and _truth(match.group(1)) is not None))
            if not usable:
                return ""
            question.stem[i] = line.cut(match.start(), len(line.plain))
            return match.group(1)
        return ""

    def _common(self, draft: QuestionDraft) -> None:
        question = self.question
        draft.points = self._points()
        meta = question.meta
        if "difficulty" in meta:
            value, line = meta["difficulty"]
            draft.difficulty, problem = parse_difficulty(value)
            if problem:
                self.error(line.location, problem)
        if "tags" in meta:
            draft.tags = unique(tag.strip() for tag in re.split(r"[,，、;；]", meta["tags"][0]))
        if "dimension" in meta:
            draft.dimension = " ".join(meta["dimension"][0].split())
        draft.explanation = _render(question.explanation or [])

    def _points(self) -> float | None:
        question = self.question
        if "points" in question.meta:
            text, line = question.meta["points"]
        elif question.points:
            text, line = question.points
        else:
            return question.section.points
        number = _POINTS_VALUE.fullmatch(text)
        value, problem = parse_points(_number(number.group(1)) if number and _number(number.group(1)) is not None
                                      else text)
        if problem:
            self.error(line.location, problem)
        return value

    def _choice(self, draft: QuestionDraft, answer: str, location: str) -> None:
        question = self.question
        draft.stem = _render([_without_placeholder(line) for line in question.stem])
        letters = _letters(answer)
        known = [option.letter for option in question.options]
        if not question.options and letters:
            self.error(location, N_("the answer names option %(letters)s, but the question has no options: write "
                                    "them below it (A. … B. …)", letters=letters))
            return
        if not question.options:
            self.error(question.location, N_("a choice question needs its options below it (A. … B. …): if it is "
                                             "another type of question, put it under that type's heading"))
            return
        if letters is None:
            self.error(location, N_("the answer %(answer)r is not option letters such as B or ACD", answer=answer))
            return
        for letter in unique(letters):
            if letter not in known:
                self.error(location, N_("the answer names option %(letter)s, but the question's options are "
                                        "%(options)s", letter=letter, options="".join(known)))
        if draft.qtype == "single" and len(set(letters)) > 1:
            self.error(location, N_("a single-choice question has one answer, but the answer gives %(letters)s: "
                                    "put the question under a 多选题 heading if several options are right",
                                    letters=letters))
        self._options(draft, set(letters))

    def _options(self, draft: QuestionDraft, correct: set[str]) -> None:
        question = self.question
        if len(question.options) < 2:
            self.error(question.location, N_("a choice question needs at least two options (A. … B. …), "
                                             "found %(count)d", count=len(question.options)))
        seen: dict[str, str] = {}
        for option in question.options:
            text = _render(option.lines)
            where = option.lines[0].location
            if option.letter in seen:
                self.error(where, N_("option %(letter)s is given twice", letter=option.letter))
            elif not text:
                self.error(where, N_("option %(letter)s has no text", letter=option.letter))
            elif text in seen.values():
                first = next(letter for letter, other in seen.items() if other == text)
                self.error(where, N_("options %(first)s and %(second)s are the same (%(text)r): make them different",
                                     first=first, second=option.letter, text=text[:60]))
            seen.setdefault(option.letter, text)
            draft.options.append(Option(text, option.letter in correct))

    def _truefalse(self, draft: QuestionDraft, answer: str, location: str) -> None:
        question = self.question
        draft.stem = _render([_without_placeholder(line) for line in question.stem])
        truth = _truth(answer)
        if truth is None and question.options and _letters(answer):  # 判断题 with options A. 对 B. 错
            chosen = [option for option in question.options if option.letter == _letters(answer)]
            truth = _truth(_render(chosen[0].lines)) if chosen else None
        elif question.options:
            self.error(question.options[0].lines[0].location, N_("a true/false question has no options: remove "
                                                                 "them, or put the question under a 单选题 heading"))
        if truth is None:
            self.error(location, N_("the answer of a true/false question must be 对 or 错 (√/×, 正确/错误), "
                                    "not %(answer)r", answer=answer))
        draft.answer = truth

    def _fill(self, draft: QuestionDraft, answer: str, location: str) -> None:
        question = self.question
        self._no_options()
        answers = [part.strip() for part in re.split(r"[;；]", answer)]
        while answers and not answers[-1]:
            answers.pop()
        stem, count = _fill_stem(question.stem)
        draft.stem = stem
        if count == 0:
            self.error(question.location, N_("a fill-in question needs a blank in its text: ____ or （ ）"))
            return
        if len(answers) != count:
            self.error(location, N_("the question has %(blanks)d blank(s) but the answer gives %(answers)d: write "
                                    "one answer per blank, separated by ；", blanks=count, answers=len(answers)))
            return
        for text in answers:
            blank = _blank_of(text)
            problem = blank_problem(blank)
            if problem:
                self.error(location, problem)
            draft.blanks.append(blank)

    def _written(self, draft: QuestionDraft) -> None:
        question = self.question
        self._no_options()
        draft.stem = _render(question.stem)
        draft.case = _render(question.case or [])
        draft.reference = _render(question.answer or [])
        draft.rubric = [RubricItem(points, " ".join(line.markdown().split())) for points, line in question.rubric or []]
        where = question.rubric_line.location if question.rubric_line else question.location
        if draft.qtype == "analysis" and not draft.rubric:
            self.error(where, N_("a case-analysis question needs a rubric: add 评分标准： with a line per scoring "
                                 "point, e.g. (3) 先确认影响范围"))
        total = sum(item.points for item in draft.rubric)
        if draft.rubric and draft.points is not None and abs(total - draft.points) > 1e-9:
            self.error(where, N_("the rubric totals %(total)s points but the question is worth %(points)s: make "
                                 "them equal", total=f"{total:g}", points=f"{draft.points:g}"))
        if draft.points is None and not draft.rubric:
            self.error(question.location, N_("this question has no points: add （5分） to the end of the question, "
                                             "a line 分值：5, or a 评分标准 (its total becomes the points)"))

    def _no_options(self) -> None:
        if self.question.options:
            self.error(self.question.options[0].lines[0].location, N_(
                "options in a question that is not a choice question: put it under a 单选题 or 多选题 heading, "
                "or remove the options"))

    def _answer_tail(self, draft: QuestionDraft) -> None:
        """Text below a one-line answer (B, 对, 443) is kept as the explanation, and said so."""
        lines = self.question.answer or []
        first = next((i for i, line in enumerate(lines) if not line.blank and line.table is None), None)
        rest = [line for line in lines[first + 1:] if not line.blank] if first is not None else []
        if rest:
            self.conversion.problem(rest[0].location, N_("text below the answer was kept as the explanation: put "
                                                         "it after 解析： to say so"), "warning")
            draft.explanation = "\n".join(part for part in (_render(rest), draft.explanation) if part)


def _without_placeholder(line: Line) -> Line:
    """A choice question's line without the trailing `（ ）` where the answer goes (with the 。 after it)."""
    if line.table is not None:
        return line
    match = _search_end(_PLACEHOLDER_END, line.plain)
    return line.cut(match.start(), len(line.plain)) if match else line


def _fill_stem(lines: list[Line]) -> tuple[str, int]:
    """The stem with each blank as a `{{n}}` marker and literal `{{` escaped; and the number of blanks."""
    count = 0

    def with_markers(line: Line) -> str:
        nonlocal count
        parts, position = [], 0
        for match in _BLANK.finditer(line.plain):
            count += 1
            parts += [_fill_text(line.sub(position, match.start()), after_blank=position > 0, before_blank=True),
                      f"{{{{{count}}}}}"]
            position = match.end()
        parts.append(_fill_text(line.sub(position), after_blank=position > 0, before_blank=False))
        return "".join(parts).strip()
    return _render(lines, with_markers), count


def _fill_text(line: Line, *, after_blank: bool, before_blank: bool) -> str:
    """Text of a fill stem between blanks: `{{` escaped, and a brace kept off a blank's marker (`{{{1}}` or
    `{{1}}}` would not read back as the blank)."""
    text = line.markdown(strip=False).replace("{{", "\\{{")
    if before_blank and text.endswith("{"):
        text += " "
    if after_blank and text.startswith("}"):
        text = " " + text
    return text


def _blank_of(text: str) -> Blank:
    """`443|HTTPS` -> alternatives; `3.14±0.01` -> a number with its tolerance."""
    normalized = unicodedata.normalize("NFKC", text)
    match = re.fullmatch(r"\s*([+-]?\d+(?:\.\d+)?)\s*(?:±|\+/-|\+-)\s*(\d+(?:\.\d+)?)\s*", normalized)
    if match and parse_number(match.group(1)) is not None and parse_number(match.group(2)) is not None:
        return Blank([match.group(1)], parse_number(match.group(2)))
    return Blank([part.strip() for part in re.split(r"[|｜]", text)])
