"""IMS QTI 2.1 content packages: a bank exported as a zip, and a package (ours or another tool's) read back.

A package is a zip with `imsmanifest.xml` (IMS Content Packaging 1.1) listing one resource of type
`imsqti_item_xmlv2p1` per question (`items/<id>.xml`, an `assessmentItem`) and one `imsqti_test_xmlv2p1`
(`assessmentTest.xml`) that lists every item in one section. Identifiers are the question ids made
NCName-safe (`1号` -> `q-1号`, other characters -> `_`), or `q<position>` for a question without one.

How our questions are written (the reader takes the same things back):

| Ours | QTI 2.1 |
|---|---|
| single | `choiceInteraction maxChoices="1"`, `shuffle` from ours, `correctResponse` |
| multiple | `choiceInteraction maxChoices="0"`, response `cardinality="multiple"` |
| truefalse | a `choiceInteraction` with the choices `true` (对) and `false` (错) |
| fill | a `textEntryInteraction` per blank, inline in the stem: `RESPONSE_1`, `RESPONSE_2`, … |
| short, analysis | `extendedTextInteraction`; reference answer and rubric in `rubricBlock view="scorer"` |
| case | `<div class="ee-case">` at the top of the `itemBody` |
| explanation | `modalFeedback` shown after the attempt (outcome `FEEDBACK` defaults to `EXPLANATION`) |
| points | outcome `MAXSCORE` (default value) and `SCORE normalMaximum` |
| id, title, tags, difficulty, dimension | the resource's LOM in the manifest: general/identifier, general/title, general/keyword, educational/difficulty (LOMv1.0 "very easy" … "very difficult" = 1 … 5), classification with taxon source "ExamEngine: dimension" |

Response processing is written out as rules, not the `match_correct` template: the template scores 1, not
the question's points, and can't say our partial rule. `SCORE` is the points for the right answer;
multiple with `scoring: partial` adds half the points when the response is not empty and contained in the
correct set (`contains`); a fill blank adds its share of the points when its `mapping` maps the response
(alternatives as `mapEntry`, `caseSensitive` from ours) or, for a `± tolerance` blank (baseType float),
when it is `equal` within the tolerance. Other QTI players therefore compare blanks exactly: our
normalizing (full-width, number spellings, units) is ours only. Written questions have no response
processing (a reviewer grades them).

What only we read back, so that our own packages come back unchanged: the interaction's `class` names
the type and scoring (`ee-truefalse`, `ee-analysis`, `ee-scoring-partial`, …), and `items/<id>.markdown.json`
keeps each part's Markdown next to a digest of the XHTML written for it. The item's `itemBody` is XHTML
rendered from our Markdown (`render_markdown`), which every QTI tool shows; a part whose XHTML was
changed since (edited in another tool), and every part of another tool's item, is converted from its
XHTML to Markdown (markdownify), with images of the package brought along. What lives in XML only (title,
tags, dimension, id, blank answers) can't hold the control characters XML 1.0 forbids: they become U+FFFD.

Read, from other tools: choice (one or several answers; two choices that say true/false become
truefalse), text entry (string answers from `mapping` or `correctResponse`; float/integer answers with a
`tolerance` from an `equal` rule), extended text (reference answer from `rubricBlock view="scorer"` or the
`correctResponse`). Not converted, reported: items with other interactions (match, order, hotspot, …),
several kinds of interaction in one item, template (cloned) items, QTI 1.2 and 3.0 packages.
"""
from __future__ import annotations

import copy
import hashlib
import io
import json
import math
import posixpath
import re
import secrets
import xml.etree.ElementTree as ET
import zipfile
import zlib
from dataclasses import dataclass, field
from urllib.parse import unquote

import defusedxml
import defusedxml.ElementTree as SafeET
import lxml.html
from lxml import etree
from markdownify import markdownify

from examengine.core.converters.drafts import Blank, Conversion, Option, QuestionDraft, RubricItem
from examengine.core.converters.markdown import blank_problem, one_line
from examengine.core.markup import render_markdown
from examengine.core.messages import N_, Np_
from examengine.core.qtypes.choice import TRUEFALSE_WORDS

QTI_NS = "http://www.imsglobal.org/xsd/imsqti_v2p1"
QTI_XSD = "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
CP_NS = "http://www.imsglobal.org/xsd/imscp_v1p1"
CP_XSD = "http://www.imsglobal.org/xsd/imscp_v1p1.xsd"
MD_NS = "http://www.imsglobal.org/xsd/imsmd_v1p2"
MD_XSD = "http://www.imsglobal.org/xsd/imsmd_v1p2p4.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
ITEM_TYPE = "imsqti_item_xmlv2p1"
TEST_TYPE = "imsqti_test_xmlv2p1"
TEST_FILE = "assessmentTest.xml"
MANIFEST = "imsmanifest.xml"
SOURCE_SUFFIX = ".markdown.json"
TOOL_NAME = "ExamEngine"
TOOL_VERSION = "1"
DIMENSION_SOURCE = "ExamEngine: dimension"
DIFFICULTY_WORDS = ("very easy", "easy", "medium", "difficult", "very difficult")  # LOMv1.0, = 1 … 5
SOURCE_FORMAT = 1

MAX_ZIP_MEMBERS = 10_000
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_XML_BYTES = 20 * 1024 * 1024
MAX_XML_DEPTH = 200

SUPPORTED_INTERACTIONS = {"choiceInteraction", "textEntryInteraction", "extendedTextInteraction"}
# Kept out of the question text of another tool's item: feedback and scorer material have their own places.
_NOT_STEM = {"rubricBlock", "feedbackBlock", "feedbackInline", "templateBlock", "templateInline"}

# XHTML our Markdown produces, as QTI 2.1's itemBody allows it; `del`/`s` (not in QTI) become spans.
_QTI_XHTML = frozenset({
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd",
    "strong", "em", "b", "i", "sub", "sup", "code", "pre", "blockquote", "kbd", "samp", "var", "q", "cite",
    "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "a", "img", "span", "div",
})
_QTI_ATTRIBUTES = {"a": ("href",), "img": ("src", "alt"), "code": ("class",)}
_INVALID_XML_CHARS = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_STORED_MARKER = re.compile(r"\\\{\{|\{\{(\d+)\}\}")
_KEY = re.compile(r"[\w.-]{1,100}")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


# ---------------------------------------------------------------------------------------------- writing

def write_qti(drafts: list[QuestionDraft], *, key: str, title: str) -> bytes:
    """The bank as an IMS QTI 2.1 content package (zip bytes)."""
    identifiers = _Identifiers()
    items = [_ItemWriter(draft, identifiers.new(draft.key, f"q{position}"))
             for position, draft in enumerate(drafts, 1)]
    test_id = identifiers.new(key, "test")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        _add(archive, MANIFEST, _xml_bytes(_manifest(items, key, title, test_id)))
        _add(archive, TEST_FILE, _xml_bytes(_assessment_test(items, title or key, test_id)))
        for item in items:
            _add(archive, item.path, _xml_bytes(item.element))
            _add(archive, item.source_path, json.dumps(item.source, ensure_ascii=False, indent=1).encode("utf-8", "surrogatepass"))
    return buffer.getvalue()


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # fixed: the same bank gives the same bytes
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


class _Identifiers:
    """NCName identifiers, unique in the package."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def new(self, key: str | None, fallback: str) -> str:
        base = ncname(key) if key else fallback
        candidate, n = base, 1
        while candidate.casefold() in self.used:  # casefold: file names must differ on Windows too
            n += 1
            candidate = f"{base}-{n}"
        self.used.add(candidate.casefold())
        return candidate


def ncname(text: str) -> str:
    """`text` as an XML NCName: invalid characters become `_`, a name that can't start so gets `q-` first."""
    name = "".join(char if _is_name_char(char) else "_" for char in text) or "q"
    return name if _is_name_start(name[0]) else f"q-{name}"


