"""Moodle XML (docs.moodle.org/en/Moodle_XML_format): Moodle's own question export, read and written.

A file is `<quiz>` holding `<question type="...">` elements. `<question type="category">` entries name
the category (`$course$/top/网络/故障`) of the questions that follow; every other entry is a question
with `<name>`, `<questiontext format="html|moodle_auto_format|plain_text|markdown">`, `<generalfeedback>`,
`<defaultgrade>`, `<idnumber>`, `<tags>` and its type's own elements. Images are `<file name=
encoding="base64">` children of the text that shows them, referenced as `@@PLUGINFILE@@/name`.

Reading (`read_moodle_xml`), per Moodle type:

- multichoice: `<single>true` -> single (the answer worth 100% is the key); `<single>false` ->
  multiple (answers worth more than 0% are right). Moodle gives partial credit by the answers'
  fractions, so a multiple question becomes `scoring: partial` (warned when its fractions are not
  equal shares of 100 with the wrong answers at 0% or less: we can't weight options).
  `<shuffleanswers>` -> shuffle. Per-answer feedback is dropped (warned).
- truefalse -> truefalse (the answer worth 100% says which).
- shortanswer -> fill with one blank: the answers worth 100% are its alternatives (`*` is Moodle's
  wildcard: such an answer is dropped, warned; `\\*` is a literal `*`), partial-credit answers are
  dropped (warned), `<usecase>1` -> case_sensitive. The blank replaces the first run of 3 or more
  underscores of the text (`____`), else it goes at the end.
- numerical -> fill with a number blank: the answer worth 100% and its `<tolerance>` (0: an exact
  number, `{{443}}`); a `<unit>` with multiplier 1 is written after the blank; other units are dropped.
- essay -> short: `<graderinfo>` is the reference answer; without one the question is skipped. A
  `### 案例` (`### Case`) heading in the text starts the case, a `### 评分标准` (`### Rubric`) heading in
  the grader information starts the rubric (`- (3) text` items); tag `examengine-type:analysis` with a
  rubric -> analysis.
- cloze (multianswer) -> fill when every embedded answer is SHORTANSWER (SA, MW), SHORTANSWER_C (SAC,
  MWC) or NUMERICAL (NM): `{1:SA:=HTTPS~=TLS#feedback}` -> `{{HTTPS|TLS}}`, `{2:NM:=3.14:0.01}` ->
  `{{3.14 ± 0.01}}`. Drop-downs and multi-response (MULTICHOICE, MULTIRESPONSE...) are skipped.
- matching, ddwtos, gapselect, calculated*, randomsamatch, ddimageortext, ddmarker, random, description
  and unknown types are skipped, each with its reason.
- The last part of a category path becomes a tag of the questions after it (not Moodle's hidden
  `top`); the first category names the conversion (`Conversion.title`).
- html and moodle_auto_format text becomes Markdown (markdownify); markdown is kept as written;
  plain_text is escaped so it shows as written. Embedded PNG, JPEG, GIF and WebP images go to
  `conversion.files["images/NAME"]` and the Markdown points at `images/NAME`.
- `<idnumber>` -> id (when it is a valid id), `<tags>` -> tags, `<defaultgrade>` -> points (0 or
  missing: our default), `<name>` -> title.

Writing (`write_moodle_xml`) keeps every field of our questions, so reading the export back gives the
same questions. All text is written `format="markdown"` (Moodle's FORMAT_MARKDOWN), as written in the
bank. What Moodle has no place for travels in tags, which the reader takes back (and never adds as
plain tags):

| Ours | Moodle |
|---|---|
| single | multichoice, `<single>true`, the key 100%, the others 0% |
| multiple | multichoice, `<single>false`, right options equal shares of 100%, wrong ones -100%; tag `examengine-scoring:partial`, `examengine-scoring:all-or-nothing` or `examengine-scoring:exam` (no scoring of its own: the exam's) |
| truefalse | truefalse |
| fill, one blank, number only (`{{443}}`, `{{3.14 ± 0.01}}`) | numerical (tolerance 0 for an exact number) |
| fill, one blank, text | shortanswer, alternatives 100% (`*` written `\\*`) |
| fill, other (several blanks, `± 0`) | cloze: `{w:SA:=a~=b}` (`SAC` when case_sensitive), `{w:NM:=3.14:0.01}`, `{w:NM:=443}`; w = points / blanks when that is a whole number, else 1 |
| the blank of a one-blank question | `____` in the text (`\\_\\_\\_\\_` alone on a line; cloze when the text holds other underscore runs) |
| short, analysis | essay; case after the text under `### 案例`; `<graderinfo>`: the reference answer, then the rubric under `### 评分标准` as `- (3) text` items; analysis adds tag `examengine-type:analysis` |
| difficulty, dimension | tags `difficulty:3`, `dimension:故障诊断` |
| no title | `<name>`: the text's first 40 characters, tag `examengine-untitled` |
| case_sensitive without a text blank to carry it | tag `examengine-case-sensitive` |
| the bank | a category `$course$/top/TITLE` whose `<info>` is `examengine-bank: KEY` (the reader makes its name the title, not a tag) |

Moodle grades a multiple question's subsets by their shares (ours: all-or-nothing gives nothing,
partial half the points); a wrong option at -100% gives 0 in both. Moodle keeps 50 characters of a
tag. Characters XML can't hold (control characters) are left out.
"""
from __future__ import annotations

import base64
import binascii
import codecs
import html
import math
import re
import unicodedata
import xml.etree.ElementTree as ET  # noqa: N817 -- writing only; uploads are parsed with defusedxml
from dataclasses import dataclass, field
from urllib.parse import unquote

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from markdownify import markdownify

from examengine.core.banks.encodings import encoding_label, guess_encoding
from examengine.core.banks.scanner import heading, mark_fences, split_lines
from examengine.core.banks.values import parse_id, unique
from examengine.core.converters.drafts import Blank, Conversion, Option, QuestionDraft, RubricItem
from examengine.core.converters.markdown import blank_problem, one_line
from examengine.core.messages import N_
from examengine.core.qtypes.base import section_name
from examengine.core.qtypes.written import RUBRIC_ITEM
from examengine.core.text import parse_number

MAX_XML_BYTES = 50 * 1024 * 1024
MAX_IMAGE_BYTES = 10 * 1024 * 1024
NAME_CHARS = 40  # of the text, for the <name> of a question without a title

TAG_DIFFICULTY = "difficulty:"
TAG_DIMENSION = "dimension:"
TAG_SCORING = "examengine-scoring:"
TAG_ANALYSIS = "examengine-type:analysis"
TAG_UNTITLED = "examengine-untitled"
TAG_CASE_SENSITIVE = "examengine-case-sensitive"
BANK_INFO = "examengine-bank:"
SCORING_TAGS = {"all-or-nothing": "all-or-nothing", "partial": "partial", "exam": None}

