"""The paper: walking its lines, starting a question at each numbered line that is one (not a numbered
list inside an answer or instructions), collecting each question's parts and, after them, an answer key
(answer_key.py) if the paper has one; then building each question's draft and keeping it unless it repeats
an earlier one. The title is taken from the text before the first question."""
from __future__ import annotations

import re

from examengine.core.banks.values import parse_points
from examengine.core.converters.docx.answer_key import KeyReader, key_candidate, key_starts
from examengine.core.converters.docx.layout import (
    BLANK,
    LINE_POINTS_END,
    LINE_POINTS_START,
    META_KINDS,
    Option,
    Question,
    Section,
    Start,
    declared_type,
    first_text,
    heading,
    label_of,
    letters_of,
    number_of,
    option_marks,
    rubric_item,
    search_end,
    start_of,
    truth_of,
)
from examengine.core.converters.docx.lines import PICTURE, Line
from examengine.core.converters.docx.questions import DraftBuilder
from examengine.core.converters.drafts import Conversion
from examengine.core.converters.markdown import write_question
from examengine.core.messages import N_

# How far a numbered line inside an answer or explanation looks for the 答案 or options that would make
# it a question of its own (a numbered list in an answer is more common than a question without answer).
LOOKAHEAD_LINES = 200
_TITLE_END = re.compile(r"[。.!！?？；;:：,，]$")


