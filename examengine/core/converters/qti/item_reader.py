"""One assessmentItem (ours or another tool's) -> a draft: which interaction it has, the choice, text entry
and extended text readings, the stem around the interaction, feedback, points and the LOM metadata."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from examengine.core.converters.drafts import Blank, Option, QuestionDraft, RubricItem
from examengine.core.converters.markdown import blank_problem, one_line
from examengine.core.converters.qti.common import (
    DIFFICULTY_WORDS,
    DIMENSION_SOURCE,
    TOOL_NAME,
    PackageAccess,
    _classes,
    _first,
    _float,
    _number,
    _texts,
)
from examengine.core.converters.qti.xhtml import _Parts
from examengine.core.messages import N_, Np_
from examengine.core.qtypes.choice import TRUEFALSE_WORDS

SUPPORTED_INTERACTIONS = {"choiceInteraction", "textEntryInteraction", "extendedTextInteraction"}
# Kept out of the question text of another tool's item: feedback and scorer material have their own places.
_NOT_STEM = {"rubricBlock", "feedbackBlock", "feedbackInline", "templateBlock", "templateInline"}
_KEY = re.compile(r"[\w.-]{1,100}")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _response_number(identifier: str | None) -> int:
    match = re.fullmatch(r"RESPONSE_(\d+)", identifier or "")
    return int(match.group(1)) if match else 0


class _ItemReader:
    def __init__(self, package: PackageAccess, root, name: str, location: str, metadata) -> None:
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