CASE_HEADING = "### 案例"
RUBRIC_HEADING = "### 评分标准"
WRITTEN_BLANK = "____"
WRITTEN_BLANK_LINE = "\\_\\_\\_\\_"  # alone on a line, `____` would be a horizontal rule

# Moodle types we can't express, with the reason the admin reads.
_SKIPPED = {
    "matching": N_("not converted: a Moodle matching question has no equivalent among our types; "
                   "rewrite each pair as a single-choice question"),
    "ddwtos": N_("not converted: a Moodle drag-and-drop into text question has no equivalent; "
                 "rewrite it as a fill question with typed answers"),
    "gapselect": N_("not converted: a Moodle select-missing-words question has no equivalent; "
                    "rewrite it as a fill question with typed answers"),
    "calculated": N_("not converted: a Moodle calculated question computes its numbers from a formula; "
                     "write it with fixed numbers as a fill question"),
    "randomsamatch": N_("not converted: a Moodle random short-answer matching question only draws other "
                        "questions; import those questions themselves"),
    "ddimageortext": N_("not converted: a Moodle drag-and-drop onto image question has no equivalent; "
                        "rewrite it as a choice question"),
    "ddmarker": N_("not converted: a Moodle drag-and-drop markers question has no equivalent; "
                   "rewrite it as a choice question"),
    "random": N_("not converted: a Moodle random question only draws other questions; "
                 "import those questions themselves"),
    "description": N_("not converted: a description is not a question"),
}
_SKIPPED["match"] = _SKIPPED["matching"]
_SKIPPED["calculatedsimple"] = _SKIPPED["calculatedmulti"] = _SKIPPED["calculated"]

_IMAGE_SIGNATURES = {
    "png": (b"\x89PNG\r\n\x1a\n",), "jpg": (b"\xff\xd8\xff",), "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"), "webp": (b"RIFF",),  # then 4 bytes of size and WEBP
}
_PLUGINFILE = re.compile(r"@@PLUGINFILE@@(/[^\"'<>\s()]*)")
_UNSAFE_NAME_CHARS = re.compile(r"[^\w.-]+")
_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_HTML_BLOCK = re.compile(r"<(?:p|div|br|ul|ol|li|table|pre|h[1-6]|blockquote)\b", re.IGNORECASE)
_SPACE_RUNS = re.compile(r"[ \t]+")
_UNDERSCORES = re.compile(r"(?:\\_|_){3,}")
_LITERAL_BRACES = re.compile(r"(?<!\\)\{\{")
_STORED_MARKER = re.compile(r"(?<!\\)\{\{(\d+)\}\}")
# Blank placeholders while a text goes through markdownify (private-use characters it leaves alone).
_TOKEN_OPEN, _TOKEN_CLOSE = "\ue000", "\ue001"
_TOKEN = re.compile(f"{_TOKEN_OPEN}(\\d+){_TOKEN_CLOSE}")
# A number as Moodle writes one (a decimal comma is allowed), and as our blanks take it.
_MOODLE_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")
_WRITABLE_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
# Cloze: `{weight:TYPE:` ... up to the first `}` not escaped with a backslash.
_CLOZE_TYPES = {
    "SHORTANSWER": "text", "SA": "text", "MW": "text",
    "SHORTANSWER_C": "case", "SAC": "case", "MWC": "case",
    "NUMERICAL": "number", "NM": "number",
}
_CLOZE_CHOICE_TYPES = ("MULTICHOICE", "MC", "MULTICHOICE_V", "MCV", "MULTICHOICE_H", "MCH", "MULTICHOICE_S", "MCS",
                       "MULTICHOICE_VS", "MCVS", "MULTICHOICE_HS", "MCHS", "MULTIRESPONSE", "MR", "MULTIRESPONSE_H",
                       "MRH", "MULTIRESPONSE_S", "MRS", "MULTIRESPONSE_HS", "MRHS")
_CLOZE_TYPE_NAMES = "|".join(sorted((*_CLOZE_TYPES, *_CLOZE_CHOICE_TYPES), key=len, reverse=True))
_CLOZE_START = re.compile(rf"\{{(\d*):({_CLOZE_TYPE_NAMES}):")
_CLOZE_END = re.compile(r"(?<!\\)\}")
_CLOZE_ALTERNATIVES = re.compile(r"(?<!\\)~")
_CLOZE_FEEDBACK = re.compile(r"(?<!\\)(?<!&)#")
_CLOZE_FRACTION = re.compile(r"^(?:(=)|%(-?\d+(?:[.,]\d*)?)%)?")
_CLOZE_NUMBER = re.compile(rf"\s*({_MOODLE_NUMBER.pattern})\s*(?::\s*({_MOODLE_NUMBER.pattern})\s*)?")
_CLOZE_UNESCAPE = re.compile(r"\\([}#~])")
_WILDCARD = re.compile(r"(?<!\\)\*")


class _Refused(Exception):  # noqa: N818 -- not an error of ours: a question we report and leave out
    """A question that can't be converted: reported with `kind` and left out."""

    def __init__(self, message: str, kind: str = "skipped"):
        super().__init__(message)
        self.message, self.kind = message, kind


# ---------------------------------------------------------------------------------------------------
# Reading


def read_moodle_xml(path: str, data: bytes) -> Conversion:
    """A Moodle XML export as drafts; every problem is reported, nothing raises."""
    conversion = Conversion(path)
    try:
        root = _parse(data, conversion)
        if root is not None:
            _Reader(conversion).read(root)
    except Exception as exc:  # noqa: BLE001 -- a bug must not turn an upload into a 500; the fuzz tests hunt for these
        conversion.problem("", N_("internal error while converting this file (%(error)s); please report it",
                                  error=type(exc).__name__))
    return conversion


def _parse(data: bytes, conversion: Conversion) -> ET.Element | None:
    if len(data) > MAX_XML_BYTES:
        conversion.problem("", N_("the file is %(size)s bytes, over the limit of %(limit)s for a Moodle XML file",
                                  size=f"{len(data):,}", limit=f"{MAX_XML_BYTES // (1024 * 1024)} MB"))
        return None
    if not data.strip():
        conversion.problem("", N_("the file is empty"))
        return None
    text = _decode(data, conversion)
    if text is None:
        return None
    # The text is decoded already: tell the parser it is UTF-8 (expat can't read GBK by itself).
    utf8 = text.encode("utf-8")
    declared = _XML_DECLARATION.match(utf8)
    if declared:
        utf8 = utf8[:declared.start(1)] + b"UTF-8" + utf8[declared.end(1):]
    try:
        root = SafeET.fromstring(utf8)
    except ET.ParseError as exc:
        line, column = exc.position
        reason = str(exc).split(": line ")[0]
        conversion.problem(f"{line}:{column + 1}", N_(
            "this is not well-formed XML (%(reason)s): a Moodle export is; fix the file here or export it again",
            reason=reason))
        return None
    except DefusedXmlException:
        conversion.problem(_declaration_location(text), N_(
            "the file declares XML entities or an external DTD, which are refused for safety (a Moodle export "
            "has none): remove the <!DOCTYPE ...> part"))
        return None
    if root.tag != "quiz":
        conversion.problem("1:1", N_("the root element is <%(tag)s>, not <quiz>: this is not a Moodle XML "
                                     "question export (in Moodle: Question bank > Export > Moodle XML format)",
                                     tag=str(root.tag)[:50]))
        return None
    return root


