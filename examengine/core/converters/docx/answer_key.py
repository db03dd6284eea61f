"""An answer key gathered after the questions, as many Chinese papers put it:

    参考答案                     the key's title: 答案, 参考答案及评分标准, 答案与解析, Answer key, 【参考答案】 …
    一、单选题                   optional part headings (一、单选题答案 too)
    1. B   2. C   3. A          several entries a line (separated by spaces, tabs, 、 or ，), `1.B 2.C`
    1-5 BCADA                   a range: one answer a question (letters or √×), or `11-12 AB ACD`
    9. 先确认影响范围，再逐层排查。 a longer answer, going on over the paragraphs up to the next number
    解析：…                      解析 / 评分标准 / metadata lines belong to the last entry's question

The key runs to the end of the document. Its numbers are the questions' typed numbers (or their places,
for Word's numbering); when the questions' numbering restarts in each part, an entry is matched by
(part, number), the key's parts being its headings in order. A bare 答案： or 【参考答案】 line is the
question's own answer label unless what follows it is plainly a key (a part heading, several entries on a
line, a range, or a numbered entry below a question that already has its answer or takes a one-line one).
An entry for a question that has its own answer is fine if it gives the same answer and an error if not;
an entry whose number matches no question is an error; a question left without an answer is reported by
the draft builder as usual. Answers marked only by formatting (a red or bold option) are not understood.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from examengine.core.converters.docx.layout import (
    INLINE_ANSWER_END,
    Question,
    first_text,
    heading,
    label_of,
    letters_of,
    search_end,
    truth_of,
)
from examengine.core.converters.docx.lines import Line, Piece
from examengine.core.converters.drafts import Conversion
from examengine.core.messages import N_

_D = "[0-9０-９]"
_PREFIX = r"(?:[一二三四五六七八九十]{1,3}\s*[、.．]\s*|第\s*[一二三四五六七八九十]{1,3}\s*部分\s*[：:、.．]?\s*)?"
_TITLE = re.compile(
    rf"\s*{_PREFIX}(?:[【\[]\s*)?(?:试题|试卷)?(?:参考答案|标准答案|答案)(?:及|与|和)?(?:评分标准|评分细则|解析|详解)?"
    r"(?:\s*[】\]])?\s*[:：]?\s*|\s*(?:answer\s+key|answers(?:\s+and\s+explanations)?|key\s+to\s+the\s+questions)"
    r"\s*[:：]?\s*", re.I)
_PART_SUFFIX = re.compile(r"\s*的?(?:参考答案|标准答案|答案)(?:及|与|和)?(?:解析|评分标准)?\s*[:：]?\s*$")
_ENTRY = re.compile(rf"\s*(?:[（(]\s*(?P<p>{_D}{{1,4}})\s*[)）]|(?P<n>{_D}{{1,4}})\s*(?:[.．](?!{_D})|[、:：)）]))\s*")
_NEXT_ENTRY = re.compile(rf"(?<=[\s、，,;；])(?P<n>{_D}{{1,4}})\s*(?:[.．](?!{_D})|[、:：)）])\s*")
_RANGE_HEAD = rf"(?P<a>{_D}{{1,4}})\s*[-–—~～至]\s*(?P<b>{_D}{{1,4}})\s*(?:题\s*)?[.．、:：)）]?\s*"
_RANGE = re.compile(rf"\s*{_RANGE_HEAD}(?P<rest>.*)")
_RANGES = re.compile(rf"(?:\s*{_RANGE_HEAD}[A-Ha-hＡ-Ｈａ-ｈ√×✓✗对错]+\s*[,，;；、]?)+\s*")
_RANGE_ITEM = re.compile(rf"{_RANGE_HEAD}(?P<rest>[A-Ha-hＡ-Ｈａ-ｈ√×✓✗对错]+)")
_SEPARATORS = re.compile(r"[\s、，,;；]+")
_COMPACT = re.compile(r"\S{1,30}")  # one entry of several on a line: a letter, √, a blank's answer


def _number(text: str) -> int:
    return int(unicodedata.normalize("NFKC", text))


def _is_title(line: Line) -> bool:
    return line.table is None and bool(_TITLE.fullmatch(line.plain))


def _is_bare_label(line: Line) -> bool:
    label = label_of(line)
    return bool(label) and label[0] in ("answer", "reference") and label[1].blank


def part_heading(line: Line) -> bool:
    """A part heading inside the key: 二、判断题, or 二、判断题答案."""
    if line.table is not None:
        return False
    match = _PART_SUFFIX.search(line.plain)
    return heading(line.sub(0, match.start()) if match and match.start() else line) is not None


def entries(line: Line) -> list[tuple[int, Line]] | str | None:
    """The entries a key line gives ([(number, answer)]), an error message, or None if it is no entry."""
    if line.table is not None or line.blank:
        return None
    ranges = _ranges(line)
    if ranges is not None:
        return ranges
    match = _ENTRY.match(line.plain)
    if not match:
        return None
    found = [(_number(match.group("p") or match.group("n")), match.start(), match.end())]
    for following in _NEXT_ENTRY.finditer(line.plain, match.end()):
        if _number(following.group("n")) == found[-1][0] + 1:
            found.append((found[-1][0] + 1, following.start(), following.end()))
    ends = [start for _, start, _ in found[1:]] + [len(line.plain)]
    pieces = [(number, line.sub(start, end)) for (number, _, start), end in zip(found, ends)]
    if len(pieces) > 1 and not all(_COMPACT.fullmatch(_trimmed(piece.plain)) for _, piece in pieces):
        pieces = [(found[0][0], line.sub(found[0][2]))]  # a sentence with numbers in it, not several entries
    return [(number, _trimmed_line(piece)) for number, piece in pieces]


def _ranges(line: Line) -> list[tuple[int, Line]] | str | None:
    """`1-5 BCADA`, `1-5 BCADA 6-10 √×√√×`, or one range with answers apart: `11-12 AB ACD`."""
    text = line.plain
    if _RANGES.fullmatch(text):
        items = [(match, list(unicodedata.normalize("NFKC", match.group("rest")))) for match in _RANGE_ITEM.finditer(text)]
    else:
        match = _RANGE.fullmatch(text)
        if not match:
            return None
        items = [(match, _SEPARATORS.split(match.group("rest").strip()) if match.group("rest").strip() else [])]
    out: list[tuple[int, Line]] = []
    for match, answers in items:
        first, last = _number(match.group("a")), _number(match.group("b"))
        if last < first:
            return N_("the answer key's range %(first)d-%(last)d runs backwards: write the smaller number first",
                      first=first, last=last)
        if last - first + 1 != len(answers):
            return N_("the answer key's range %(first)d-%(last)d has %(count)d questions but gives %(answers)d "
                      "answer(s): give one answer a question, e.g. 1-5 BCADA", first=first, last=last,
                      count=last - first + 1, answers=len(answers))
        out += [(first + i, Line(line.number, [Piece(answer)])) for i, answer in enumerate(answers)]
    return out


def _trimmed(text: str) -> str:
    return text.strip().rstrip("、，,;；").strip()


def _trimmed_line(line: Line) -> Line:
    text = line.plain
    end = len(text.rstrip().rstrip("、，,;；").rstrip())
    start = len(text) - len(text.lstrip())
    return line.sub(start, max(start, end))


def key_candidate(lines: list[Line], index: int) -> bool:
    """Whether the key may start at this line (read from the lines alone, for where the questions start)."""
    line = lines[index]
    if _is_title(line) and not _is_bare_label(line):
        return True
    following = _next_line(lines, index)
    return _is_bare_label(line) and following is not None and (part_heading(following) or bool(entries(following)))


def key_starts(lines: list[Line], index: int, above: Question | None, one_line: bool) -> bool:
    """Whether the key starts at this line, below the question `above` (`one_line`: it takes a one-line
    answer): a title line, or a bare 答案：/【参考答案】 that is plainly followed by a key."""
    if above is None or not key_candidate(lines, index):
        return False
    if not _is_bare_label(lines[index]):
        return True
    following = _next_line(lines, index)
    found = entries(following)
    return part_heading(following) or isinstance(found, str) or len(found) > 1 \
        or bool(_RANGE.match(following.plain)) or above.answer is not None or one_line


def _next_line(lines: list[Line], index: int) -> Line | None:
    return next((line for line in lines[index + 1:] if not line.blank), None)


class KeyReader:
    """Reads the key's lines after the questions and gives each entry's question its answer; the lines
    after an entry go to that question through `feed` (the paper's own way of collecting a question);
    `one_line` tells whether a question takes a one-line answer (B, 对, 443) rather than a written one."""

    def __init__(self, questions: list[Question], conversion: Conversion, feed: Callable[[Question, Line], None],
                 one_line: Callable[[Question], bool]):
        self.conversion = conversion
        self.feed, self.one_line = feed, one_line
        self.restart = any(before.section is not after.section and before.start.n is not None
                           and after.start.n is not None and after.start.n <= before.start.n
                           for before, after in zip(questions, questions[1:]))
        self.numbered = self._numbered(questions)
        self.part = 0
        self.part_has_entries = False
        self.headed = False  # the key has part headings: a number going down is then a list inside an answer
        self.last = 0
        self.target: Question | None = None
        self.repeat = False  # the entry repeats the question's own answer: only its labelled lines are taken

    def _numbered(self, questions: list[Question]) -> dict[tuple[int, int], Question]:
        numbered: dict[tuple[int, int], Question] = {}
        parts: dict[int, int] = {}
        for place, question in enumerate(questions, 1):
            part = parts.setdefault(id(question.section), len(parts)) if self.restart else 0
            number = question.start.n if question.start.n is not None else \
                sum(1 for key in numbered if key[0] == part) + 1 if self.restart else place
            numbered.setdefault((part, number), question)
        return numbered

    def line(self, line: Line) -> None:
        if part_heading(line) or _is_title(line):
            if self.part_has_entries and self.restart:
                self.part, self.part_has_entries, self.last = self.part + 1, False, 0
            self.headed = self.headed or not _is_title(line)
            self.target = None
            return
        found = entries(line)
        if isinstance(found, str):
            self.conversion.problem(line.location, found)
            self.target = None
            return
        going_down = bool(found) and found[0][0] <= self.last
        if going_down and self.target is not None and not self.one_line(self.target):
            found = None  # 1. 2. below entry 9, a written answer: a list inside it
        if not found:
            self._more(line)
            return
        if going_down and self.restart and not self.headed:  # numbering restarting without part headings
            self.part += 1
        for number, answer in found:
            self._entry(number, answer, line)
        self.part_has_entries, self.last = True, found[-1][0]

    def _more(self, line: Line) -> None:
        question = self.target
        if question is None or (self.repeat and label_of(line) is None):
            return
        if line.table is not None and question.state == "answer":
            question.answer.append(line)  # a table in a written answer (the paper would take it for the stem)
        else:
            self.feed(question, line)

    def _entry(self, number: int, answer: Line, line: Line) -> None:
        question = self.numbered.get((self.part if self.restart else 0, number))
        self.target, self.repeat = question, False
        if question is None:
            self._unknown(number, line)
            return
        own = first_text(question.answer) if question.answer is not None else _inline_answer(question)
        if own:
            self.repeat = _same(own, answer.plain, question)
            if not self.repeat:
                question.errors += 1
                self.target = None
                self.conversion.problem(line.location, N_(
                    "the answer key gives %(key)r for question %(number)d, but the question at %(where)s has the "
                    "answer %(answer)r: keep one of them", key=answer.plain.strip()[:60], number=number,
                    where=question.location, answer=own[:60]))
            return
        question.answer, question.answer_line, question.state = [answer], line, "answer"

    def _unknown(self, number: int, line: Line) -> None:
        if self.restart:
            self.conversion.problem(line.location, N_(
                "the answer key gives an answer for question %(number)d of part %(part)d, but that part of the "
                "paper has no question %(number)d: correct the number, or head the key's parts like the paper's",
                number=number, part=self.part + 1))
        else:
            self.conversion.problem(line.location, N_(
                "the answer key gives an answer for question %(number)d, but the paper has no question "
                "%(number)d: correct the number", number=number))


def _inline_answer(question: Question) -> str:
    """The `（B）` / `（√）` at the end of a question's text, its own answer when it has no 答案 line."""
    line = next((line for line in reversed(question.stem) if not line.blank and line.table is None), None)
    match = search_end(INLINE_ANSWER_END, line.plain) if line is not None else None
    usable = match and (letters_of(match.group(1)) if question.options else truth_of(match.group(1)) is not None)
    return match.group(1) if usable else ""


def _same(own: str, key: str, question: Question) -> bool:
    if question.options and letters_of(own) and letters_of(key):
        return sorted(set(letters_of(own))) == sorted(set(letters_of(key)))
    if truth_of(own) is not None and truth_of(key) is not None:
        return truth_of(own) == truth_of(key)
    normal = lambda text: " ".join(unicodedata.normalize("NFKC", text).split())  # noqa: E731
    return normal(own) == normal(key)
