"""Reading a Moodle XML file: its bytes decoded and parsed (safely: defusedxml), the categories, and the
fields every question has (name, id number, tags, marks, general feedback)."""
from __future__ import annotations

import codecs
import re
import xml.etree.ElementTree as ET  # noqa: N817 -- its ParseError and element type; uploads are parsed with defusedxml

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from examengine.core.banks.encodings import encoding_label, guess_encoding
from examengine.core.banks.values import parse_id, unique
from examengine.core.converters.drafts import Conversion, QuestionDraft, never_raises
from examengine.core.converters.markdown import one_line
from examengine.core.converters.moodle_xml.common import (
    BANK_INFO,
    NAME_CHARS,
    TAG_ANALYSIS,
    TAG_CASE_SENSITIVE,
    TAG_DIFFICULTY,
    TAG_DIMENSION,
    TAG_SCORING,
    TAG_UNTITLED,
    Refused,
    Source,
    child_text,
    text_of,
)
from examengine.core.converters.moodle_xml.question_types import SKIPPED, QuestionReader
from examengine.core.messages import N_

MAX_XML_BYTES = 50 * 1024 * 1024
SCORING_TAGS = {"all-or-nothing": "all-or-nothing", "partial": "partial", "exam": None}
_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")


@never_raises
def read_moodle_xml(conversion: Conversion, data: bytes) -> None:
    """A Moodle XML export as drafts; every problem is reported, nothing raises."""
    root = _parse(data, conversion)
    if root is not None:
        _Reader(conversion).read(root)


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


class _Reader(QuestionReader):
    """The questions of a <quiz> in order, each with the category entry before it."""

    def __init__(self, conversion: Conversion):
        super().__init__(conversion)
        self.category = ""  # tag of the questions after the current category entry
        self.keys: set[str] = set()
        self.number = 0

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
            except Refused as refused:
                self.conversion.problem(source.location, refused.message, refused.kind)
                continue
            self.conversion.drafts.append(draft)
        if self.number == 0:
            self.conversion.problem("", N_("no questions found: a Moodle XML export holds <question> elements inside "
                                           "<quiz>"))

    # -- categories and common fields

    def _category(self, elem: ET.Element) -> None:
        path = child_text(elem, "category/text") or child_text(elem, "category")  # old files: no <text>
        parts = [part.replace("//", "/").strip() for part in re.split(r"(?<!/)/(?!/)", path)]
        parts = [part for part in parts if part and part != "top" and not re.fullmatch(r"\$\w*\$", part)]
        name = parts[-1] if parts else ""
        is_bank = child_text(elem, "info/text").strip().startswith(BANK_INFO)
        self.category = "" if is_bank else name
        if name and not self.conversion.title:
            self.conversion.title = name

    def _source(self, elem: ET.Element, qtype: str) -> Source:
        name = one_line(child_text(elem, "name/text"))
        shown = name if len(name) <= NAME_CHARS else name[:NAME_CHARS] + "…"
        location = f"question {self.number} ({shown})" if shown else f"question {self.number}"
        source = Source(elem, qtype, self.number, location, name)
        raw_tags = [text_of(tag) for box in ("tags", "coursetags") for tag in elem.findall(f"{box}/tag/text")]
        plain = [self.category] if self.category else []
        for tag in (one_line(tag) for tag in raw_tags):
            if not self._reserved_tag(source, tag):
                plain.append(tag)
        source.tags = unique(plain)
        return source

    def _reserved_tag(self, source: Source, tag: str) -> bool:
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

    def _question(self, source: Source) -> QuestionDraft:
        readers = {
            "multichoice": self._multichoice, "truefalse": self._truefalse, "shortanswer": self._shortanswer,
            "numerical": self._numerical, "essay": self._essay, "cloze": self._cloze, "multianswer": self._cloze,
        }
        if source.qtype in SKIPPED:
            raise Refused(SKIPPED[source.qtype])
        if source.qtype not in readers:
            raise Refused(N_("not converted: Moodle question type %(type)r has no equivalent among our types "
                              "(single, multiple, truefalse, fill, short, analysis)", type=source.qtype[:50]))
        if source.elem.find("questiontext") is None:
            raise Refused(N_("the question has no <questiontext>: every Moodle question has one; export the "
                              "question again"), "error")
        draft = readers[source.qtype](source)
        if not draft.stem.strip() and (source.untitled or not source.name):  # else the title is the text
            raise Refused(N_("the question has no text: write its text in <questiontext>"), "error")
        if source.qtype not in ("essay", "cloze", "multianswer"):  # those weigh their parts themselves
            draft.points = self._points(source)
        self._common(source, draft)
        if source.feedback_dropped:
            self._warn(source, N_("the feedback of each answer was not converted (our questions have one "
                                  "explanation): move what matters into the general feedback"))
        return draft

    def _common(self, source: Source, draft: QuestionDraft) -> None:
        draft.title = "" if source.untitled else source.name
        draft.tags = source.tags
        draft.difficulty, draft.dimension = source.difficulty, source.dimension
        draft.explanation = self._markdown(source, source.elem.find("generalfeedback"))
        draft.location = f"question {source.number}"
        draft.key = self._key(source)

    def _key(self, source: Source) -> str | None:
        idnumber = child_text(source.elem, "idnumber").strip()
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