def _decode(data: bytes, conversion: Conversion) -> str | None:
    """The file's text: UTF-8 (BOM accepted) or UTF-16 by BOM, the declared encoding, else a guess."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    data = data.removeprefix(codecs.BOM_UTF8)
    declared = _XML_DECLARATION.match(data)
    codec = declared.group(1).decode("ascii").lower() if declared else "utf-8"
    try:
        codec = codecs.lookup(codec).name
    except LookupError:
        conversion.problem("1:1", N_("the file declares the encoding %(encoding)r, which is unknown: save it as "
                                     "UTF-8", encoding=codec))
        return None
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        guessed = guess_encoding(data)
        if guessed and guessed != codec:
            try:
                text = data.decode(guessed)
            except UnicodeDecodeError:
                text = None
            if text is not None:
                conversion.problem("", N_("the file is not %(declared)s but looks like %(encoding)s; it was read as "
                                          "%(encoding)s: check the Chinese text, and save the file as UTF-8",
                                          declared=encoding_label(codec), encoding=encoding_label(guessed)), "warning")
                return text
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        conversion.problem(f"{line}:{column}", N_("the file is not valid %(encoding)s: byte 0x%(byte)02X here; save "
                                                  "the file as UTF-8", encoding=encoding_label(codec),
                                                  byte=data[exc.start]))
        return None


def _declaration_location(text: str) -> str:
    for marker in ("<!ENTITY", "<!DOCTYPE"):
        index = text.find(marker)
        if index >= 0:
            line = text.count("\n", 0, index) + 1
            return f"{line}:{index - (text.rfind(chr(10), 0, index) + 1) + 1}"
    return ""


@dataclass
class _Source:
    """One <question> element and what every type reads from it."""
    elem: ET.Element
    qtype: str
    number: int
    location: str
    name: str
    tags: list[str] = field(default_factory=list)  # plain tags, category first
    difficulty: int | None = None
    dimension: str = ""
    untitled: bool = False
    analysis: bool = False
    scoring: str | None = "partial"  # Moodle grades a multiple question's right answers by their shares
    scoring_tagged: bool = False
    case_sensitive_tag: bool = False
    feedback_dropped: bool = False


class _Reader:
    def __init__(self, conversion: Conversion):
        self.conversion = conversion
        self.category = ""  # tag of the questions after the current category entry
        self.keys: set[str] = set()
        self.number = 0
        self.stored_images: dict[str, bytes] = {}

    def read(self, root: ET.Element) -> None:
        for elem in root.findall("question"):
            qtype = (elem.get("type") or "").strip().lower()
            if qtype == "category":
                self._category(elem)
                continue
            self.number += 1
            source = self._source(elem, qtype)
            try:
                draft = self._question(source)
            except _Refused as refused:
                self.conversion.problem(source.location, refused.message, refused.kind)
                continue
            self.conversion.drafts.append(draft)
        if self.number == 0:
            self.conversion.problem("", N_("no questions found: a Moodle XML export holds <question> elements inside "
                                           "<quiz>"))

    # -- categories and common fields

    def _category(self, elem: ET.Element) -> None:
        path = _field(elem, "category/text") or _field(elem, "category")  # old files: no <text>
        parts = [part.replace("//", "/").strip() for part in re.split(r"(?<!/)/(?!/)", path)]
        parts = [part for part in parts if part and part != "top" and not re.fullmatch(r"\$\w*\$", part)]
        name = parts[-1] if parts else ""
        is_bank = _field(elem, "info/text").strip().startswith(BANK_INFO)
        self.category = "" if is_bank else name
        if name and not self.conversion.title:
            self.conversion.title = name

    def _source(self, elem: ET.Element, qtype: str) -> _Source:
        name = one_line(_field(elem, "name/text"))
        shown = name if len(name) <= NAME_CHARS else name[:NAME_CHARS] + "…"
        location = f"question {self.number} ({shown})" if shown else f"question {self.number}"
        source = _Source(elem, qtype, self.number, location, name)
        raw_tags = [_text_of(tag) for box in ("tags", "coursetags") for tag in elem.findall(f"{box}/tag/text")]
        plain = [self.category] if self.category else []
        for tag in (one_line(tag) for tag in raw_tags):
            if not self._reserved_tag(source, tag):
                plain.append(tag)
        source.tags = unique(plain)
        return source

    def _reserved_tag(self, source: _Source, tag: str) -> bool:
        lowered = tag.casefold()
        if lowered.startswith(TAG_DIFFICULTY):
            value = tag[len(TAG_DIFFICULTY):].strip()
            if value in {"1", "2", "3", "4", "5"}:
                source.difficulty = int(value)
                return True
            return False
        if lowered.startswith(TAG_DIMENSION) and tag[len(TAG_DIMENSION):].strip():
            source.dimension = source.dimension or tag[len(TAG_DIMENSION):].strip()
            return True
        if lowered.startswith(TAG_SCORING) and tag[len(TAG_SCORING):].strip() in SCORING_TAGS:
            source.scoring = SCORING_TAGS[tag[len(TAG_SCORING):].strip()]
            source.scoring_tagged = True
            return True
        flags = {TAG_UNTITLED: "untitled", TAG_ANALYSIS: "analysis", TAG_CASE_SENSITIVE: "case_sensitive_tag"}
        if lowered in flags:
            setattr(source, flags[lowered], True)
            return True
        return False

    def _question(self, source: _Source) -> QuestionDraft:
        readers = {
            "multichoice": self._multichoice, "truefalse": self._truefalse, "shortanswer": self._shortanswer,
            "numerical": self._numerical, "essay": self._essay, "cloze": self._cloze, "multianswer": self._cloze,
        }
        if source.qtype in _SKIPPED:
            raise _Refused(_SKIPPED[source.qtype])
        if source.qtype not in readers:
            raise _Refused(N_("not converted: Moodle question type %(type)r has no equivalent among our types "
                              "(single, multiple, truefalse, fill, short, analysis)", type=source.qtype[:50]))
        if source.elem.find("questiontext") is None:
            raise _Refused(N_("the question has no <questiontext>: every Moodle question has one; export the "
                              "question again"), "error")
        draft = readers[source.qtype](source)
        if not draft.stem.strip() and (source.untitled or not source.name):  # else the title is the text
            raise _Refused(N_("the question has no text: write its text in <questiontext>"), "error")
        if source.qtype not in ("essay", "cloze", "multianswer"):  # those weigh their parts themselves
            draft.points = self._points(source)
        self._common(source, draft)
        if source.feedback_dropped:
            self._warn(source, N_("the feedback of each answer was not converted (our questions have one "
                                  "explanation): move what matters into the general feedback"))
        return draft

    def _common(self, source: _Source, draft: QuestionDraft) -> None:
        draft.title = "" if source.untitled else source.name
        draft.tags = source.tags
        draft.difficulty, draft.dimension = source.difficulty, source.dimension
        draft.explanation = self._markdown(source, source.elem.find("generalfeedback"))
        draft.location = f"question {source.number}"
        draft.key = self._key(source)

    def _key(self, source: _Source) -> str | None:
        idnumber = _field(source.elem, "idnumber").strip()
        if not idnumber:
            return None
        key, problem = parse_id(idnumber, N_("the idnumber"))
        if problem:
            self._warn(source, N_("%(problem)s; the question was converted without an id", problem=problem))
            return None
        if key in self.keys:
            self._warn(source, N_("the idnumber %(id)r is used by an earlier question too; this one was converted "
                                  "without an id", id=key))
            return None
        self.keys.add(key)
        return key

    def _points(self, source: _Source, default: float | None = None) -> float | None:
        grade = source.elem.find("defaultgrade")
        if grade is None:
            return default
        value = parse_number(_text_of(grade))
        if value is None or value < 0 or value > 1000:
            self._warn(source, N_("the default mark %(value)r is not a number from 0 to 1000; the question gets "
                                  "the default points of its type", value=_text_of(grade).strip()[:50]))
            return default
        if value == 0:
            self._warn(source, N_("the default mark is 0; the question gets the default points of its type"))
            return default
        return value

    def _warn(self, source: _Source, message: str) -> None:
        self.conversion.problem(source.location, message, "warning")

    # -- text

    def _raw(self, source: _Source, elem: ET.Element | None) -> tuple[str, str]:
        """A text element's raw text, its images stored and pointed at, and its format."""
        if elem is None:
            return "", "html"
        fmt = (elem.get("format") or "html").strip().lower()
        return self._images(source, elem, _field(elem, "text")), fmt

    def _markdown(self, source: _Source, elem: ET.Element | None) -> str:
        raw, fmt = self._raw(source, elem)
        return _to_markdown(raw, fmt)

    def _images(self, source: _Source, elem: ET.Element, raw: str) -> str:
        if "@@PLUGINFILE@@" not in raw:
            return raw
        files = {(file.get("path") or "/") + (file.get("name") or ""): file for file in elem.findall("file")}
        stored: dict[str, str | None] = {}

        def replace(match: re.Match) -> str:
            reference = unquote(match.group(1))
            if reference not in stored:
                stored[reference] = self._image(source, files.get(reference), reference)
            name = stored[reference]
            return f"images/{name}" if name else match.group(0)
        return _PLUGINFILE.sub(replace, raw)

    def _image(self, source: _Source, file: ET.Element | None, reference: str) -> str | None:
        """The stored file name of an embedded image, or None (warned) when it can't be stored."""
        name = reference.rsplit("/", 1)[-1]
        if file is None:
            self._warn(source, N_("image %(name)r is referenced but not included in the file: export the questions "
                                  "again with their files", name=name[:100]))
            return None
        if not _plain_file_name(name):
            self._warn(source, N_("image %(name)r was left out: its name is not a plain file name", name=name[:100]))
            return None
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if extension not in _IMAGE_SIGNATURES:
            self._warn(source, N_("image %(name)r was left out: only PNG, JPEG, GIF and WebP images are converted",
                                  name=name[:100]))
            return None
        try:
            content = base64.b64decode(_text_of(file), validate=False)
        except (binascii.Error, ValueError):
            content = b""
        if not _is_image(extension, content):
            self._warn(source, N_("image %(name)r was left out: its content is not a %(type)s image (damaged "
                                  "base64?)", name=name[:100], type=extension.upper()))
            return None
        if len(content) > MAX_IMAGE_BYTES:
            self._warn(source, N_("image %(name)r was left out: it is %(size)s bytes, over the limit of %(limit)s",
                                  name=name[:100], size=f"{len(content):,}", limit="10 MB"))
            return None
        return self._store_image(name, content)

    def _store_image(self, name: str, content: bytes) -> str:
        """A name for the image under images/, unique in the conversion (Moodle names pastes image.png)."""
        safe = _UNSAFE_NAME_CHARS.sub("_", name).lstrip(".") or "image"
        stem, dot, extension = safe.rpartition(".")
        candidate, counter = safe, 1
        while self.stored_images.get(candidate, content) != content:
            counter += 1
            candidate = f"{stem}-{counter}{dot}{extension}"
        self.stored_images[candidate] = content
        self.conversion.files[f"images/{candidate}"] = content
        return candidate

    # -- types

    def _answers(self, source: _Source) -> list[tuple[float, ET.Element]]:
        """(fraction in %, <answer>) per answer; fractions that are not numbers count as 0."""
        answers = []
        for answer in source.elem.findall("answer"):
            fraction = parse_number(answer.get("fraction") or "0")
            if _field(answer, "feedback/text").strip():
                source.feedback_dropped = True
            answers.append((fraction if fraction is not None else 0.0, answer))
        return answers

    def _multichoice(self, source: _Source) -> QuestionDraft:
        single = _moodle_bool(_field(source.elem, "single", "true"))
        shuffle = _moodle_bool(_field(source.elem, "shuffleanswers", "false"))  # Moodle's default when missing
        options, fractions = [], []
        for fraction, answer in self._answers(source):
            text = self._markdown(source, answer)
            if text.strip():  # Moodle ignores empty answers
                options.append(text)
                fractions.append(fraction)
        if len(options) < 2:
            raise _Refused(N_("not converted: a choice question needs at least two answers, found %(count)d",
                              count=len(options)))
        duplicates = [text for index, text in enumerate(options) if text in options[:index]]
        if duplicates:
            raise _Refused(N_("not converted: the answer %(text)r is given twice; make the answers differ",
                              text=duplicates[0][:100]))
        draft = QuestionDraft("single" if single else "multiple", self._markdown(
            source, source.elem.find("questiontext")), shuffle=shuffle)
        if single:
            self._single_key(source, draft, options, fractions)
        else:
            self._multiple_key(source, draft, options, fractions)
        return draft

    def _single_key(self, source, draft, options, fractions) -> None:
        full = [index for index, fraction in enumerate(fractions) if fraction >= 99.99]
        if len(full) != 1:
            raise _Refused(N_("not converted: a one-answer choice question needs exactly one answer worth 100%%, "
                              "found %(count)d", count=len(full)))
        if any(0 < fraction < 99.99 for fraction in fractions):
            self._warn(source, N_("answers with partial credit count as wrong here: a single-choice question has "
                                  "one right answer"))
        if any(fraction < 0 for fraction in fractions):
            self._warn(source, N_("negative marks for wrong answers were dropped: a wrong answer scores 0 here"))
        draft.options = [Option(text, index == full[0]) for index, text in enumerate(options)]

    def _multiple_key(self, source, draft, options, fractions) -> None:
        right = [fraction for fraction in fractions if fraction > 0]
        if not right:
            raise _Refused(N_("not converted: no answer is worth more than 0%, so no option is right"))
        unequal = max(right) - min(right) >= 0.01 or abs(sum(right) - 100) >= 0.1
        if unequal and not source.scoring_tagged:  # our export's shares only approximate 100 / n
            self._warn(source, N_("Moodle's weights of the right answers (%(weights)s) became our partial scoring: "
                                  "each right option counts the same",
                                  weights=", ".join(f"{fraction:g}%" for fraction in right)))
        draft.options = [Option(text, fraction > 0) for text, fraction in zip(options, fractions)]
        draft.scoring = source.scoring

    def _truefalse(self, source: _Source) -> QuestionDraft:
        answer = None
        for index, (fraction, elem) in enumerate(self._answers(source)):
            text = _field(elem, "text").strip().lower()
            says_true = text == "true" if text in ("true", "false") else index == 0  # old files: true first
            if fraction >= 99.99:
                answer = says_true
        if answer is None:
            raise _Refused(N_("not converted: neither answer (true, false) is worth 100%"))
        return QuestionDraft("truefalse", self._markdown(source, source.elem.find("questiontext")), answer=answer)

    def _shortanswer(self, source: _Source) -> QuestionDraft:
        alternatives = []
        for fraction, elem in self._answers(source):
            text = _field(elem, "text").strip()
            if not text:
                continue
            if fraction < 99.99:
                if fraction > 0:
                    self._warn(source, N_("the answer %(answer)r worth %(fraction)s%% was dropped: a blank accepts "
                                          "only fully right answers", answer=text[:100], fraction=f"{fraction:g}"))
                continue
            if _WILDCARD.search(text):
                self._warn(source, N_("the answer %(answer)r was dropped: `*` is Moodle's wildcard, which our "
                                      "blanks don't have; list the accepted answers", answer=text[:100]))
                continue
            alternatives.append(text.replace("\\*", "*"))
        if not alternatives:
            raise _Refused(N_("not converted: no answer worth 100% that a blank can take"))
        draft = self._one_blank(source, Blank(unique(alternatives)))
        draft.case_sensitive = _field(source.elem, "usecase").strip() == "1" or source.case_sensitive_tag
        return draft

    def _numerical(self, source: _Source) -> QuestionDraft:
        full = []
        for fraction, elem in self._answers(source):
            text = _field(elem, "text").strip()
            if fraction < 99.99:
                if fraction > 0:
                    self._warn(source, N_("the answer %(answer)r worth %(fraction)s%% was dropped: a blank accepts "
                                          "only fully right answers", answer=text[:100], fraction=f"{fraction:g}"))
                continue
            full.append((text, _field(elem, "tolerance").strip() or "0"))
        full = [(answer, tolerance) for answer, tolerance in full if answer != "*"] or full
        if not full or full[0][0] == "*":
            raise _Refused(N_("not converted: no number worth 100% (`*` accepts any answer, which a blank can't)"))
        if len(full) > 1:
            self._warn(source, N_("only the first answer worth 100%% (%(answer)s) was kept: a number blank has one "
                                  "answer", answer=full[0][0][:100]))
        answer, tolerance_text = full[0]
        number, tolerance = _our_number(answer), parse_number(tolerance_text)
        if number is None or tolerance is None:
            raise _Refused(N_("not converted: the answer %(answer)r ± %(tolerance)r is not a number",
                              answer=answer[:100], tolerance=tolerance_text[:100]))
        draft = self._one_blank(source, Blank([number], abs(tolerance) or None), unit=self._unit(source))
        draft.case_sensitive = source.case_sensitive_tag
        return draft

    def _unit(self, source: _Source) -> str:
        """The unit with multiplier 1, written after the blank; other units are warned about."""
        unit, dropped = "", []
        for elem in source.elem.findall("units/unit"):
            name = one_line(_field(elem, "unit_name"))
            multiplier = parse_number(_field(elem, "multiplier") or "1")
            if name and multiplier == 1 and not unit:
                unit = name
            elif name:
                dropped.append(name)
        if dropped:
            self._warn(source, N_("the units %(units)s were dropped: a number blank takes its number in one unit "
                                  "(%(unit)s)", units=", ".join(dropped)[:200], unit=unit or "-"))
        return unit

    def _one_blank(self, source: _Source, blank: Blank, unit: str = "") -> QuestionDraft:
        """A one-blank fill question: the blank at the first `____` of the text, else at its end."""
        raw, fmt = self._raw(source, source.elem.find("questiontext"))
        raw, placed = _UNDERSCORES.subn(f"{_TOKEN_OPEN}1{_TOKEN_CLOSE}", _strip_tokens(raw), count=1)
        stem = _fill_markdown(raw, fmt)
        if not placed:
            stem = f"{stem}\n\n{{{{1}}}}".strip()
        if unit:
            marker = stem.find("{{1}}") + len("{{1}}")
            if not stem[marker:].lstrip().startswith(unit):
                stem = f"{stem[:marker]} {unit}{stem[marker:]}"
        problem = blank_problem(blank)
        if problem:
            raise _Refused(N_("not converted: %(reason)s", reason=problem))
        return QuestionDraft("fill", stem, blanks=[blank])

    def _essay(self, source: _Source) -> QuestionDraft:
        reference = self._markdown(source, source.elem.find("graderinfo"))
        if not reference.strip():
            raise _Refused(N_("not converted: an essay without grader information: our short questions need a "
                              "reference answer; write one in the essay's \"Information for graders\""))
        stem, case = _split_section(self._markdown(source, source.elem.find("questiontext")), "case")
        reference, rubric_text = _split_section(reference, "rubric")
        rubric = _rubric(rubric_text) if rubric_text else []
        if rubric_text and rubric is None:
            self._warn(source, N_("the rubric in the grader information was kept as part of the reference answer: "
                                  "each rubric line must be a list item that starts with its points, e.g. "
                                  "`- (3) 先确认影响范围`"))
            reference, rubric = f"{reference}\n\n{RUBRIC_HEADING}\n\n{rubric_text}".strip(), []
        qtype = "analysis" if source.analysis and rubric else "short"
        if source.analysis and not rubric:
            self._warn(source, N_("converted as a short question: an analysis question needs a rubric"))
        draft = QuestionDraft(qtype, stem, case=case, reference=reference, rubric=rubric)
        draft.points = self._points(source)
        total = round(sum(item.points for item in rubric), 2)
        if rubric and draft.points is not None and abs(draft.points - total) > 1e-9:
            self._warn(source, N_("the question is worth %(points)s in Moodle but its rubric totals %(total)s; it "
                                  "is worth the rubric total here", points=f"{draft.points:g}", total=f"{total:g}"))
            draft.points = None
        if draft.points is None and not rubric:
            draft.points = 1.0  # Moodle's default mark; our short questions have no default
        return draft

    def _cloze(self, source: _Source) -> QuestionDraft:
        raw, fmt = self._raw(source, source.elem.find("questiontext"))
        raw, subquestions = _extract_cloze(_strip_tokens(raw))
        if not subquestions:
            raise _Refused(N_("not converted: the cloze question has no embedded answers like {1:SHORTANSWER:=...}"))
        blanks, kinds, weights = [], [], []
        for index, (weight, kind, body) in enumerate(subquestions, 1):
            if kind not in _CLOZE_TYPES:
                raise _Refused(N_("not converted: blank %(number)d of the cloze question is %(type)s, which our fill "
                                  "blanks can't express (they take typed answers: SHORTANSWER or NUMERICAL); "
                                  "rewrite it as a choice question", number=index, type=kind[:30]))
            blanks.append(self._cloze_blank(source, index, _CLOZE_TYPES[kind], body))
            kinds.append(_CLOZE_TYPES[kind])
            weights.append(int(weight) if weight else 1)
        if len(set(weights)) > 1:
            self._warn(source, N_("the blanks' weights (%(weights)s) were dropped: each blank is worth an equal share "
                                  "here", weights=", ".join(map(str, weights))))
        if "case" in kinds and "text" in kinds:
            self._warn(source, N_("some blanks were case-sensitive and some not: all are case-sensitive here"))
        draft = QuestionDraft("fill", _fill_markdown(raw, fmt), blanks=blanks,
                              case_sensitive="case" in kinds or source.case_sensitive_tag)
        total = float(sum(weights))
        draft.points = self._points(source, default=total if 0 < total <= 1000 else None)
        return draft

    def _cloze_blank(self, source: _Source, index: int, kind: str, body: str) -> Blank:
        right, numbers = [], []
        for alternative in _CLOZE_ALTERNATIVES.split(body):
            fraction_match = _CLOZE_FRACTION.match(alternative)
            answer, *feedback = _CLOZE_FEEDBACK.split(alternative[fraction_match.end():], maxsplit=1)
            if feedback and feedback[0].strip():
                source.feedback_dropped = True
            if fraction_match.group(1):
                fraction = 100.0
            else:
                fraction = parse_number((fraction_match.group(2) or "0").replace(",", ".")) or 0.0
            answer = _CLOZE_UNESCAPE.sub(r"\1", html.unescape(answer)).strip()
            if fraction < 99.99 or not answer:
                if fraction > 0:
                    self._warn(source, N_("the answer %(answer)r worth %(fraction)s%% was dropped: a blank accepts "
                                          "only fully right answers", answer=answer[:100], fraction=f"{fraction:g}"))
                continue
            if kind == "number":
                numbers.append(answer)
            elif _WILDCARD.search(answer):
                self._warn(source, N_("the answer %(answer)r was dropped: `*` is Moodle's wildcard, which our "
                                      "blanks don't have; list the accepted answers", answer=answer[:100]))
            else:
                right.append(answer.replace("\\*", "*"))
        blank = self._cloze_number(source, index, numbers) if kind == "number" else Blank(unique(right))
        problem = blank_problem(blank)
        if problem:
            raise _Refused(N_("not converted: blank %(number)d: %(reason)s", number=index, reason=problem))
        return blank

    def _cloze_number(self, source: _Source, index: int, answers: list[str]) -> Blank:
        answers = [answer for answer in answers if answer != "*"]
        if not answers:
            raise _Refused(N_("not converted: blank %(number)d has no number worth 100%%", number=index))
        if len(answers) > 1:
            self._warn(source, N_("only the first answer worth 100%% (%(answer)s) was kept: a number blank has one "
                                  "answer", answer=answers[0][:100]))
        match = _CLOZE_NUMBER.fullmatch(answers[0])
        number = _our_number(match.group(1)) if match else None
        tolerance = parse_number(match.group(2).replace(",", ".")) if match and match.group(2) else None
        if number is None or (match.group(2) and tolerance is None):
            raise _Refused(N_("not converted: blank %(number)d's answer %(answer)r is not a number (write it as "
                              "=3.14:0.01)", number=index, answer=answers[0][:100]))
        return Blank([number], abs(tolerance) if tolerance is not None else None)