def _is_name_start(char: str) -> bool:
    code = ord(char)
    return (char == "_" or "A" <= char <= "Z" or "a" <= char <= "z" or 0xC0 <= code <= 0xD6
            or 0xD8 <= code <= 0xF6 or 0xF8 <= code <= 0x2FF or 0x370 <= code <= 0x37D
            or 0x37F <= code <= 0x1FFF or 0x200C <= code <= 0x200D or 0x2070 <= code <= 0x218F
            or 0x2C00 <= code <= 0x2FEF or 0x3001 <= code <= 0xD7FF or 0xF900 <= code <= 0xFDCF
            or 0xFDF0 <= code <= 0xFFFD or 0x10000 <= code <= 0xEFFFF)


def _is_name_char(char: str) -> bool:
    code = ord(char)
    return (_is_name_start(char) or char in "-." or "0" <= char <= "9" or code == 0xB7
            or 0x300 <= code <= 0x36F or 0x203F <= code <= 0x2040)


def _xml_text(text: str) -> str:
    """XML 1.0 can't hold control characters: they become U+FFFD (the Markdown source keeps them)."""
    return _INVALID_XML_CHARS.sub("\ufffd", str(text))


def _number(value: float) -> str:
    text = repr(float(value))  # shortest exact form: the reader gets the same float back
    return text[:-2] if text.endswith(".0") else text


def _q(tag: str) -> str:
    return f"{{{QTI_NS}}}{tag}"


def _sub(parent, tag: str, text: str | None = None, **attributes) -> etree._Element:
    element = etree.SubElement(parent, _q(tag), {name.rstrip("_"): _xml_text(value)
                                                 for name, value in attributes.items()})
    if text is not None:
        element.text = _xml_text(text)
    return element


def _default_points(draft: QuestionDraft) -> float | None:
    if draft.points is not None:
        return draft.points
    if draft.qtype in ("single", "truefalse"):
        return 1.0
    if draft.qtype == "multiple":
        return 2.0
    if draft.qtype == "fill":
        return float(len(draft.blanks))
    return sum(item.points for item in draft.rubric) or None


