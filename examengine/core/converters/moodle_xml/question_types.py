"""Each Moodle question type as our question: multichoice, truefalse, shortanswer, numerical, essay and
cloze (multianswer), and the reasons the other types are skipped (see the package docstring)."""
from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET  # noqa: N817 -- element types; uploads are parsed with defusedxml

from examengine.core.banks.values import unique
from examengine.core.converters.drafts import Blank, Option, QuestionDraft, RubricItem
from examengine.core.converters.markdown import blank_problem, one_line
from examengine.core.converters.moodle_xml.common import (
    RUBRIC_HEADING,
    Refused,
    Source,
    child_text,
    moodle_bool,
    text_of,
)
from examengine.core.converters.moodle_xml.content import (
    TOKEN_CLOSE,
    TOKEN_OPEN,
    UNDERSCORES,
    TextReader,
    fill_markdown,
    split_section,
    strip_tokens,
)
from examengine.core.messages import N_
from examengine.core.qtypes.written import RUBRIC_ITEM
from examengine.core.text import parse_number

# Moodle types we can't express, with the reason the admin reads.
SKIPPED = {
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
SKIPPED["match"] = SKIPPED["matching"]
SKIPPED["calculatedsimple"] = SKIPPED["calculatedmulti"] = SKIPPED["calculated"]

_SPACE_RUNS = re.compile(r"[ \t]+")
# A number as Moodle writes one (a decimal comma is allowed).
_MOODLE_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")
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


class QuestionReader(TextReader):
    """The conversion of each type's own elements; the common fields are read by the reader."""

    def _points(self, source: Source, default: float | None = None) -> float | None:
        grade = source.elem.find("defaultgrade")
        if grade is None:
            return default
        value = parse_number(text_of(grade))
        if value is None or value < 0 or value > 1000:
            self._warn(source, N_("the default mark %(value)r is not a number from 0 to 1000; the question gets "
                                  "the default points of its type", value=text_of(grade).strip()[:50]))
            return default
        if value == 0:
            self._warn(source, N_("the default mark is 0; the question gets the default points of its type"))
            return default
        return value

    # -- types

    def _answers(self, source: Source) -> list[tuple[float, ET.Element]]:
        """(fraction in %, <answer>) per answer; fractions that are not numbers count as 0."""
        answers = []
        for answer in source.elem.findall("answer"):
            fraction = parse_number(answer.get("fraction") or "0")
            if child_text(answer, "feedback/text").strip():
                source.feedback_dropped = True
            answers.append((fraction if fraction is not None else 0.0, answer))
        return answers

    def _multichoice(self, source: Source) -> QuestionDraft:
        single = moodle_bool(child_text(source.elem, "single", "true"))
        shuffle = moodle_bool(child_text(source.elem, "shuffleanswers", "false"))  # Moodle's default when missing
        options, fractions = [], []
        for fraction, answer in self._answers(source):
            text = self._markdown(source, answer)
            if text.strip():  # Moodle ignores empty answers
                options.append(text)
                fractions.append(fraction)
        if len(options) < 2:
            raise Refused(N_("not converted: a choice question needs at least two answers, found %(count)d",
                              count=len(options)))
        duplicates = [text for index, text in enumerate(options) if text in options[:index]]
        if duplicates:
            raise Refused(N_("not converted: the answer %(text)r is given twice; make the answers differ",
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
            raise Refused(N_("not converted: a one-answer choice question needs exactly one answer worth 100%%, "
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
            raise Refused(N_("not converted: no answer is worth more than 0%, so no option is right"))
        unequal = max(right) - min(right) >= 0.01 or abs(sum(right) - 100) >= 0.1
        if unequal and not source.scoring_tagged:  # our export's shares only approximate 100 / n
            self._warn(source, N_("Moodle's weights of the right answers (%(weights)s) became our partial scoring: "
                                  "each right option counts the same",
                                  weights=", ".join(f"{fraction:g}%" for fraction in right)))
        draft.options = [Option(text, fraction > 0) for text, fraction in zip(options, fractions)]
        draft.scoring = source.scoring

    def _truefalse(self, source: Source) -> QuestionDraft:
        answer = None
        for index, (fraction, elem) in enumerate(self._answers(source)):
            text = child_text(elem, "text").strip().lower()
            says_true = text == "true" if text in ("true", "false") else index == 0  # old files: true first
            if fraction >= 99.99:
                answer = says_true
        if answer is None:
            raise Refused(N_("not converted: neither answer (true, false) is worth 100%"))
        return QuestionDraft("truefalse", self._markdown(source, source.elem.find("questiontext")), answer=answer)

    def _shortanswer(self, source: Source) -> QuestionDraft:
        alternatives = []
        for fraction, elem in self._answers(source):
            text = child_text(elem, "text").strip()
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
            raise Refused(N_("not converted: no answer worth 100% that a blank can take"))
        draft = self._one_blank(source, Blank(unique(alternatives)))
        draft.case_sensitive = child_text(source.elem, "usecase").strip() == "1" or source.case_sensitive_tag
        return draft

    def _numerical(self, source: Source) -> QuestionDraft:
        full = []
        for fraction, elem in self._answers(source):
            text = child_text(elem, "text").strip()
            if fraction < 99.99:
                if fraction > 0:
                    self._warn(source, N_("the answer %(answer)r worth %(fraction)s%% was dropped: a blank accepts "
                                          "only fully right answers", answer=text[:100], fraction=f"{fraction:g}"))
                continue
            full.append((text, child_text(elem, "tolerance").strip() or "0"))
        full = [(answer, tolerance) for answer, tolerance in full if answer != "*"] or full
        if not full or full[0][0] == "*":
            raise Refused(N_("not converted: no number worth 100% (`*` accepts any answer, which a blank can't)"))
        if len(full) > 1:
            self._warn(source, N_("only the first answer worth 100%% (%(answer)s) was kept: a number blank has one "
                                  "answer", answer=full[0][0][:100]))
        answer, tolerance_text = full[0]
        number, tolerance = _our_number(answer), parse_number(tolerance_text)
        if number is None or tolerance is None:
            raise Refused(N_("not converted: the answer %(answer)r ± %(tolerance)r is not a number",
                              answer=answer[:100], tolerance=tolerance_text[:100]))
        draft = self._one_blank(source, Blank([number], abs(tolerance) or None), unit=self._unit(source))
        draft.case_sensitive = source.case_sensitive_tag
        return draft

    def _unit(self, source: Source) -> str:
        """The unit with multiplier 1, written after the blank; other units are warned about."""
        unit, dropped = "", []
        for elem in source.elem.findall("units/unit"):
            name = one_line(child_text(elem, "unit_name"))
            multiplier = parse_number(child_text(elem, "multiplier") or "1")
            if name and multiplier == 1 and not unit:
                unit = name
            elif name:
                dropped.append(name)
        if dropped:
            self._warn(source, N_("the units %(units)s were dropped: a number blank takes its number in one unit "
                                  "(%(unit)s)", units=", ".join(dropped)[:200], unit=unit or "-"))
        return unit

    def _one_blank(self, source: Source, blank: Blank, unit: str = "") -> QuestionDraft:
        """A one-blank fill question: the blank at the first `____` of the text, else at its end."""
        raw, fmt = self._raw(source, source.elem.find("questiontext"))
        raw, placed = UNDERSCORES.subn(f"{TOKEN_OPEN}1{TOKEN_CLOSE}", strip_tokens(raw), count=1)
        stem = fill_markdown(raw, fmt)
        if not placed:
            stem = f"{stem}\n\n{{{{1}}}}".strip()
        if unit:
            marker = stem.find("{{1}}") + len("{{1}}")
            if not stem[marker:].lstrip().startswith(unit):
                stem = f"{stem[:marker]} {unit}{stem[marker:]}"
        problem = blank_problem(blank)
        if problem:
            raise Refused(N_("not converted: %(reason)s", reason=problem))
        return QuestionDraft("fill", stem, blanks=[blank])

    def _essay(self, source: Source) -> QuestionDraft:
        reference = self._markdown(source, source.elem.find("graderinfo"))
        if not reference.strip():
            raise Refused(N_("not converted: an essay without grader information: our short questions need a "
                              "reference answer; write one in the essay's \"Information for graders\""))
        stem, case = split_section(self._markdown(source, source.elem.find("questiontext")), "case")
        reference, rubric_text = split_section(reference, "rubric")
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

    def _cloze(self, source: Source) -> QuestionDraft:
        raw, fmt = self._raw(source, source.elem.find("questiontext"))
        raw, subquestions = _extract_cloze(strip_tokens(raw))
        if not subquestions:
            raise Refused(N_("not converted: the cloze question has no embedded answers like {1:SHORTANSWER:=...}"))
        blanks, kinds, weights = [], [], []
        for index, (weight, kind, body) in enumerate(subquestions, 1):
            if kind not in _CLOZE_TYPES:
                raise Refused(N_("not converted: blank %(number)d of the cloze question is %(type)s, which our fill "
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
        draft = QuestionDraft("fill", fill_markdown(raw, fmt), blanks=blanks,
                              case_sensitive="case" in kinds or source.case_sensitive_tag)
        total = float(sum(weights))
        draft.points = self._points(source, default=total if 0 < total <= 1000 else None)
        return draft

    def _cloze_blank(self, source: Source, index: int, kind: str, body: str) -> Blank:
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
            raise Refused(N_("not converted: blank %(number)d: %(reason)s", number=index, reason=problem))
        return blank

    def _cloze_number(self, source: Source, index: int, answers: list[str]) -> Blank:
        answers = [answer for answer in answers if answer != "*"]
        if not answers:
            raise Refused(N_("not converted: blank %(number)d has no number worth 100%%", number=index))
        if len(answers) > 1:
            self._warn(source, N_("only the first answer worth 100%% (%(answer)s) was kept: a number blank has one "
                                  "answer", answer=answers[0][:100]))
        match = _CLOZE_NUMBER.fullmatch(answers[0])
        number = _our_number(match.group(1)) if match else None
        tolerance = parse_number(match.group(2).replace(",", ".")) if match and match.group(2) else None
        if number is None or (match.group(2) and tolerance is None):
            raise Refused(N_("not converted: blank %(number)d's answer %(answer)r is not a number (write it as "
                              "=3.14:0.01)", number=index, answer=answers[0][:100]))
        return Blank([number], abs(tolerance) if tolerance is not None else None)


def _our_number(text: str) -> str | None:
    """A Moodle number as our blanks write it (decimal point), or None."""
    text = text.strip()
    if not _MOODLE_NUMBER.fullmatch(text):
        return None
    text = text.replace(",", ".")
    return text if parse_number(text) is not None else None


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
        out.append(f"{raw[position:match.start()]}{TOKEN_OPEN}{len(subquestions)}{TOKEN_CLOSE}")
        position = end.end()
    out.append(raw[position:])
    return "".join(out), subquestions