def _text_of(elem: ET.Element | None) -> str:
    """An element's own text (Moodle escapes the markup it holds, so child elements are not text)."""
    return (elem.text or "") if elem is not None else ""


def _field(elem: ET.Element, path: str, default: str = "") -> str:
    found = elem.find(path)
    return default if found is None else _text_of(found)


def _moodle_bool(text: str) -> bool:
    """Moodle's reading of true/false elements: `false`, `0` and empty are false."""
    return text.strip().lower() not in ("false", "0", "")


def _is_image(extension: str, content: bytes) -> bool:
    if not content.startswith(_IMAGE_SIGNATURES[extension]):
        return False
    return extension != "webp" or content[8:12] == b"WEBP"


def _plain_file_name(name: str) -> bool:
    return bool(name) and name not in (".", "..") and not any(
        char in name for char in "/\\:") and not any(unicodedata.category(char)[0] == "C" for char in name)


def _our_number(text: str) -> str | None:
    """A Moodle number as our blanks write it (decimal point), or None."""
    text = text.strip()
    if not _MOODLE_NUMBER.fullmatch(text):
        return None
    text = text.replace(",", ".")
    return text if parse_number(text) is not None else None


def _strip_tokens(raw: str) -> str:
    return raw.replace(_TOKEN_OPEN, "").replace(_TOKEN_CLOSE, "")