class _ItemWriter:
    """One draft as an assessmentItem, with the Markdown of its parts kept for our reader."""

    def __init__(self, draft: QuestionDraft, identifier: str) -> None:
        self.draft, self.identifier = draft, identifier
        self.path = f"items/{identifier}.xml"
        self.source_path = f"items/{identifier}{SOURCE_SUFFIX}"
        self.parts: dict[str, dict] = {}
        self.points = _default_points(draft)
        self.element = self._item()
        self.source = {"generator": TOOL_NAME, "format": SOURCE_FORMAT, "parts": self.parts}

    def _item(self) -> etree._Element:
        draft = self.draft
        item = etree.Element(_q("assessmentItem"), nsmap={None: QTI_NS, "xsi": XSI_NS})
        item.set(f"{{{XSI_NS}}}schemaLocation", f"{QTI_NS} {QTI_XSD}")
        for name, value in (("identifier", self.identifier), ("title", self._display_title()),
                            ("adaptive", "false"), ("timeDependent", "false"),
                            ("toolName", TOOL_NAME), ("toolVersion", TOOL_VERSION)):
            item.set(name, _xml_text(value))
        self._declarations(item)
        body = _sub(item, "itemBody")
        getattr(self, f"_body_{'written' if draft.qtype in ('short', 'analysis') else draft.qtype}")(body)
        self._response_processing(item)
        if draft.explanation.strip():
            feedback = _sub(item, "modalFeedback", outcomeIdentifier="FEEDBACK", showHide="show",
                            identifier="EXPLANATION")
            self._content("explanation", feedback, draft.explanation)
        _indent(item)
        return item

    def _display_title(self) -> str:
        """QTI requires a title; ours may be empty (the exact one is in the manifest's LOM)."""
        if self.draft.title.strip():
            return one_line(self.draft.title)
        stem = one_line(re.sub(r"[#*`>\[\]{}|_]", " ", _STORED_MARKER.sub(" ", self.draft.stem)))
        return stem[:60] or f"Question {self.identifier}"

    # -- declarations

    def _declarations(self, item) -> None:
        draft = self.draft
        if draft.qtype in ("single", "multiple", "truefalse"):
            declaration = _sub(item, "responseDeclaration", identifier="RESPONSE", baseType="identifier",
                               cardinality="multiple" if draft.qtype == "multiple" else "single")
            correct = _sub(declaration, "correctResponse")
            for identifier in self._correct_choices():
                _sub(correct, "value", identifier)
        elif draft.qtype == "fill":
            for number, blank in enumerate(draft.blanks, 1):
                self._blank_declaration(item, number, blank)
        else:
            _sub(item, "responseDeclaration", identifier="RESPONSE", cardinality="single", baseType="string")
        score = _sub(item, "outcomeDeclaration", identifier="SCORE", cardinality="single", baseType="float")
        if self.points is not None:
            score.set("normalMaximum", _number(self.points))
            maximum = _sub(item, "outcomeDeclaration", identifier="MAXSCORE", cardinality="single",
                           baseType="float")
            _sub(_sub(maximum, "defaultValue"), "value", _number(self.points))
        _sub(_sub(score, "defaultValue"), "value", "0")
        if draft.explanation.strip():
            feedback = _sub(item, "outcomeDeclaration", identifier="FEEDBACK", cardinality="multiple",
                            baseType="identifier")
            _sub(_sub(feedback, "defaultValue"), "value", "EXPLANATION")

    def _blank_declaration(self, item, number: int, blank: Blank) -> None:
        identifier = f"RESPONSE_{number}"
        if blank.tolerance is not None:
            declaration = _sub(item, "responseDeclaration", identifier=identifier, cardinality="single",
                               baseType="float")
            _sub(_sub(declaration, "correctResponse"), "value", blank.answers[0])
            return
        declaration = _sub(item, "responseDeclaration", identifier=identifier, cardinality="single",
                           baseType="string")
        _sub(_sub(declaration, "correctResponse"), "value", blank.answers[0])
        share = _number(self._blank_share())
        mapping = _sub(declaration, "mapping", defaultValue="0", upperBound=share)
        for answer in blank.answers:
            _sub(mapping, "mapEntry", mapKey=answer, mappedValue=share,
                 caseSensitive="true" if self.draft.case_sensitive else "false")

    def _blank_share(self) -> float:
        return (self.points or 0.0) / max(len(self.draft.blanks), 1)

    def _choice_ids(self) -> list[str]:
        if self.draft.qtype == "truefalse":
            return ["true", "false"]
        return [_choice_id(index) for index in range(len(self.draft.options))]

    def _correct_choices(self) -> list[str]:
        if self.draft.qtype == "truefalse":
            return ["true" if self.draft.answer else "false"]
        return [_choice_id(index) for index, option in enumerate(self.draft.options) if option.correct]

    # -- bodies

    def _body_single(self, body) -> None:
        self._stem(body)
        self._choices(body, max_choices="1")

    def _body_multiple(self, body) -> None:
        self._stem(body)
        self._choices(body, max_choices="0")

    def _body_truefalse(self, body) -> None:
        self._stem(body)
        interaction = _sub(body, "choiceInteraction", responseIdentifier="RESPONSE", shuffle="false",
                           maxChoices="1", class_="ee-truefalse")
        for identifier, text in (("true", "对"), ("false", "错")):
            _sub(interaction, "simpleChoice", text, identifier=identifier)

    def _choices(self, body, *, max_choices: str) -> None:
        draft = self.draft
        classes = [f"ee-{draft.qtype}"] + ([f"ee-scoring-{draft.scoring}"] if draft.scoring else [])
        interaction = _sub(body, "choiceInteraction", responseIdentifier="RESPONSE",
                           shuffle="true" if draft.shuffle else "false", maxChoices=max_choices,
                           class_=" ".join(classes))
        for identifier, option in zip(self._choice_ids(), draft.options):
            self._content(f"choice:{identifier}", _sub(interaction, "simpleChoice", identifier=identifier),
                          option.text)

    def _body_fill(self, body) -> None:
        nonce = secrets.token_hex(8)

        def placeholder(match: re.Match) -> str:
            return "{{" if match.group(1) is None else f"qtiblank{nonce}n{match.group(1)}x"

        stem = _sub(body, "div", class_="ee-stem")
        _append_html(stem, render_markdown(_STORED_MARKER.sub(placeholder, self.draft.stem)))
        _place_blanks(stem, re.compile(f"qtiblank{nonce}n(\\d+)x"),
                      "ee-case-sensitive" if self.draft.case_sensitive else None)
        self._record("stem", self.draft.stem, None, [stem])

    def _body_written(self, body) -> None:
        draft = self.draft
        if draft.case.strip():
            self._content("case", _sub(body, "div", class_="ee-case"), draft.case)
        self._stem(body)
        _sub(body, "extendedTextInteraction", responseIdentifier="RESPONSE", expectedLines="10",
             class_=f"ee-{draft.qtype}")
        if draft.reference.strip():
            block = _sub(body, "rubricBlock", view="scorer", class_="ee-reference")
            self._content("reference", block, draft.reference)
        if draft.rubric:
            items = _sub(_sub(body, "rubricBlock", view="scorer", class_="ee-rubric"), "ol")
            for number, entry in enumerate(draft.rubric, 1):
                self._rubric_item(_sub(items, "li"), number, entry)

    def _rubric_item(self, element, number: int, entry: RubricItem) -> None:
        points = _sub(element, "span", f"({_number(entry.points)})", class_="ee-points")
        points.tail = " "
        html = render_markdown(entry.text)
        inline = re.fullmatch(r"<p>(.*)</p>", html.strip(), re.DOTALL)
        _append_html(element, inline.group(1) if inline else html)
        self._record(f"rubric:{number}", entry.text, element.text, list(element))

    def _stem(self, body) -> None:
        stem = _sub(body, "div", class_="ee-stem")
        _append_html(stem, render_markdown(self.draft.stem))
        self._record("stem", self.draft.stem, None, [stem])

    def _content(self, name: str, container, markdown: str) -> None:
        _append_html(container, render_markdown(markdown))
        self._record(name, markdown, container.text, list(container))

    def _record(self, name: str, markdown: str, text: str | None, children: list) -> None:
        self.parts[name] = {"markdown": markdown, "xhtml": _digest(text, children)}

    # -- response processing

    def _response_processing(self, item) -> None:
        qtype, points = self.draft.qtype, self.points
        if qtype in ("short", "analysis") or points is None:
            return
        processing = _sub(item, "responseProcessing")
        if qtype == "fill":
            for number, blank in enumerate(self.draft.blanks, 1):
                self._blank_rule(processing, number, blank)
            return
        condition = _sub(processing, "responseCondition")
        when = _sub(condition, "responseIf")
        match = _sub(when, "match")
        _sub(match, "variable", identifier="RESPONSE")
        _sub(match, "correct", identifier="RESPONSE")
        _set_score(when, _base_float(points))
        if qtype == "multiple" and self.draft.scoring == "partial":
            # Half the points for a non-empty response inside the correct set.
            partly = _sub(condition, "responseElseIf")
            both = _sub(partly, "and")
            _sub(_sub(_sub(both, "not"), "isNull"), "variable", identifier="RESPONSE")
            contains = _sub(both, "contains")
            _sub(contains, "correct", identifier="RESPONSE")
            _sub(contains, "variable", identifier="RESPONSE")
            _set_score(partly, _base_float(points / 2))
        _set_score(_sub(condition, "responseElse"), _base_float(0))

    def _blank_rule(self, processing, number: int, blank: Blank) -> None:
        identifier = f"RESPONSE_{number}"
        when = _sub(_sub(processing, "responseCondition"), "responseIf")
        if blank.tolerance is not None:
            tolerance = _number(blank.tolerance)
            equal = _sub(when, "equal", toleranceMode="absolute", tolerance=f"{tolerance} {tolerance}",
                         includeLowerBound="true", includeUpperBound="true")
            _sub(equal, "variable", identifier=identifier)
            _sub(equal, "correct", identifier=identifier)
            gained = _base_float(self._blank_share())
        else:
            _sub(_sub(_sub(when, "not"), "isNull"), "variable", identifier=identifier)
            gained = etree.Element(_q("mapResponse"), identifier=identifier)
        total = etree.Element(_q("sum"))
        _sub(total, "variable", identifier="SCORE")
        total.append(gained)
        _sub(when, "setOutcomeValue", identifier="SCORE").append(total)


def _choice_id(index: int) -> str:
    return chr(ord("A") + index) if index < 26 else f"C{index + 1}"


def _base_float(value: float) -> etree._Element:
    element = etree.Element(_q("baseValue"), baseType="float")
    element.text = _number(value)
    return element


def _set_score(parent, expression) -> None:
    _sub(parent, "setOutcomeValue", identifier="SCORE").append(expression)


def _append_html(container, html: str) -> None:
    """Sanitized HTML (render_markdown's) appended to `container` as QTI XHTML elements."""
    if not html.strip():
        return
    for fragment in lxml.html.fragments_fromstring(html):
        if isinstance(fragment, str):
            _append_text(container, fragment)
        else:
            _copy_html(fragment, container)


def _append_text(container, text: str) -> None:
    text = _xml_text(text)
    if len(container):
        container[-1].tail = (container[-1].tail or "") + text
    else:
        container.text = (container.text or "") + text


def _copy_html(source, parent) -> None:
    if not isinstance(source.tag, str):  # a comment or processing instruction: bleach strips them anyway
        _append_text(parent, source.tail or "")
        return
    tag = source.tag.lower()
    attributes = {name: _xml_text(source.get(name)) for name in _QTI_ATTRIBUTES.get(tag, ())
                  if source.get(name) is not None}
    if tag not in _QTI_XHTML or (tag == "a" and "href" not in attributes):
        tag, attributes = "span", {"class": f"ee-{tag}"} if tag.isalnum() else {}
    if tag == "img":
        attributes.setdefault("alt", "")
        attributes.setdefault("src", "")
    element = etree.SubElement(parent, _q(tag), attributes)
    element.text = _xml_text(source.text) if source.text else None  # None: `<br/>`, not `<br></br>`
    for child in source:
        _copy_html(child, element)
    element.tail = _xml_text(source.tail) if source.tail else None


