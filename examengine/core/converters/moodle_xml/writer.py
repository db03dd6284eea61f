"""Writing our questions as a Moodle XML file (see the package docstring for how each field travels)."""
from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET  # noqa: N817 -- writing only; uploads are parsed with defusedxml

from examengine.core.banks.values import unique
from examengine.core.converters.drafts import QuestionDraft
from examengine.core.converters.markdown import one_line
from examengine.core.converters.moodle_xml.common import (
    BANK_INFO,
    CASE_HEADING,
    NAME_CHARS,
    RUBRIC_HEADING,
    TAG_ANALYSIS,
    TAG_CASE_SENSITIVE,
    TAG_DIFFICULTY,
    TAG_DIMENSION,
    TAG_SCORING,
    TAG_UNTITLED,
)
from examengine.core.converters.moodle_xml.content import (
    TOKEN_CLOSE,
    TOKEN_OPEN,
    UNDERSCORES,
    fill_markdown,
    strip_tokens,
)

WRITTEN_BLANK = "____"
WRITTEN_BLANK_LINE = "\\_\\_\\_\\_"  # alone on a line, `____` would be a horizontal rule
_XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_STORED_MARKER = re.compile(r"(?<!\\)\{\{(\d+)\}\}")
# A number as our blanks take it.
_WRITABLE_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


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
    """(Moodle type, question text, body writer) of a fill question: see the package docstring."""
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
    raw, placed = UNDERSCORES.subn(f"{TOKEN_OPEN}1{TOKEN_CLOSE}", strip_tokens(written), count=1)
    return written if placed and fill_markdown(raw, "markdown") == stem else None


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