def _to_markdown(raw: str, fmt: str) -> str:
    """Moodle text in its format as our Markdown."""
    if fmt == "markdown":
        return _trim_blank_lines(raw)
    if fmt in ("plain_text", "wiki_like"):
        raw = html.escape(raw).replace("\n", "<br>\n")
    elif fmt == "moodle_auto_format" and not _HTML_BLOCK.search(raw):
        raw = raw.replace("\n", "<br>\n")  # Moodle keeps this format's line breaks
    try:
        converted = markdownify(raw, bullets="-", escape_misc=True,
                                keep_inline_images_in=["td", "th", "h1", "h2", "h3", "h4", "h5", "h6"])
    except RecursionError:
        raise _Refused(N_("the HTML of this text is nested too deeply to convert: simplify it in Moodle's "
                          "editor"), "error") from None
    return _trim_blank_lines(converted.replace("\xa0", " "))


def _fill_markdown(raw: str, fmt: str) -> str:
    """Markdown of a fill stem whose blanks are placeholders in `raw`: literal `{{` escaped, `{{n}}` markers."""
    text = _LITERAL_BRACES.sub(r"\\{{", _to_markdown(raw, fmt))
    # A `{` or a backslash right before a blank would merge with its braces or escape them.
    text = re.sub(f"([{{\\\\])(?={_TOKEN_OPEN})", r"\1 ", text)
    return _TOKEN.sub(lambda match: f"{{{{{match.group(1)}}}}}", text)