def _place_blanks(stem, token: re.Pattern, css_class: str | None) -> None:
    """Each blank placeholder in the stem's text becomes a textEntryInteraction where it stands.

    A placeholder that Markdown put into an attribute (a blank inside a link or an image) can't hold an
    input: it is removed there and its input added at the end, as the exam page does.
    """
    def interaction(number: str) -> etree._Element:
        element = etree.Element(_q("textEntryInteraction"), responseIdentifier=f"RESPONSE_{number}")
        if css_class:
            element.set("class", css_class)
        return element

    leftover = []
    for element in list(stem.iter()):
        for name, value in element.attrib.items():
            if token.search(value):
                leftover += token.findall(value)
                element.set(name, token.sub("", value))
        if element.text and token.search(element.text):
            pieces = token.split(element.text)
            element.text = pieces[0]
            for position, (number, after) in enumerate(zip(pieces[1::2], pieces[2::2])):
                new = interaction(number)
                new.tail = after
                element.insert(position, new)
        if element is not stem and element.tail and token.search(element.tail):
            pieces = token.split(element.tail)
            element.tail = pieces[0]
            anchor = element
            for number, after in zip(pieces[1::2], pieces[2::2]):
                new = interaction(number)
                new.tail = after
                anchor.addnext(new)
                anchor = new
    if leftover:
        paragraph = _sub(stem, "p")
        for number in leftover:
            paragraph.append(interaction(number))
            paragraph[-1].tail = " "


def _indent(root, level: int = 0) -> None:
    """Indent the structure, never inside content (XHTML and choices), where whitespace is text."""
    children = list(root)
    if not children or _local(root.tag) in _QTI_XHTML or _local(root.tag) in (
            "simpleChoice", "modalFeedback", "rubricBlock", "prompt", "value", "li"):
        return
    pad = "\n" + "  " * (level + 1)
    if not (root.text or "").strip():
        root.text = pad
    for child in children:
        _indent(child, level + 1)
        if not (child.tail or "").strip():
            child.tail = pad
    if not (children[-1].tail or "").strip():
        children[-1].tail = "\n" + "  " * level


