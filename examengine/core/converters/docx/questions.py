"""Building a question's draft from its collected parts: its type (declared, or inferred from the options and
the answer), points, metadata, and per type the options and correct letters, the true/false answer, the
fill-in blanks, or the written answer with its rubric; every problem is reported."""
from __future__ import annotations

import re
import unicodedata

from examengine.core.banks.values import parse_difficulty, parse_points, unique
from examengine.core.converters.docx.layout import (
    BLANK,
    INLINE_ANSWER_END,
    PLACEHOLDER_END,
    POINTS_VALUE,
    Question,
    declared_type,
    first_text,
    letters_of,
    number_of,
    search_end,
    truth_of,
)
from examengine.core.converters.docx.lines import Line, render
from examengine.core.converters.drafts import Blank, Conversion, Option, QuestionDraft, RubricItem
from examengine.core.converters.markdown import blank_problem
from examengine.core.messages import N_
from examengine.core.text import parse_number


class DraftBuilder:
    """One question's collected lines -> a QuestionDraft, or None with every problem reported."""

    def __init__(self, question: Question, conversion: Conversion):
        self.question = question
        self.conversion = conversion
        self.errors = question.errors

    def error(self, location: str, message: str) -> None:
        self.errors += 1
        self.conversion.problem(location, message)

    def build(self) -> QuestionDraft | None:
        question = self.question
        declared = declared_type(question, self.conversion)
        inline = self._inline_answer(declared)
        answer = first_text(question.answer or []) or inline
        answer_location = question.answer_line.location if question.answer_line else question.location
        qtype = self._qtype(declared, answer)
        if not answer and not (qtype in ("short", "analysis") and render(question.answer or [])):
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
            letters = letters_of(answer) or ""
            return "multiple" if len(set(letters)) > 1 else "single"
        if truth_of(answer) is not None:
            return "truefalse"
        if question.rubric:
            return "analysis"
        if answer and not question.reference_label and any(BLANK.search(line.plain) for line in question.stem):
            return "fill"
        if letters_of(answer) is not None and not question.reference_label:
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
            match = search_end(INLINE_ANSWER_END, line.plain)
            usable = match and ((question.options and letters_of(match.group(1)))
                                or (not question.options and truth_of(match.group(1)) is not None))
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
        draft.explanation = render(question.explanation or [])

    def _points(self) -> float | None:
        question = self.question
        if "points" in question.meta:
            text, line = question.meta["points"]
        elif question.points:
            text, line = question.points
        else:
            return question.section.points
        number = POINTS_VALUE.fullmatch(text)
        value, problem = parse_points(number_of(number.group(1)) if number and number_of(number.group(1)) is not None
                                      else text)
        if problem:
            self.error(line.location, problem)
        return value

    def _choice(self, draft: QuestionDraft, answer: str, location: str) -> None:
        question = self.question
        draft.stem = render([_without_placeholder(line) for line in question.stem])
        letters = letters_of(answer)
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
            text = render(option.lines)
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
        draft.stem = render([_without_placeholder(line) for line in question.stem])
        truth = truth_of(answer)
        if truth is None and question.options and letters_of(answer):  # 判断题 with options A. 对 B. 错
            chosen = [option for option in question.options if option.letter == letters_of(answer)]
            truth = truth_of(render(chosen[0].lines)) if chosen else None
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
        draft.stem = render(question.stem)
        draft.case = render(question.case or [])
        draft.reference = render(question.answer or [])
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
            draft.explanation = "\n".join(part for part in (render(rest), draft.explanation) if part)


def _without_placeholder(line: Line) -> Line:
    """A choice question's line without the trailing `（ ）` where the answer goes (with the 。 after it)."""
    if line.table is not None:
        return line
    match = search_end(PLACEHOLDER_END, line.plain)
    return line.cut(match.start(), len(line.plain)) if match else line


def _fill_stem(lines: list[Line]) -> tuple[str, int]:
    """The stem with each blank as a `{{n}}` marker and literal `{{` escaped; and the number of blanks."""
    count = 0

    def with_markers(line: Line) -> str:
        nonlocal count
        parts, position = [], 0
        for match in BLANK.finditer(line.plain):
            count += 1
            parts += [_fill_text(line.sub(position, match.start()), after_blank=position > 0, before_blank=True),
                      f"{{{{{count}}}}}"]
            position = match.end()
        parts.append(_fill_text(line.sub(position), after_blank=position > 0, before_blank=False))
        return "".join(parts).strip()
    return render(lines, with_markers), count


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