def _trim_blank_lines(text: str) -> str:
    lines = text.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


def _split_section(markdown: str, name: str) -> tuple[str, str]:
    """(text before, text after) the first `###` heading of section `name` outside code, else (text, '')."""
    lines, _ = mark_fences(split_lines(markdown), 1)
    for index, line in enumerate(lines):
        found = heading(line)
        if found and found[0] == 3 and section_name(found[1]) == name:
            before = "\n".join(item.text for item in lines[:index])
            after = "\n".join(item.text for item in lines[index + 1:])
            return _trim_blank_lines(before), _trim_blank_lines(after)
    return markdown, ""


def _rubric(text: str) -> list[RubricItem] | None:
    """Rubric items `- (3) text` (continued on indented lines), or None when a line is something else."""
    items: list[RubricItem] = []
    for line in text.split("\n"):
        line = _SPACE_RUNS.sub(" ", line)  # RUBRIC_ITEM is slow on long runs of spaces; items are one line
        match = RUBRIC_ITEM.match(line)
        points = parse_number(match.group(1).replace("．", ".")) if match else None
        if match and points and points > 0 and match.group(2):
            items.append(RubricItem(points, match.group(2)))
        elif items and line[:1] in (" ", "\t") and line.strip():
            items[-1].text = f"{items[-1].text} {line.strip()}"
        elif line.strip():
            return None
    return items


