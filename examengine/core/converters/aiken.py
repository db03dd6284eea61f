"""Moodle Aiken text files (`.aiken`, `.txt`) -> single-choice drafts.

An Aiken question is its text (one or more lines), its options on their own lines, each starting with
a letter and `.` or `)` (`A. 北京`, `B) 上海`), then the answer line `ANSWER: B`. Chinese teachers
write these too, so the reader also takes `A、`, `A．`, `A）`, `A.北京` without a space, full-width
letters (`Ａ．`) and `答案：B`; the `ANSWER` word and the answer letter are case-insensitive. Blank lines between questions
are optional. Aiken has only single choice, and no title, feedback or category: every question becomes
a `single` draft whose text and options are plain text (escaped so they show as written).

Reported as errors, each at its line, while the rest of the file converts: a question without an
`ANSWER:` line (at the question's first line), an answer letter naming no option or more than one
letter (at the `ANSWER:` line), fewer than two options (at the question), an empty or repeated option
letter (at the option).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from examengine.core.banks.scanner import split_lines
from examengine.core.converters.drafts import Conversion, Option, QuestionDraft, never_raises
from examengine.core.converters.text_files import DraftChecker, decode_text, escape_plain
from examengine.core.messages import N_, Message

# `A.`, `A)`, `A、`, `A．`, `A）`, with a half- or full-width capital letter. Moodle wants a space after `.`
# or `)` (so `A.B.C 公司` stays text); Chinese text often has none (`A.北京`), so a non-ASCII character
# right after them counts too. The Chinese separators need no space.
_OPTION = re.compile(r"\s*([A-ZＡ-Ｚ])(?:[.)](?:\s+|$|(?=[^\x00-\x7f]))|[、．）]\s*)(.*?)\s*$")
_ANSWER = re.compile(r"\s*(?:ANSWER|答案)\s*[:：]\s*(.*?)\s*$", re.IGNORECASE)


@dataclass
class _Question:
    line: int
    stem: list[str] = field(default_factory=list)
    options: list[tuple[str, str]] = field(default_factory=list)  # (letter, text)
    broken: bool = False  # an error was reported on one of its lines: don't report it twice


@never_raises
def read_aiken(conversion: Conversion, data: bytes) -> None:
    text = decode_text(conversion, data)
    if text is not None:
        _AikenReader(conversion).read(text)


class _AikenReader:
    """Reads line by line: text lines start a question, option lines add to it, `ANSWER:` ends it."""

    def __init__(self, conversion: Conversion):
        self.conversion = conversion
        self.checker = DraftChecker(conversion)
        self.question: _Question | None = None
        self.found_any = False

    def read(self, text: str) -> None:
        for number, line in enumerate(split_lines(text), 1):
            self._line(number, line)
        self._unanswered()
        if not self.found_any:
            self.conversion.problem("", N_("no Aiken questions found: a question is its text, its options `A. …`, "
                                           "`B. …` on their own lines, then the line `ANSWER: B`"))

    def _line(self, number: int, line: str) -> None:
        question = self.question
        answer = _ANSWER.match(line)
        option = _OPTION.match(line)
        if not line.strip():
            self._unanswered()
        elif answer:
            self._answer(number, answer.group(1))
        elif option and question and (question.options or _letter(option.group(1)) == "A"):
            self._option(number, _letter(option.group(1)), option.group(2))
        else:
            if question and question.options:
                self._unanswered()
            if self.question is None:
                self.question = _Question(number)
                self.found_any = True
            self.question.stem.append(line.strip())

    def _option(self, number: int, letter: str, text: str) -> None:
        question = self.question
        if any(letter == known for known, _ in question.options):
            self._error(number, N_("option %(letter)s is given twice: give each option its own letter", letter=letter))
        elif not text:
            self._error(number, N_("option %(letter)s is empty: write its text after the letter", letter=letter))
        question.options.append((letter, text))

    def _answer(self, number: int, value: str) -> None:
        question, self.question = self.question, None
        if question is None:
            self.found_any = True
            self.conversion.problem(str(number), N_("`ANSWER:` without a question before it: write the question "
                                                    "and its options above it"))
            return
        problem = _answer_problem(question, number, value)
        if problem:
            self.conversion.problem(*problem)
        elif not question.broken:
            self._add(question, _letter(value))

    def _unanswered(self) -> None:
        """The question ends (blank line, new text, end of file) without its ANSWER line."""
        question, self.question = self.question, None
        if question is None:
            return
        if not question.options:
            self.conversion.problem(str(question.line), _too_few_options(0))
        elif not question.broken:
            self.conversion.problem(str(question.line), N_("this question has no `ANSWER:` line: add one after its "
                                                           "options, e.g. `ANSWER: B`"))

    def _add(self, question: _Question, answer: str) -> None:
        draft = QuestionDraft(
            "single", escape_plain("\n".join(question.stem)), location=str(question.line),
            options=[Option(escape_plain(text), letter == answer) for letter, text in question.options],
        )
        self.checker.add(draft, [])

    def _error(self, number: int, message: str) -> None:
        self.conversion.problem(str(number), message)
        self.question.broken = True


def _answer_problem(question: _Question, number: int, value: str) -> tuple[str, Message] | None:
    """(location, message) of what is wrong with the question its ANSWER line ends, or None."""
    letters = [letter for letter, _ in question.options]
    if len(letters) < 2:
        return str(question.line), _too_few_options(len(letters))
    answer = _letter(value)
    if not re.fullmatch("[A-Z]", answer):
        return str(number), N_("ANSWER must be one option letter such as `ANSWER: B` (an Aiken question has one right "
                               "answer), not %(value)r", value=value)
    if answer not in letters:
        return str(number), N_("ANSWER %(letter)s names no option: the options are %(letters)s", letter=answer,
                               letters=", ".join(letters))
    texts = [text for _, text in question.options]
    repeated = next((i for i, text in enumerate(texts) if text in texts[:i]), None)
    if repeated is not None and not question.broken:
        return str(question.line), N_("option %(letter)s repeats option %(other)s: the options of a question must "
                                      "differ", letter=letters[repeated], other=letters[texts.index(texts[repeated])])
    return None


def _too_few_options(count: int) -> Message:
    return N_("this question needs at least two options on their own lines (`A. …`, `B. …`) before its `ANSWER:` "
              "line, found %(count)d", count=count)


def _letter(letter: str) -> str:
    """`Ａ` -> `A`, `b` -> `B`."""
    return unicodedata.normalize("NFKC", letter).upper()
