"""One question as a QTI 2.1 assessmentItem: declarations, the itemBody per type, response processing
(rules, not the match_correct template), feedback, and the Markdown of each part kept for our reader."""
from __future__ import annotations

import re
import secrets

from lxml import etree

from examengine.core.converters.drafts import Blank, QuestionDraft, RubricItem
from examengine.core.converters.markdown import one_line
from examengine.core.converters.qti.common import (
    QTI_NS,
    QTI_XSD,
    SOURCE_FORMAT,
    SOURCE_SUFFIX,
    TOOL_NAME,
    TOOL_VERSION,
    XSI_NS,
    _number,
    _q,
    _sub,
    _xml_text,
)
from examengine.core.converters.qti.xhtml import _append_html, _digest, _indent, _place_blanks
from examengine.core.markup import render_markdown

_STORED_MARKER = re.compile(r"\\\{\{|\{\{(\d+)\}\}")


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