def _extract_cloze(raw: str) -> tuple[str, list[tuple[str, str, str]]]:
    """The text with each embedded answer replaced by a placeholder, and (weight, type, body) of each."""
    out, subquestions, position = [], [], 0
    while match := _CLOZE_START.search(raw, position):
        end = _CLOZE_END.search(raw, match.end())
        if end is None:
            break
        subquestions.append((match.group(1), match.group(2), raw[match.end():end.start()]))
        out.append(f"{raw[position:match.start()]}{_TOKEN_OPEN}{len(subquestions)}{_TOKEN_CLOSE}")
        position = end.end()
    out.append(raw[position:])
    return "".join(out), subquestions


# ---------------------------------------------------------------------------------------------------
# Writing


def write_moodle_xml(drafts: list[QuestionDraft], *, key: str, title: str) -> bytes:
    """The drafts as a Moodle XML file, in one category named after the bank."""
    quiz = ET.Element("quiz")
    category = ET.SubElement(quiz, "question", type="category")
    _text(ET.SubElement(category, "category"), "$course$/top/" + (title or key or "ExamEngine").replace("/", "//"))
    _text(ET.SubElement(category, "info", format="plain_text"), f"{BANK_INFO} {key}")
    ET.SubElement(category, "idnumber")
    for number, draft in enumerate(drafts, 1):
        quiz.append(_question(draft, number))
    ET.indent(quiz, space="  ")
    return ET.tostring(quiz, encoding="UTF-8", xml_declaration=True) + b"\n"


def _question(draft: QuestionDraft, number: int) -> ET.Element:
    tags = list(draft.tags)
    if draft.qtype in ("single", "multiple"):
        qtype, text, write_body = "multichoice", draft.stem, _choice_body
    elif draft.qtype == "truefalse":
        qtype, text, write_body = "truefalse", draft.stem, _truefalse_body
    elif draft.qtype == "fill":
        qtype, text, write_body = _fill_form(draft)
    else:
        qtype, write_body = "essay", _essay_body
        text = f"{draft.stem}\n\n{CASE_HEADING}\n\n{draft.case}" if draft.case.strip() else draft.stem
    question = ET.Element("question", type=qtype)
    name = one_line(draft.title) or _generated_name(text, draft, number)
    _text(ET.SubElement(question, "name"), name)
    _text(ET.SubElement(question, "questiontext", format="markdown"), text)
    _text(ET.SubElement(question, "generalfeedback", format="markdown"), draft.explanation)
    points = draft.points if draft.points is not None else _default_points(draft)
    ET.SubElement(question, "defaultgrade").text = _decimal(points)
    ET.SubElement(question, "penalty").text = {"truefalse": "1.0000000", "essay": "0.0000000"}.get(qtype, "0.3333333")
    ET.SubElement(question, "hidden").text = "0"
    ET.SubElement(question, "idnumber").text = draft.key or ""
    tags += write_body(question, draft, points)
    tags += _metadata_tags(draft)
    if any(tag.strip() for tag in tags):
        box = ET.SubElement(question, "tags")
        for tag in unique(one_line(tag) for tag in tags):
            _text(ET.SubElement(box, "tag"), tag)
    return question


def _metadata_tags(draft: QuestionDraft) -> list[str]:
    tags = []
    if draft.difficulty is not None:
        tags.append(f"{TAG_DIFFICULTY}{draft.difficulty}")
    if one_line(draft.dimension):
        tags.append(f"{TAG_DIMENSION}{one_line(draft.dimension)}")
    if not one_line(draft.title):
        tags.append(TAG_UNTITLED)
    return tags


def _choice_body(question: ET.Element, draft: QuestionDraft, points: float) -> list[str]:
    single = draft.qtype == "single"
    ET.SubElement(question, "single").text = "true" if single else "false"
    ET.SubElement(question, "shuffleanswers").text = "true" if draft.shuffle else "false"
    ET.SubElement(question, "answernumbering").text = "ABCD"
    ET.SubElement(question, "showstandardinstruction").text = "1"
    for name in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
        _text(ET.SubElement(question, name, format="markdown"), "")
    shares = iter(_shares(sum(option.correct for option in draft.options)))
    for option in draft.options:
        if single:
            fraction = "100" if option.correct else "0"
        else:
            fraction = next(shares) if option.correct else "-100"
        _answer(question, fraction, option.text, "markdown")
    if single:
        return []
    return [TAG_SCORING + (draft.scoring or "exam")]


def _shares(count: int) -> list[str]:
    """Fractions (in %) for `count` right options summing to 100, from those Moodle accepts (1/2 ... 1/10, 5%)."""
    if count <= 10:
        share = f"{100 / count:.5f}".rstrip("0").rstrip(".") if count else "100"
        return [share] * count
    tens = max(0, 20 - count)  # 10% and 5% shares: 10 * tens + 5 * (count - tens) = 100 up to 20 options
    return ["10"] * tens + ["5"] * (count - tens)


