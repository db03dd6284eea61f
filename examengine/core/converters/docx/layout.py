"""Recognising the parts of a question paper in its lines: section headings (一、单选题（每题2分）), question
numbers, options, labelled lines (答案：, 解析：, 评分标准：, metadata), rubric items, answer letters and
true/false words; and the collected question these parts fill. Works on Lines only, not on Word (no
python-docx here), so that a plain-text reader can reuse it."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from examengine.core.converters.docx.lines import Line
from examengine.core.converters.drafts import Conversion
from examengine.core.messages import N_
from examengine.core.text import parse_number

# Word list number formats (the last item of `Line.numbering`): lettered lists are options, bullets are not numbers.
_LETTER_FORMATS = frozenset({"upperLetter", "lowerLetter"})
_UNNUMBERED_FORMATS = frozenset({"bullet", "none"})
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
LINE_POINTS_END = re.compile(rf"\s*[（(]\s*({_NUMBER})\s*(?:分|points?)\s*[)）](?=\s*(?:[（(][ \t\u3000]*[)）])?"
                              r"[\s。.．]*$)", re.I)
LINE_POINTS_START = re.compile(rf"\s*[（(]\s*({_NUMBER})\s*(?:分|points?)\s*[)）]\s*", re.I)
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
META_KINDS = ("points", "difficulty", "tags", "dimension", "type")
_RUBRIC_ITEM = (
    re.compile(rf"\s*(?:[-*•·]\s*)?[（(]\s*({_NUMBER})\s*(?:(?:分|points?|pts?)\s*)?[)）]\s*", re.I),
    re.compile(rf"\s*(?:[-*•·]\s*)?({_NUMBER})\s*(?:分|points?)\s*[:：、.．]?\s*", re.I),
)
_RUBRIC_TRAILING = re.compile(rf"\s*[（(]\s*({_NUMBER})\s*(?:分|points?)\s*[)）]\s*$", re.I)
BLANK = re.compile(r"[_＿]{3,}|（[ \t\u3000]*）|\([ \t\u3000]+\)")
PLACEHOLDER_END = re.compile(r"\s*[（(][ \t\u3000]*[)）][\s。.．]*$")
INLINE_ANSWER_END = re.compile(r"\s*[（(][ \t\u3000]*([A-Ha-hＡ-Ｈａ-ｈ]{1,8}|[√×✓✗✔✘]|对|错)[ \t\u3000]*[)）][\s。.．]*$")
_ANSWER_SEPARATORS = re.compile(r"[\s,，、;；/]+")
_TRUE_WORDS = frozenset({"对", "正确", "√", "✓", "✔", "是", "t", "true", "yes", "right"})
_FALSE_WORDS = frozenset({"错", "错误", "×", "✗", "✘", "x", "否", "f", "false", "no", "wrong"})
POINTS_VALUE = re.compile(rf"\s*({_NUMBER})\s*(?:(?:分|points?|pts?)\s*)?", re.I)
# Patterns searched for at the end of a line only look at its last characters: a search for `\s*（…）$`
# over a line of many spaces would otherwise take quadratic time.
END_WINDOW = 200


@dataclass
class Section:
    qtype: str | None  # None: inferred per question; "choice": single or multiple by the answer
    points: float | None = None


@dataclass
class Start:
    family: tuple  # numbering style: ("plain",) for 1. 1、 1) ; ("paren",) for （1）; ("auto", numId, level)
    n: int | None  # the typed number (None for Word's numbering)
    text: Line  # the question's first line without its number


@dataclass
class Option:
    letter: str
    lines: list[Line]


@dataclass
class Question:
    start: Start
    line: Line
    section: Section
    stem: list[Line] = field(default_factory=list)
    points: tuple[str, Line] | None = None  # from the question line
    options: list[Option] = field(default_factory=list)
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


def heading(line: Line) -> Section | None:
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
    return Section(qtype, number_of(value) if value else None)


def _type_of_match(match: re.Match) -> str:
    index = next(int(name[1:]) for name, value in match.groupdict().items() if value)
    return _TYPE_WORDS[index][1]


def _type_word(text: str) -> str | None:
    match = _TYPE_NAME.fullmatch(text.strip())
    return _type_of_match(match) if match else None


def start_of(line: Line) -> Start | None:
    """The question a line starts (by its typed number or Word's list numbering), or None."""
    if line.table is not None or line.blank:
        return None
    if line.numbering and line.numbering[2] not in _LETTER_FORMATS | _UNNUMBERED_FORMATS:
        return Start(("auto", line.numbering[0], line.numbering[1]), None, line)
    match = _QUESTION_NUMBER.match(line.plain)
    if not match:
        return None
    family = "paren" if match.group("paren") else "ti" if match.group("ti") else "plain"
    digits = match.group("paren") or match.group("ti") or match.group("plain")
    return Start((family,), int(unicodedata.normalize("NFKC", digits)), line.sub(match.end()))


def label_of(line: Line) -> tuple[str, Line] | None:
    """(kind, the rest of the line) for a labelled line such as `答案：B` or `【解析】…`."""
    if line.table is not None:
        return None
    match = _LABEL.match(line.plain)
    if not match:
        return None
    kind = _LABEL_KIND.get((match.group("a") or match.group("b") or match.group("c")).casefold())
    return (kind, line.sub(match.end())) if kind else None


def option_marks(line: Line, first_letter: str | None) -> list[tuple[str, int, int]]:
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


def rubric_item(line: Line) -> tuple[str, Line] | None:
    """(points text, the item's text) for a rubric line: `(3) …`, `（2分）…`, `3分：…` or `…（3分）`."""
    for pattern in _RUBRIC_ITEM:
        match = pattern.match(line.plain)
        if match:
            return match.group(1), line.sub(match.end())
    match = search_end(_RUBRIC_TRAILING, line.plain)
    if match:
        return match.group(1), line.sub(0, match.start())
    return None


def search_end(pattern: re.Pattern, text: str) -> re.Match | None:
    return pattern.search(text, max(0, len(text) - END_WINDOW))


def number_of(text: str) -> float | None:
    return parse_number(unicodedata.normalize("NFKC", text).strip())


def letters_of(text: str) -> str | None:
    """`B`, `A,C`, `ＡＣ`, `a c` -> the letters in upper case; None if the text is not option letters."""
    letters = _ANSWER_SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).rstrip("。.").upper()
    return letters if re.fullmatch(r"[A-H]+", letters) else None


def truth_of(text: str) -> bool | None:
    word = unicodedata.normalize("NFKC", text).strip().rstrip("。.!！").strip().casefold()
    return True if word in _TRUE_WORDS else False if word in _FALSE_WORDS else None


def declared_type(question: Question, conversion: Conversion | None) -> str | None:
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


def first_text(lines: list[Line]) -> str:
    return next((line.plain.strip() for line in lines if not line.blank and line.table is None), "")