def _xml_bytes(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"


def _assessment_test(items: list[_ItemWriter], title: str, test_id: str) -> etree._Element:
    test = etree.Element(_q("assessmentTest"), nsmap={None: QTI_NS, "xsi": XSI_NS})
    test.set(f"{{{XSI_NS}}}schemaLocation", f"{QTI_NS} {QTI_XSD}")
    for name, value in (("identifier", test_id), ("title", title or test_id), ("toolName", TOOL_NAME),
                        ("toolVersion", TOOL_VERSION)):
        test.set(name, _xml_text(value))
    _sub(test, "outcomeDeclaration", identifier="SCORE", cardinality="single", baseType="float")
    part = _sub(test, "testPart", identifier="part-1", navigationMode="nonlinear", submissionMode="simultaneous")
    section = _sub(part, "assessmentSection", identifier="section-1", title=title or test_id, visible="true")
    for item in items:
        _sub(section, "assessmentItemRef", identifier=item.identifier, href=item.path)
    total = _sub(_sub(_sub(test, "outcomeProcessing"), "setOutcomeValue", identifier="SCORE"), "sum")
    _sub(total, "testVariables", variableIdentifier="SCORE")
    _indent(test)
    return test


def _cp(tag: str) -> str:
    return f"{{{CP_NS}}}{tag}"


def _md(tag: str) -> str:
    return f"{{{MD_NS}}}{tag}"


def _manifest(items: list[_ItemWriter], key: str, title: str, test_id: str) -> etree._Element:
    manifest = etree.Element(_cp("manifest"), nsmap={None: CP_NS, "imsmd": MD_NS, "imsqti": QTI_NS, "xsi": XSI_NS})
    manifest.set("identifier", f"manifest-{ncname(key or 'bank')}")
    manifest.set(f"{{{XSI_NS}}}schemaLocation", f"{CP_NS} {CP_XSD} {MD_NS} {MD_XSD} {QTI_NS} {QTI_XSD}")
    metadata = etree.SubElement(manifest, _cp("metadata"))
    etree.SubElement(metadata, _cp("schema")).text = "QTIv2.1 Package"
    etree.SubElement(metadata, _cp("schemaversion")).text = "1.0.0"
    general = etree.SubElement(etree.SubElement(metadata, _md("lom")), _md("general"))
    if key:
        etree.SubElement(general, _md("identifier")).text = _xml_text(key)
    if title:
        _langstring(etree.SubElement(general, _md("title")), title)
    etree.SubElement(manifest, _cp("organizations"))
    resources = etree.SubElement(manifest, _cp("resources"))
    test = etree.SubElement(resources, _cp("resource"), identifier=f"test-{test_id}", type=TEST_TYPE, href=TEST_FILE)
    etree.SubElement(test, _cp("file"), href=TEST_FILE)
    for item in items:
        etree.SubElement(test, _cp("dependency"), identifierref=f"item-{item.identifier}")
    for item in items:
        resource = etree.SubElement(resources, _cp("resource"), identifier=f"item-{item.identifier}",
                                    type=ITEM_TYPE, href=item.path)
        _item_metadata(etree.SubElement(resource, _cp("metadata")), item)
        etree.SubElement(resource, _cp("file"), href=item.path)
        etree.SubElement(resource, _cp("file"), href=item.source_path)
    _indent(manifest)
    return manifest


def _langstring(parent, text: str, lang: str | None = None) -> None:
    element = etree.SubElement(parent, _md("langstring"))
    if lang:
        element.set("{http://www.w3.org/XML/1998/namespace}lang", lang)
    element.text = _xml_text(text)


def _vocabulary(parent, tag: str, source: str, value: str) -> None:
    element = etree.SubElement(parent, _md(tag))
    _langstring(etree.SubElement(element, _md("source")), source, "x-none")
    _langstring(etree.SubElement(element, _md("value")), value, "x-none")


def _item_metadata(metadata, item: _ItemWriter) -> None:
    draft = item.draft
    lom = etree.SubElement(metadata, _md("lom"))
    general = etree.SubElement(lom, _md("general"))
    if draft.key:
        etree.SubElement(general, _md("identifier")).text = _xml_text(draft.key)
    if draft.title:
        _langstring(etree.SubElement(general, _md("title")), draft.title)
    for tag in draft.tags:
        _langstring(etree.SubElement(general, _md("keyword")), tag)
    if draft.difficulty is not None and 1 <= draft.difficulty <= 5:
        _vocabulary(etree.SubElement(lom, _md("educational")), "difficulty", "LOMv1.0",
                    DIFFICULTY_WORDS[draft.difficulty - 1])
    if draft.dimension:
        classification = etree.SubElement(lom, _md("classification"))
        _vocabulary(classification, "purpose", "LOMv1.0", "Educational Objective")
        path = etree.SubElement(classification, _md("taxonpath"))
        _langstring(etree.SubElement(path, _md("source")), DIMENSION_SOURCE, "x-none")
        _langstring(etree.SubElement(etree.SubElement(path, _md("taxon")), _md("entry")), draft.dimension)
    qti = etree.SubElement(metadata, _q("qtiMetadata"))
    interaction = {"fill": "textEntryInteraction", "short": "extendedTextInteraction",
                   "analysis": "extendedTextInteraction"}.get(draft.qtype, "choiceInteraction")
    for tag, text in (("timeDependent", "false"), ("composite", "false"), ("interactionType", interaction),
                      ("feedbackType", "nonadaptive" if draft.explanation.strip() else "none"),
                      ("solutionAvailable", "true"), ("toolName", TOOL_NAME), ("toolVersion", TOOL_VERSION)):
        etree.SubElement(qti, _q(tag)).text = text


# ---------------------------------------------------------------------------- the XHTML digest (shared)

def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _digest(text: str | None, children: list) -> str:
    """What a part's XHTML says (tags, attributes, text with runs of whitespace as one space), hashed.

    The same for the elements we wrote and the ones read back, so a part that still has this digest
    still says what its Markdown says.
    """
    tokens: list = []

    def add_text(value: str | None) -> None:
        value = " ".join((value or "").split())
        if value:
            tokens.append(value)

    add_text(text)
    stack = [(child, False) for child in reversed(children)]
    while stack:
        element, closing = stack.pop()
        if closing:
            tokens.append(["/"])
            add_text(element.tail)
            continue
        if not isinstance(element.tag, str):
            add_text(element.tail)
            continue
        tokens.append([_local(element.tag), sorted((_local(k), v) for k, v in element.attrib.items())])
        add_text(element.text)
        stack.append((element, True))
        stack.extend((child, False) for child in reversed(list(element)))
    canonical = json.dumps(tokens, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


# ---------------------------------------------------------------------------------------------- reading

def read_qti(path: str, data: bytes) -> Conversion:
    """An IMS QTI 2.1 package (zip) -> drafts. Never raises: every problem is reported."""
    conversion = Conversion(path)
    try:
        _PackageReader(conversion, data).read()
    except Exception as exc:  # noqa: BLE001 -- a reader's bug must not turn an upload into a 500
        conversion.problem("", N_("internal error while converting this file (%(error)s); please report it",
                                  error=type(exc).__name__))
    return conversion


_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, NotImplementedError, RuntimeError,
               EOFError, OSError, ValueError, OverflowError)
_XML_ERRORS = (ET.ParseError, defusedxml.DefusedXmlException, ValueError, LookupError, UnicodeError)


def _strip_namespaces(root) -> None:
    """Local names only: QTI 2.0, 2.1 and 2.2 (and tools that forget a namespace) read alike."""
    for element in root.iter():
        element.tag = _local(element.tag) if isinstance(element.tag, str) else element.tag
        if any(name.startswith("{") for name in element.attrib):
            element.attrib = {_local(name): value for name, value in element.attrib.items()}


def _depth_ok(root) -> bool:
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > MAX_XML_DEPTH:
            return False
        stack.extend((child, depth + 1) for child in element)
    return True


def _classes(element) -> list[str]:
    return (element.get("class") or "").split()


def _texts(element) -> list[str]:
    """A LOM value's texts: its langstring (LOM 1.2) or string (LOM 2) children, else its own text."""
    found = [child for child in element.iter() if child.tag in ("langstring", "string")]
    values = [" ".join("".join(child.itertext()).split()) for child in found] if found else \
        [" ".join("".join(element.itertext()).split())]
    return [value for value in values if value]


def _first(element, tag: str):
    return next(element.iter(tag), None) if element is not None else None


def _float(text: str | None) -> float | None:
    try:
        value = float((text or "").strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


class _PackageReader:
    def __init__(self, conversion: Conversion, data: bytes) -> None:
        self.conversion, self.data = conversion, data
        self.archive: zipfile.ZipFile | None = None
        self.names: dict[str, zipfile.ZipInfo] = {}
        self.base = ""  # the folder of imsmanifest.xml inside the zip
        self.keys: set[str] = set()

    def read(self) -> None:
        if not self._open():
            return
        manifest_name = self._manifest_name()
        if manifest_name is None:
            self.conversion.problem("", N_("no imsmanifest.xml in the zip: this is not an IMS content package; "
                                           "export the questions as a QTI 2.1 package"))
            return
        self.base = posixpath.dirname(manifest_name)
        manifest = self._xml(manifest_name, MANIFEST)
        if manifest is None:
            return
        if manifest.tag != "manifest":
            self.conversion.problem(MANIFEST, N_("imsmanifest.xml is not an IMS manifest: its root element is "
                                                 "<%(tag)s>, not <manifest>", tag=manifest.tag))
            return
        self._read_manifest(manifest)

    def _open(self) -> bool:
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(self.data))
            infos = self.archive.infolist()
        except _ZIP_ERRORS:
            self.conversion.problem("", N_("this file is not a zip archive (or it is damaged): a QTI package is "
                                           "a .zip with imsmanifest.xml; export it again"))
            return False
        if len(infos) > MAX_ZIP_MEMBERS:
            self.conversion.problem("", N_("the zip holds %(count)s files, more than the %(limit)s a question "
                                           "package may have", count=f"{len(infos):,}", limit=f"{MAX_ZIP_MEMBERS:,}"))
            return False
        total = sum(info.file_size for info in infos)
        if total > MAX_UNCOMPRESSED:
            self.conversion.problem("", N_("the zip unpacks to %(size)s bytes, over the limit of %(limit)s MB",
                                           size=f"{total:,}", limit=MAX_UNCOMPRESSED // (1024 * 1024)))
            return False
        for info in infos:
            self.names.setdefault(info.filename.replace("\\", "/").lstrip("/"), info)
        return True

    def _manifest_name(self) -> str | None:
        candidates = [name for name in self.names if posixpath.basename(name).lower() == MANIFEST]
        return min(candidates, key=lambda name: (name.count("/"), name)) if candidates else None

    def _bytes(self, name: str, location: str) -> bytes | None:
        info, limit = self.names[name], MAX_XML_BYTES
        if info.file_size > limit:
            self.conversion.problem(location, N_("%(file)s is %(size)s bytes, over the limit of %(limit)s MB",
                                                 file=name, size=f"{info.file_size:,}", limit=limit // (1024 * 1024)))
            return None
        try:
            with self.archive.open(info) as member:
                data = member.read(limit + 1)
        except _ZIP_ERRORS:
            self.conversion.problem(location, N_("%(file)s can't be unpacked (damaged or encrypted); export the "
                                                 "package again", file=name))
            return None
        if len(data) > limit:
            self.conversion.problem(location, N_("%(file)s is over the limit of %(limit)s MB", file=name,
                                                 limit=limit // (1024 * 1024)))
            return None
        return data

    def _xml(self, name: str, location: str, *, report: bool = True):
        data = self._bytes(name, location) if report else self._quiet_bytes(name)
        if data is None:
            return None
        if not report:
            try:
                root = SafeET.fromstring(data)
            except _XML_ERRORS:
                return None
            if not _depth_ok(root):
                return None
            _strip_namespaces(root)
            return root
        try:
            root = SafeET.fromstring(data)
        except defusedxml.DefusedXmlException:
            self.conversion.problem(location, N_("%(file)s declares entities or external references, which are "
                                                 "not read for safety; export it without a DTD", file=name))
            return None
        except ET.ParseError as exc:
            line, column = exc.position
            self.conversion.problem(location, N_("%(file)s is not well-formed XML (line %(line)s, column "
                                                 "%(column)s); export the package again",
                                                 file=name, line=line, column=column))
            return None
        except _XML_ERRORS:
            self.conversion.problem(location, N_("%(file)s is not readable XML (unknown encoding or bad bytes); "
                                                 "save it as UTF-8", file=name))
            return None
        if not _depth_ok(root):
            self.conversion.problem(location, N_("%(file)s nests elements more than %(limit)s levels deep",
                                                 file=name, limit=MAX_XML_DEPTH))
            return None
        _strip_namespaces(root)
        return root

    def _quiet_bytes(self, name: str) -> bytes | None:
        info = self.names[name]
        if info.file_size > MAX_XML_BYTES:
            return None
        try:
            with self.archive.open(info) as member:
                data = member.read(MAX_XML_BYTES + 1)
        except _ZIP_ERRORS:
            return None
        return data if len(data) <= MAX_XML_BYTES else None

    def _resolve(self, base: str, href: str) -> str | None:
        """A manifest href as a name in the zip, or None."""
        for candidate in (href, unquote(href)):
            name = posixpath.normpath(posixpath.join(self.base, base, candidate.replace("\\", "/"))).lstrip("/")
            if name in self.names:
                return name
        return None

    def _read_manifest(self, manifest) -> None:
        resources = manifest.find("resources")
        entries = list(resources.iter("resource")) if resources is not None else []
        items = [entry for entry in entries if (entry.get("type") or "").lower().startswith("imsqti_item_xmlv2")]
        self._title(manifest, entries)
        base = (resources.get("base") or "") if resources is not None else ""
        later = [entry for entry in entries if (entry.get("type") or "").lower().startswith(
            ("imsqti_item_xmlv3", "imsqti_xmlv1", "imsqti_assessment_xmlv1"))]
        for entry in later:
            self.conversion.problem(entry.get("href") or MANIFEST, N_(
                "not converted: resource type %(type)s (QTI 1.2 or 3.0) is not read here; export the package "
                "as QTI 2.1", type=entry.get("type")), "skipped")
        if not items and not later:
            self.conversion.problem(MANIFEST, N_("the manifest lists no QTI 2.1 items (resources of type "
                                                 "imsqti_item_xmlv2p1); export the questions as QTI 2.1"))
        seen: set[str] = set()
        for entry in items:
            self._read_resource(entry, base, seen)

    def _title(self, manifest, entries) -> None:
        for entry in entries:
            if (entry.get("type") or "").lower().startswith("imsqti_test_xmlv2"):
                name = self._resolve("", entry.get("href") or "")
                test = self._xml(name, name, report=False) if name else None  # only its title is used
                if test is not None and (test.get("title") or "").strip():
                    self.conversion.title = one_line(test.get("title"))
                    return
        lom_title = _first(_first(manifest.find("metadata"), "general"), "title")
        if lom_title is not None and _texts(lom_title):
            self.conversion.title = _texts(lom_title)[0]

    def _read_resource(self, entry, base: str, seen: set[str]) -> None:
        href = entry.get("href") or next((file.get("href") for file in entry.iter("file") if file.get("href")), "")
        resource_base = posixpath.join(base, entry.get("base") or "")
        location = href or MANIFEST
        name = self._resolve(resource_base, href) if href else None
        if name is None:
            self.conversion.problem(location, N_("the manifest lists the item file %(file)r but the zip has no such "
                                                 "file; export the package again", file=href))
            return
        if name in seen:
            return
        seen.add(name)
        root = self._xml(name, location)
        if root is None:
            return
        if root.tag != "assessmentItem":
            self.conversion.problem(location, N_("%(file)s is not a QTI item: its root element is <%(tag)s>, not "
                                                 "<assessmentItem>", file=name, tag=root.tag))
            return
        draft = _ItemReader(self, root, name, location, entry.find("metadata")).read()
        if draft is not None:
            self.conversion.drafts.append(draft)

    def source(self, item_name: str, location: str) -> dict:
        """Our Markdown parts for the item, from its `.markdown.json` (or {} for another tool's item)."""
        name = item_name[:-4] + SOURCE_SUFFIX if item_name.lower().endswith(".xml") else None
        if name is None or name not in self.names:
            return {}
        data = self._bytes(name, location)
        try:
            parts = json.loads(data.decode("utf-8", "surrogatepass"))["parts"] if data is not None else None
        except (ValueError, UnicodeError, KeyError, TypeError):
            parts = None
        if not isinstance(parts, dict):
            self.conversion.problem(location, N_("%(file)s (the Markdown kept with the item) is damaged; the text "
                                                 "was converted from the item's HTML instead", file=name), "warning")
            return {}
        return {name: part for name, part in parts.items() if isinstance(part, dict)
                and isinstance(part.get("markdown"), str) and isinstance(part.get("xhtml"), str)}

    def image(self, item_name: str, src: str) -> str | None:
        """An image of the package that an item shows: brought along, under its path in the zip."""
        if re.match(r"^[a-z][a-z0-9+.-]*:", src, re.IGNORECASE) or not src:
            return None
        for candidate in (src, unquote(src)):
            name = posixpath.normpath(posixpath.join(posixpath.dirname(item_name), candidate)).lstrip("/")
            if name in self.names and not name.startswith(".."):
                if name not in self.conversion.files:
                    data = self._bytes(name, item_name)
                    if data is None:
                        return None
                    self.conversion.files[name] = data
                return name
        return None


@dataclass
class _Parts:
    """The reading of one item's text parts: from its kept Markdown when unchanged, else from XHTML."""
    reader: _PackageReader
    name: str
    location: str
    source: dict
    foreign: bool  # another tool's item: its images come with the package (ours are the bank's own paths)
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # images already reported

    def markdown(self, part: str, text: str | None, children: list) -> str:
        kept = self.kept(part, text, children)
        return kept if kept is not None else self.converted(text, children)

    def kept(self, part: str, text: str | None, children: list) -> str | None:
        """The part's Markdown as we exported it, if its XHTML is still what we wrote."""
        source = self.source.get(part)
        if source is not None and source["xhtml"] == _digest(text, children):
            return source["markdown"]
        if source is not None:
            self.changed.append(part)
        return None

    def converted(self, text: str | None, children: list, blanks: list | None = None) -> str:
        """XHTML -> Markdown. `blanks` collects the textEntryInteractions, which become `{{n}}` markers."""
        container = ET.Element("div")
        container.text = text
        container.extend(copy.deepcopy(child) for child in children)  # the item itself stays as read
        nonce = secrets.token_hex(8)
        for element in container.iter():
            if element.tag == "img" and element.get("src"):
                element.set("src", self._image(element.get("src")))
        for parent in list(container.iter()):
            for index, child in enumerate(list(parent)):
                if child.tag == "textEntryInteraction" and blanks is not None:
                    blanks.append(child)
                    word = ET.Element("span")
                    word.text, word.tail = f"qtiblank{nonce}n{len(blanks)}x", child.tail
                    parent.remove(child)
                    parent.insert(index, word)
        html = ET.tostring(container, encoding="unicode", method="html")
        markdown = markdownify(html, heading_style="ATX", bullets="-", code_language_callback=_code_language)
        markdown = re.sub(r"\n{3,}", "\n\n", markdown).strip().replace("{{", "\\{{")
        return re.sub(f"qtiblank{nonce}n(\\d+)x", r"{{\1}}", markdown)


    def _image(self, src: str) -> str:
        """The image's path in the package, brought along; a relative path the package lacks is reported."""
        found = self.reader.image(self.name, src)
        if found is None and self.foreign and not re.match(r"^[a-z][a-z0-9+.-]*:", src, re.IGNORECASE) and src not in self.missing:
            self.missing.append(src)
            self.reader.conversion.problem(self.location, N_(
                "the image %(src)r is not in the package; the question shows it only if the bank's folder has "
                "it at that path", src=src), "warning")
        return found or src


def _response_number(identifier: str | None) -> int:
    match = re.fullmatch(r"RESPONSE_(\d+)", identifier or "")
    return int(match.group(1)) if match else 0


def _code_language(pre) -> str:
    """markdownify's callback: the language of `<pre><code class="language-x">` (a BeautifulSoup tag)."""
    code = pre.find("code") or pre
    classes = code.get("class") or []
    classes = classes.split() if isinstance(classes, str) else classes
    return next((name[len("language-"):] for name in classes if name.startswith("language-")), "")


class _ItemReader:
    def __init__(self, package: _PackageReader, root, name: str, location: str, metadata) -> None:
        self.package, self.root, self.name, self.location = package, root, name, location
        self.ours = root.get("toolName") == TOOL_NAME
        self.metadata = metadata
        self.parts = _Parts(package, name, location, package.source(name, location) if self.ours else {},
                            foreign=not self.ours)
        self.body = root.find("itemBody")
        self.declarations = {element.get("identifier"): element for element in root.iter("responseDeclaration")}

    def problem(self, message: str, kind: str = "error") -> None:
        self.package.conversion.problem(self.location, message, kind)

    def read(self) -> QuestionDraft | None:
        if self.root.find("templateDeclaration") is not None:
            self.problem(N_("not converted: a template item (templateDeclaration) makes a new question per "
                            "attempt; export its instances instead"), "skipped")
            return None
        if self.body is None:
            self.problem(N_("the item has no itemBody, so no question text; export the item again"))
            return None
        kinds = self._interactions()
        if kinds is None:
            return None
        draft = self._draft(kinds)
        if draft is None:
            return None
        self._metadata(draft)
        if not draft.stem.strip() and not draft.title.strip():
            self.problem(N_("the item has no question text and no title; write the question in its itemBody"))
            return None
        if draft.qtype in ("short", "analysis") and draft.points is None and not draft.rubric:
            self.problem(N_("the essay item gives no maximum score (MAXSCORE, or normalMaximum of SCORE), which "
                            "our [short] questions need: set its points and export again"))
            return None
        draft.explanation = self._explanation()
        draft.location = self.location
        if self.parts.changed:
            self.problem(N_("the item's text was changed after it was exported (%(parts)s): those parts were "
                            "converted from its HTML, check their formatting", parts=", ".join(self.parts.changed)),
                         "warning")
        return draft

    def _interactions(self) -> str | None:
        found = [element.tag for element in self.body.iter()
                 if element.tag.endswith("Interaction") or element.tag == "positionObjectStage"]
        unknown = sorted({tag for tag in found if tag not in SUPPORTED_INTERACTIONS})
        if unknown:
            self.problem(Np_("not converted: %(interaction)s has no equivalent here",
                             "not converted: %(interaction)s have no equivalent here", len(unknown),
                             interaction=" and ".join(unknown)), "skipped")
            return None
        kinds = sorted(set(found))
        if not kinds:
            self.problem(N_("not converted: the item has no interaction (nothing to answer)"), "skipped")
            return None
        if len(kinds) > 1:
            self.problem(N_("not converted: the item combines %(interactions)s; a question here has one kind of "
                            "answer", interactions=" and ".join(kinds)), "skipped")
            return None
        if kinds[0] != "textEntryInteraction" and len(found) > 1:
            self.problem(N_("not converted: the item has %(count)s %(interaction)s elements; a question here "
                            "has one", count=len(found), interaction=kinds[0]), "skipped")
            return None
        return kinds[0]

    def _draft(self, kind: str) -> QuestionDraft | None:
        if kind == "choiceInteraction":
            return self._choice(next(self.body.iter("choiceInteraction")))
        if kind == "textEntryInteraction":
            return self._fill()
        return self._written(next(self.body.iter("extendedTextInteraction")))

    # -- the stem: the itemBody without the interaction, the case, scorer and feedback material

    def _stem_parts(self, replace: str | None = None):
        """(text, children) of the question text; a block interaction gives way to its prompt."""
        children = []
        for child in self.body:
            if child.tag == "rubricBlock" and "candidate" in (child.get("view") or "").split():
                block = ET.Element("div")
                block.text = child.text
                block.extend(list(child))
                children.append(block)
                continue
            if child.tag in _NOT_STEM or "ee-case" in _classes(child):
                continue
            if child.tag == replace:
                prompt = child.find("prompt")
                if prompt is not None:
                    paragraph = ET.Element("p")
                    paragraph.text = prompt.text
                    paragraph.extend(list(prompt))
                    children.append(paragraph)
                continue
            children.append(child)
        return self.body.text, children

    def _stem(self, replace: str) -> str:
        text, children = self._stem_parts(replace)
        return self.parts.markdown("stem", text, children)

    # -- choice

    def _choice(self, interaction) -> QuestionDraft | None:
        declaration = self._declaration(interaction)
        if declaration is None:
            return None
        choices = [choice for choice in interaction.iter("simpleChoice")]
        identifiers = [choice.get("identifier") or "" for choice in choices]
        correct = self._correct_values(declaration)
        if not correct:
            self.problem(N_("the choice item has no correct answer (no correctResponse, no positive mapping); "
                            "mark the right choice and export again"))
            return None
        unknown = [value for value in correct if value not in identifiers]
        if unknown:
            self.problem(N_("the correct answer %(value)r is not one of the item's choices", value=unknown[0]))
            return None
        multiple = declaration.get("cardinality") in ("multiple", "ordered") or (
            interaction.get("maxChoices") not in (None, "1") and len(correct) > 1)
        stem = self._stem("choiceInteraction")
        if not multiple and self._is_truefalse(interaction, choices):
            truth = dict(zip(identifiers, (self._truth(choice) for choice in choices)))
            return QuestionDraft("truefalse", stem, answer=truth[correct[0]])
        options = []
        for identifier, choice in zip(identifiers, choices):
            text = self.parts.markdown(f"choice:{identifier}", choice.text, list(choice))
            if not text.strip():
                self.problem(N_("choice %(choice)r has no text; our options need one", choice=identifier))
                return None
            options.append(Option(text, identifier in correct))
        draft = QuestionDraft("multiple" if multiple else "single", stem, options=options,
                              shuffle=interaction.get("shuffle") == "true")
        classes = _classes(interaction)
        if multiple and self.ours:
            draft.scoring = next((name[len("ee-scoring-"):] for name in classes if name in (
                "ee-scoring-partial", "ee-scoring-all-or-nothing")), None)
        return draft

    def _is_truefalse(self, interaction, choices) -> bool:
        if self.ours:
            return "ee-truefalse" in _classes(interaction)
        truths = [self._truth(choice) for choice in choices]
        return len(choices) == 2 and None not in truths and truths[0] != truths[1]

    @staticmethod
    def _truth(choice) -> bool | None:
        identifier = (choice.get("identifier") or "").casefold()
        if identifier in ("true", "false"):
            return identifier == "true"
        return TRUEFALSE_WORDS.get(" ".join("".join(choice.itertext()).split()).casefold().rstrip("。."))

    def _declaration(self, interaction):
        identifier = interaction.get("responseIdentifier")
        declaration = self.declarations.get(identifier)
        if declaration is None:
            self.problem(N_("the interaction's response %(response)r has no responseDeclaration; export the item "
                            "again", response=identifier))
        return declaration

    @staticmethod
    def _correct_values(declaration) -> list[str]:
        values = [(value.text or "").strip() for value in declaration.iterfind("correctResponse/value")]
        if not values:
            values = [(entry.get("mapKey") or "").strip() for entry in declaration.iterfind("mapping/mapEntry")
                      if (_float(entry.get("mappedValue")) or 0) > 0]
        return [value for value in values if value]

    # -- fill

    def _fill(self) -> QuestionDraft | None:
        text, children = self._stem_parts()
        kept = self.parts.kept("stem", text, children)
        elements: list = []
        stem = self.parts.converted(text, children, elements)  # numbers the blanks in the order they stand
        if kept is not None:
            # Our stem numbers them by response (a blank in a link was moved to the end in the XHTML).
            stem = kept
            elements.sort(key=lambda element: _response_number(element.get("responseIdentifier")))
        blanks, case_sensitive = [], []
        for number, element in enumerate(elements, 1):
            blank = self._blank(number, element, case_sensitive)
            if blank is None:
                return None
            blanks.append(blank)
        if not blanks:
            self.problem(N_("the text entry sits outside the question text (in feedback or a rubric); move it "
                            "into the itemBody"))
            return None
        if self.ours:
            case_sensitive = ["ee-case-sensitive" in _classes(element) for element in elements]
        return QuestionDraft("fill", stem, blanks=blanks, case_sensitive=any(case_sensitive))

    def _blank(self, number: int, element, case_sensitive: list) -> Blank | None:
        declaration = self._declaration(element)
        if declaration is None:
            return None
        base_type = declaration.get("baseType") or "string"
        if base_type in ("float", "integer"):
            values = self._correct_values(declaration)
            answer = values[0] if values else ""
            if _float(answer) is None or not _NUMBER.fullmatch(answer):
                self.problem(N_("blank %(number)d has no numeric correct answer (found %(value)r)",
                                number=number, value=answer))
                return None
            blank = Blank([answer], self._tolerance(number, declaration.get("identifier"), _float(answer)))
        elif base_type == "string":
            entries = [entry for entry in declaration.iterfind("mapping/mapEntry")
                       if (_float(entry.get("mappedValue")) or 0) > 0 and (entry.get("mapKey") or "").strip()]
            answers = [entry.get("mapKey").strip() for entry in entries] or self._correct_values(declaration)
            # Without a mapping QTI compares strings exactly, so case matters there.
            case_sensitive.append(any(entry.get("caseSensitive") in ("true", "1") for entry in entries)
                                  if entries else not self.ours)
            blank = Blank(answers if self.ours else list(dict.fromkeys(answers)))
        else:
            self.problem(N_("blank %(number)d expects a %(type)s; only text and numbers are converted",
                            number=number, type=base_type))
            return None
        problem = blank_problem(blank)
        if problem:
            self.problem(N_("blank %(number)d: %(problem)s", number=number, problem=problem))
            return None
        return blank

    def _tolerance(self, number: int, identifier: str, answer: float) -> float | None:
        """The tolerance of an `equal` rule that compares this response, if any."""
        processing = self.root.find("responseProcessing")
        for equal in processing.iter("equal") if processing is not None else ():
            if not any(variable.get("identifier") == identifier for variable in equal.iter("variable")):
                continue
            mode = equal.get("toleranceMode") or "exact"
            values = [_float(part) for part in (equal.get("tolerance") or "").split()]
            values = [value for value in values if value is not None and value >= 0]
            if mode == "exact" or not values:
                return None
            tolerance = max(values)
            if mode == "relative":
                tolerance = abs(answer) * tolerance / 100
            if len(set(values)) > 1:
                self.problem(N_("blank %(number)d's tolerance differs below and above (%(tolerance)s); the larger "
                                "is used on both sides", number=number, tolerance=equal.get("tolerance")), "warning")
            return tolerance
        return None

    # -- short and analysis

    def _written(self, interaction) -> QuestionDraft | None:
        classes = _classes(interaction)
        qtype = "analysis" if self.ours and "ee-analysis" in classes else "short"
        draft = QuestionDraft(qtype, self._stem("extendedTextInteraction"))
        references = []
        for child in self.body:
            if "ee-case" in _classes(child):
                draft.case = self.parts.markdown("case", child.text, list(child))
            elif child.tag == "rubricBlock" and "ee-rubric" in _classes(child):
                draft.rubric = self._rubric(child)
                if draft.rubric is None:
                    return None
            elif child.tag == "rubricBlock" and "scorer" in (child.get("view") or "").split():
                part = "reference" if "ee-reference" in _classes(child) else f"scorer:{len(references)}"
                references.append(self.parts.markdown(part, child.text, list(child)))
        if not references:
            declaration = self.declarations.get(interaction.get("responseIdentifier"))
            references = self._correct_values(declaration) if declaration is not None else []
        draft.reference = "\n\n".join(reference for reference in references if reference.strip())
        if not draft.reference:
            self.problem(N_("the essay item has no reference answer, which our [short] questions need: add a "
                            "model answer (rubricBlock view=\"scorer\") and export again"))
            return None
        return draft

    def _rubric(self, block) -> list[RubricItem] | None:
        items = []
        for number, entry in enumerate(block.iter("li"), 1):
            points_element = next((child for child in entry if "ee-points" in _classes(child)), None)
            points = _float((points_element.text or "").strip("() ")) if points_element is not None else None
            if points is None or points <= 0:
                self.problem(N_("rubric line %(number)d has no points; export the item again", number=number))
                return None
            text = self.parts.kept(f"rubric:{number}", entry.text, list(entry))
            if text is None:
                text = self.parts.converted(points_element.tail, [child for child in entry if child is not points_element])
            items.append(RubricItem(points, one_line(text)))
        return items

    # -- everything around the answer

    def _explanation(self) -> str:
        feedback = list(self.root.iter("modalFeedback"))
        texts = [self.parts.markdown("explanation" if index == 0 else f"feedback:{index}", element.text, list(element))
                 for index, element in enumerate(feedback)]
        if len(feedback) > 1:
            self.problem(N_("the item's %(count)d feedback texts were joined into one explanation, shown to "
                            "everyone after the exam", count=len(feedback)), "warning")
        return "\n\n".join(text for text in texts if text.strip())

    def _metadata(self, draft: QuestionDraft) -> None:
        draft.points = self._points()
        lom = _first(self.metadata, "lom")
        general = _first(lom, "general")
        identifier = _first(general, "identifier")
        key = None
        if self.ours:
            key = " ".join("".join(identifier.itertext()).split()) if identifier is not None else None
            title_element = _first(general, "title")
            draft.title = _texts(title_element)[0] if title_element is not None and _texts(title_element) else ""
        else:
            key = self.root.get("identifier")
            draft.title = one_line(self.root.get("title") or "")
        if key and _KEY.fullmatch(key) and key not in self.package.keys:
            self.package.keys.add(key)
            draft.key = key
        elif key and not self.ours and key in self.package.keys:
            self.problem(N_("the item identifier %(key)r is used twice in the package; this question gets no id",
                            key=key), "warning")
        draft.tags = list(dict.fromkeys(text for keyword in (general.iter("keyword") if general is not None else ())
                                        for text in _texts(keyword)))
        difficulty = _first(_first(lom, "educational"), "difficulty")
        value = _first(difficulty, "value")
        words = [text.casefold() for text in _texts(value)] if value is not None else []
        draft.difficulty = next((DIFFICULTY_WORDS.index(word) + 1 for word in words if word in DIFFICULTY_WORDS), None)
        draft.dimension = self._dimension(lom)

    @staticmethod
    def _dimension(lom) -> str:
        for path in lom.iter("taxonpath") if lom is not None else ():
            source = path.find("source")
            if source is not None and DIMENSION_SOURCE in _texts(source):
                entry = _first(path, "entry")
                return _texts(entry)[0] if entry is not None and _texts(entry) else ""
        return ""

    def _points(self) -> float | None:
        outcomes = {element.get("identifier"): element for element in self.root.iter("outcomeDeclaration")}
        points = None
        if "MAXSCORE" in outcomes:
            points = _float(_first(outcomes["MAXSCORE"], "value").text if _first(outcomes["MAXSCORE"], "value")
                            is not None else None)
        if points is None and "SCORE" in outcomes:
            points = _float(outcomes["SCORE"].get("normalMaximum"))
        if points is not None and not 0 < points <= 1000:
            self.problem(N_("the item is worth %(points)s points, outside 0 to 1000; the type's default is used",
                            points=_number(points)), "warning")
            return None
        return points