def _truefalse_body(question: ET.Element, draft: QuestionDraft, points: float) -> list[str]:
    _answer(question, "100" if draft.answer else "0", "true", "moodle_auto_format")
    _answer(question, "0" if draft.answer else "100", "false", "moodle_auto_format")
    return []


def _fill_form(draft: QuestionDraft):
    """(Moodle type, question text, body writer) of a fill question: see the module docstring."""
    blank = draft.blanks[0] if len(draft.blanks) == 1 else None
    underscored = _underscored_stem(draft.stem) if blank else None
    if underscored is not None:
        number = blank.answers[0] if len(blank.answers) == 1 else ""
        if blank.tolerance is None and _WRITABLE_NUMBER.fullmatch(number):
            return "numerical", underscored, _numerical_body
        if blank.tolerance is not None and blank.tolerance != 0:
            return "numerical", underscored, _numerical_body
        if blank.tolerance is None:
            return "shortanswer", underscored, _shortanswer_body
    return "cloze", _cloze_stem(draft), _cloze_body


def _underscored_stem(stem: str) -> str | None:
    """The stem with its one blank written as underscores, if the reader puts the blank back there."""
    def underscores(match: re.Match) -> str:
        line_start = stem.rfind("\n", 0, match.start()) + 1
        line_end = stem.find("\n", match.end())
        alone = not (stem[line_start:match.start()] + stem[match.end():len(stem) if line_end < 0 else line_end]).strip()
        return WRITTEN_BLANK_LINE if alone else WRITTEN_BLANK
    written = _STORED_MARKER.sub(underscores, stem, count=1)
    raw, placed = _UNDERSCORES.subn(f"{_TOKEN_OPEN}1{_TOKEN_CLOSE}", _strip_tokens(written), count=1)
    return written if placed and _fill_markdown(raw, "markdown") == stem else None


def _shortanswer_body(question: ET.Element, draft: QuestionDraft, points: float) -> list[str]:
    ET.SubElement(question, "usecase").text = "1" if draft.case_sensitive else "0"
    for answer in draft.blanks[0].answers:
        _answer(question, "100", answer.strip().replace("*", "\\*"), "moodle_auto_format")
    return []


def _numerical_body(question: ET.Element, draft: QuestionDraft, points: float) -> list[str]:
    blank = draft.blanks[0]
    answer = _answer(question, "100", blank.answers[0], "moodle_auto_format")
    ET.SubElement(answer, "tolerance").text = repr(float(blank.tolerance)) if blank.tolerance else "0"
    for name, value in (("unitgradingtype", "0"), ("unitpenalty", "0.1000000"), ("showunits", "3"),
                        ("unitsleft", "0")):
        ET.SubElement(question, name).text = value
    return [TAG_CASE_SENSITIVE] if draft.case_sensitive else []


def _cloze_stem(draft: QuestionDraft) -> str:
    count = max(len(draft.blanks), 1)
    points = draft.points if draft.points is not None else float(count)
    weight = int(points / count) if (points / count).is_integer() and points / count >= 1 else 1

    def embedded(match: re.Match) -> str:
        index = int(match.group(1)) - 1
        if not 0 <= index < len(draft.blanks):
            return match.group(0)
        blank = draft.blanks[index]
        if blank.tolerance is not None:
            return f"{{{weight}:NM:={blank.answers[0]}:{float(blank.tolerance)!r}}}"
        if len(blank.answers) == 1 and _WRITABLE_NUMBER.fullmatch(blank.answers[0]):
            return f"{{{weight}:NM:={blank.answers[0]}}}"
        kind = "SAC" if draft.case_sensitive else "SA"
        return f"{{{weight}:{kind}:" + "~".join("=" + _cloze_answer(answer) for answer in blank.answers) + "}"
    return _STORED_MARKER.sub(embedded, draft.stem)


def _cloze_answer(answer: str) -> str:
    """An answer as Moodle's cloze syntax reads it back: wildcard, `}`, `#`, `~` escaped, `&` as an entity."""
    text = answer.strip().replace("*", "\\*")
    text = re.sub(r"([}#~])", r"\\\1", text)
    text = text.replace("&", "&amp;")
    return f"{text} " if text.endswith(("\\", "&amp;")) else text  # a closing `}` must not look escaped


def _cloze_body(question: ET.Element, draft: QuestionDraft, points: float) -> list[str]:
    has_text_blank = any(blank.tolerance is None and not (
        len(blank.answers) == 1 and _WRITABLE_NUMBER.fullmatch(blank.answers[0])) for blank in draft.blanks)
    return [TAG_CASE_SENSITIVE] if draft.case_sensitive and not has_text_blank else []


def _essay_body(question: ET.Element, draft: QuestionDraft, points: float) -> list[str]:
    for name, value in (("responseformat", "editor"), ("responserequired", "1"), ("responsefieldlines", "15"),
                        ("attachments", "0"), ("attachmentsrequired", "0")):
        ET.SubElement(question, name).text = value
    grader_info = draft.reference
    if draft.rubric:
        items = "\n".join(f"- ({item.points:g}) {one_line(item.text)}" for item in draft.rubric)
        grader_info = f"{grader_info}\n\n{RUBRIC_HEADING}\n\n{items}"
    _text(ET.SubElement(question, "graderinfo", format="markdown"), grader_info)
    _text(ET.SubElement(question, "responsetemplate", format="markdown"), "")
    return [TAG_ANALYSIS] if draft.qtype == "analysis" else []


def _answer(question: ET.Element, fraction: str, text: str, fmt: str) -> ET.Element:
    answer = ET.SubElement(question, "answer", fraction=fraction, format=fmt)
    _text(answer, text)
    _text(ET.SubElement(answer, "feedback", format="markdown"), "")
    return answer


def _text(parent: ET.Element, value: str) -> None:
    ET.SubElement(parent, "text").text = _XML_ILLEGAL.sub("", value)


def _generated_name(text: str, draft: QuestionDraft, number: int) -> str:
    name = one_line(text)[:NAME_CHARS].strip()
    return name or draft.key or f"question {number}"


def _default_points(draft: QuestionDraft) -> float:
    if draft.qtype == "multiple":
        return 2.0
    if draft.qtype == "fill":
        return float(max(len(draft.blanks), 1))
    if draft.qtype in ("short", "analysis") and draft.rubric:
        return round(sum(item.points for item in draft.rubric), 2)
    return 1.0


def _decimal(value: float) -> str:
    """A number as Moodle writes marks (7 decimals), exactly when that isn't enough."""
    text = f"{value:.7f}"
    return text if math.isfinite(value) and float(text) == value else repr(float(value))