class PaperReader:
    """Walks the lines, starting a question at each numbered line that is one, and builds the drafts."""

    def __init__(self, lines: list[Line], conversion: Conversion):
        self.lines = lines
        self.conversion = conversion
        self.section = Section(None)
        self.seen_heading = False
        self.question: Question | None = None
        self.questions: list[Question] = []  # collected; built once the answer key (if any) has been read
        self.key: KeyReader | None = None
        self.title = ""
        self._title_checked = False
        self._written: dict[str, str] = {}  # a draft's bank text -> where it is, to find duplicates

    def read(self) -> None:
        self.first_question = self._first_question()
        for index, line in enumerate(self.lines):
            if line.blank:
                continue
            if self.key is not None:
                self.key.line(line)
            elif self._key_starts(index):
                self._finish_question()
                self.key = KeyReader(self.questions, self.conversion, self._feed, self._one_line_answer)
            else:
                self._line(index, line)
        self._finish_question()
        for question in self.questions:
            self._build(question)

    def _key_starts(self, index: int) -> bool:
        above = self.question or (self.questions[-1] if self.questions else None)
        one_line = self.question is not None and self.question.answer is None and self._one_line_answer(self.question)
        return key_starts(self.lines, index, above, one_line)

    def _line(self, index: int, line: Line) -> None:
        section = heading(line) if line.table is None else None
        if section is not None:
            self._finish_question()
            self._title_checked = True
            self.seen_heading = True
            self.section = self._checked_section(section, line)
            return
        start = start_of(line)
        if start is not None and self._starts_question(index, start):
            self._finish_question()
            self._title_checked = True
            self.question = self._new_question(start, line)
            return
        if self.question is None:
            self._before_questions(line)
        else:
            self._feed(self.question, line)

    def _checked_section(self, section: Section, line: Line) -> Section:
        if section.points is not None:
            section.points, problem = parse_points(section.points)
            if problem:
                self.conversion.problem(line.location, problem)
        return section

    def _before_questions(self, line: Line) -> None:
        """Text before the first question is ignored; the first line may be the paper's title."""
        label = label_of(line)
        if label and label[0] in ("answer", "reference"):
            self.conversion.problem(line.location, N_("an answer before the first question: start the question "
                                                      "above it with its number (1. …)"))
        text = " ".join(line.plain.replace(PICTURE, "").split()) if line.table is None else ""
        if not self._title_checked and text:  # a logo above the title is no title
            self._title_checked = True
            if len(text) <= 50 and not label and not _TITLE_END.search(text) and start_of(line) is None:
                self.title = text

    def _starts_question(self, index: int, start: Start) -> bool:
        """Whether a numbered line starts a question or belongs to the one before (a list in its text).

        Word's list numbering and the next number in the question's own style start a question; inside an
        answer, explanation, case or rubric a numbered line does only if an answer or options follow it
        before the next numbered line, so a numbered list there stays part of the text."""
        question = self.question
        if question is None:
            return self.seen_heading or index >= self.first_question
        same_family = start.family == question.start.family
        follows = same_family and start.n is not None and question.start.n is not None \
            and start.n == question.start.n + 1
        if same_family and start.family[0] == "auto":
            return True
        if question.state in ("stem", "options"):
            return follows
        if question.state == "answer" and self._one_line_answer(question):
            return same_family or self._question_ahead(index)
        return same_family and self._question_ahead(index)

    def _first_question(self) -> int:
        """Where the questions start when no heading comes first: at the first numbered line with an answer or
        options below it, or earlier if the numbers just above it lead up to it (question 1 without an answer
        before question 2), so that numbered instructions (注意事项：1. … 2. …) are not taken for questions."""
        starts = [(index, start) for index, line in enumerate(self.lines) if (start := start_of(line))]
        if starts:  # the numbers of an answer key at the end lead nowhere
            key = next((i for i in range(starts[0][0] + 1, len(self.lines)) if key_candidate(self.lines, i)), None)
            starts = [(index, start) for index, start in starts if key is None or index < key]
        anchor = next((i for i, (index, _) in enumerate(starts) if self._question_ahead(index)), None)
        if anchor is None:
            return starts[0][0] if starts else len(self.lines)
        first = anchor
        while first > 0 and _leads_to(starts[first - 1][1], starts[first][1]):
            first -= 1
        return starts[first][0]

    def _question_ahead(self, index: int) -> bool:
        for line in self.lines[index + 1:index + 1 + LOOKAHEAD_LINES]:
            if line.blank or line.table is not None:
                continue
            if heading(line) is not None or start_of(line) is not None:
                return False
            label = label_of(line)
            if (label and label[0] in ("answer", "reference")) or option_marks(line, "A"):
                return True
        return False

    def _one_line_answer(self, question: Question) -> bool:
        """Whether the question's answer is one line (a letter, 对/错, a blank's text) rather than a
        written reference answer that may go on for several paragraphs."""
        declared = declared_type(question, None)
        if question.options or declared in ("single", "multiple", "choice", "truefalse", "fill"):
            return True
        if declared in ("short", "analysis") or question.reference_label:
            return False
        first = first_text(question.answer or [])
        return bool(first) and (truth_of(first) is not None or letters_of(first) is not None
                                or any(BLANK.search(line.plain) for line in question.stem))

    def _new_question(self, start: Start, line: Line) -> Question:
        question = Question(start, line, self.section)
        text = start.text
        match = LINE_POINTS_START.match(text.plain) or search_end(LINE_POINTS_END, text.plain)
        if match:
            question.points = (match.group(1), line)
            text = text.cut(match.start(), match.end())
        question.stem.append(text)
        return question

    def _error(self, question: Question, location: str, message: str) -> None:
        question.errors += 1
        self.conversion.problem(location, message)

    def _feed(self, question: Question, line: Line) -> None:
        label = label_of(line)
        if label:
            self._labelled(question, *label, line)
        elif line.table is not None and question.state in ("stem", "options"):
            question.stem.append(line)  # a table below the options still belongs to the question's text
        elif question.state in ("stem", "options"):
            self._stem_or_option(question, line)
        elif question.state == "rubric":
            self._rubric_line(question, line)
        elif line.table is not None and question.state == "answer" and self._one_line_answer(question):
            question.stem.append(line)  # a table after a one-line answer: it can only belong to the question
        else:
            {"answer": question.answer, "explanation": question.explanation, "case": question.case}[
                question.state].append(line)

    def _labelled(self, question: Question, kind: str, rest: Line, line: Line) -> None:
        if kind in META_KINDS:
            if kind in question.meta:
                label = line.plain[:len(line.plain) - len(rest.plain)].strip()
                self._error(question, line.location, N_("%(label)s is given twice for the question at %(where)s: "
                                                        "keep one", label=label, where=question.location))
            question.meta[kind] = (rest.plain.strip(), line)
            return
        if kind in ("answer", "reference"):
            if question.answer is not None:
                self._error(question, line.location, N_("a second answer for the question at %(where)s: is the "
                                                        "number of the question above it missing?",
                                                        where=question.location))
                return
            question.answer, question.answer_line = [rest], line
            question.reference_label = kind == "reference"
            question.state = "answer"
        elif kind == "explanation":
            question.explanation = (question.explanation or []) + [rest]
            question.state = "explanation"
        elif kind == "case":
            question.case = (question.case or []) + [rest]
            question.state = "case"
        elif kind == "rubric":
            question.rubric = question.rubric or []
            question.rubric_line = question.rubric_line or line
            question.state = "rubric"
            if not rest.blank:
                self._rubric_line(question, rest)

    def _stem_or_option(self, question: Question, line: Line) -> None:
        marks = option_marks(line, None if question.options else "A")
        if not marks:
            if question.options:
                question.options[-1].lines.append(line)
            else:
                question.stem.append(line)
            return
        question.state = "options"
        ends = [mark_start for _, mark_start, _ in marks[1:]] + [len(line.plain)]
        for (letter, _, text_start), end in zip(marks, ends):
            letter = letter or _next_letter(question.options)
            question.options.append(Option(letter, [line.sub(text_start, end)]))

    def _rubric_line(self, question: Question, line: Line) -> None:
        if line.table is not None:
            self._error(question, line.location, N_("a table in the rubric (评分标准) can't be converted: write each "
                                                    "rubric line as its points and text, e.g. (3) 先确认影响范围"))
            return
        item = rubric_item(line)
        if item is None:
            self._error(question, line.location, N_("a rubric line must start with its points, e.g. (3) 先确认影响范围, "
                                                    "not %(text)r", text=line.plain.strip()[:60]))
            return
        points, problem = parse_points(number_of(item[0]) if number_of(item[0]) is not None else item[0])
        if problem:
            self._error(question, line.location, problem)
        elif item[1].blank:
            self._error(question, line.location, N_("a rubric line needs its text after the points"))
        else:
            question.rubric.append((points, item[1]))

    def _finish_question(self) -> None:
        if self.question is not None:
            self.questions.append(self.question)
            self.question = None

    def _build(self, question: Question) -> None:
        draft = DraftBuilder(question, self.conversion).build()
        if draft is None:
            return
        text = write_question(draft)
        if text in self._written:
            self.conversion.problem(question.location, N_("this question is the same as the one at %(where)s: "
                                                          "remove one of them", where=self._written[text]))
            return
        self._written[text] = question.location
        self.conversion.drafts.append(draft)


def _leads_to(before: Start, after: Start) -> bool:
    """Whether `after` is the number that follows `before` (in Word's numbering: the same list)."""
    if before.family != after.family:
        return False
    return before.family[0] == "auto" or (before.n is not None and after.n == before.n + 1)


def _next_letter(options: list[Option]) -> str:
    return chr(ord(options[-1].letter) + 1) if options and len(options[-1].letter) == 1 else "A"


