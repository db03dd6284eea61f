"""Moodle GIFT text files (`.gift`, `.txt`) -> drafts, following Moodle's documented GIFT format.

A GIFT file is plain text: questions separated by blank lines, `//` comment lines, `$CATEGORY: a/b`
lines, and each question written `::title:: [format] text {answers}`. `\\~ \\= \\# \\{ \\} \\: \\\\`
escape the special characters and `\\n` is a line break. The text format prefix decides how text
becomes Markdown: `[html]` is converted (markdownify), `[markdown]` is kept, `[plain]` is escaped so it
shows as written, and `[moodle]` (Moodle's default "auto-format") is treated as HTML when it contains
tags, else as plain text. Answers and feedback take the question's format unless they have their own.

What each GIFT question becomes:

- `{T}`, `{TRUE}`, `{F}`, `{FALSE}` (capitals, as Moodle reads them) -> truefalse. Its feedback
  (`{T#if wrong#if right}`) goes to the explanation, with a warning: our explanation is what examinees
  see after the exam.
- `{=right ~wrong}` -> single. Weights on its options (`~%50%almost`) are dropped with a warning; two or
  more `=` options are skipped (a single-choice question has one right option).
- `{~%50%a ~%50%b ~%-100%c}` (no `=`) -> multiple with `scoring: partial`, the options of positive weight
  being right. Moodle adds up the weights; our partial scoring gives half the points for some right
  options and no wrong one, nothing if a wrong one is chosen. The two agree closely only when the right
  options share 100 % equally and every wrong option weighs -100 %; any other weights get a warning.
- `{=a =b}` (or `{a}`, `{true}`) -> fill with one blank accepting the alternatives; answers with partial credit
  (`=%50%b`) are dropped with a warning.
- `{#3.14:0.01}`, `{#3.13..3.15}`, `{#=3:0 =%50%3.1:0.2}` -> fill with a number blank (a range becomes its
  middle ± half its width); of several numeric answers the full-mark one is kept, with a warning.
- The blank of a fill question sits where the braces were. Any other question whose text goes on after
  the braces ("missing word") shows `____` in their place.
- `{}` (essay) -> short, when it has general feedback (`{####…}`): that becomes the reference answer our
  short questions require (warning); without it the essay is skipped.
- Matching (`{=a -> 1 =b -> 2}`) and descriptions (text without braces) are skipped.
- Per-answer feedback (`=a #feedback`) is dropped with one warning per question; general feedback
  (`####…`) becomes the explanation.
- `$CATEGORY: $course$/top/网络/HTTP`: its last part (`HTTP`) is a tag of the questions after it.
- The comments above a question may hold Moodle's id number and tags, `// [id:net-001] [tag:网络]`: they
  become the question's id (dropped with a warning when it isn't a valid id here) and tags.
- GIFT carries no points: questions get our defaults, an essay Moodle's default mark, 1.

Every question is reported at the line where its text starts; a malformed question is an error there
and the rest of the file still converts. Each converted question is checked by our bank parser, so
what the reader returns is always a valid bank.
"""
from __future__ import annotations

import html
import re
import unicodedata
import warnings
from dataclasses import dataclass
from decimal import Context, Decimal, InvalidOperation

from markdownify import MarkdownConverter

from examengine.core.banks.scanner import split_lines
from examengine.core.banks.values import parse_id, unique
from examengine.core.converters.drafts import Blank, Conversion, Option, QuestionDraft, never_raises
from examengine.core.converters.markdown import blank_problem, one_line
from examengine.core.converters.text_files import DraftChecker, decode_text, escape_inline, escape_plain
from examengine.core.messages import N_, Message

MAX_HTML_DEPTH = 50  # markdownify recurses per nested tag; our banks allow 20 levels anyway
TRUE_WORDS, FALSE_WORDS = {"T", "TRUE"}, {"F", "FALSE"}  # capitals only, as Moodle: `{true}` is a short answer

# An escaped special character is swapped for a Unicode noncharacter while the structure is read, so
# `\{` is never taken for the start of the answers; input noncharacters (never legitimate in text) are
# replaced first so they can't pose as one.
_ESCAPED = {"\\": "\ufdd0", "~": "\ufdd1", "=": "\ufdd2", "#": "\ufdd3", "{": "\ufdd4", "}": "\ufdd5", ":": "\ufdd6"}
_UNESCAPE = str.maketrans({marker: char for char, marker in _ESCAPED.items()})
_ESCAPE = re.compile(r"\\([\\~=#{}:n])")
_NONCHARACTERS = re.compile("[\ufdd0-\ufdef]")
ANSWERS_HERE = "\ufddf"  # where the braces were, through the text's conversion to Markdown

_FORMAT_PREFIX = re.compile(r"\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_CATEGORY = re.compile(r"\s*\$CATEGORY:(.*)$")
_ID_COMMENT = re.compile(r"\[id:((?:\\\]|[^\]\x00-\x1f])+)\]")
_TAG_COMMENT = re.compile(r"\[tag:((?:\\\]|[^\]<>\x00-\x1f])+)\]")
_WEIGHT = re.compile(r"\s*%([^%]*)%")
_NUM = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_EXACT = re.compile(rf"({_NUM})")
_WITH_TOLERANCE = re.compile(rf"({_NUM})\s*:\s*({_NUM})")
_RANGE = re.compile(rf"({_NUM})\s*\.\.\s*({_NUM})")
_MAX_EXPONENT = 15  # numbers from 1e-15 to below 1e15 in size, or 0
_DECIMALS = Context(prec=28, traps=[])  # no signal raises: any number GIFT allows computes
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_VOID_TAGS = {"br", "img", "hr", "input", "meta", "link", "wbr", "area", "base", "col", "embed", "source",
              "track", "param"}
_PLUGINFILE = "@@PLUGINFILE@@"


class _NotConverted(Exception):
    """A question that can't be converted: an error in the file, or a type we can't express."""

    def __init__(self, message: Message, kind: str = "error"):
        super().__init__(message)
        self.message, self.kind = message, kind


def _skipped(message: Message) -> _NotConverted:
    return _NotConverted(message, "skipped")


# -- the reader ------------------------------------------------------------------------------------------

@never_raises
def read_gift(conversion: Conversion, data: bytes) -> None:
    text = decode_text(conversion, data)
    if text is not None:
        _read(conversion, text)


def _read(conversion: Conversion, text: str) -> None:
    checker = DraftChecker(conversion)
    category: list[str] = []
    found_any = False
    for block in _blocks(text):
        lines = _take_categories(block.lines, category)
        if not lines:
            continue
        found_any = True
        line = lines[0][0]
        notes: list[Message] = []
        try:
            draft = _question("\n".join(content for _, content in lines), notes)
        except _NotConverted as problem:
            conversion.problem(str(line), problem.message, problem.kind)
            continue
        key, tags = _id_and_tags(block.comments, notes)
        draft.location, draft.key, draft.tags = str(line), key, unique(category + tags)
        checker.add(draft, notes)
    if not found_any:
        conversion.problem("", N_("no GIFT questions found: a question is its text followed by its answers in "
                                  "braces, e.g. `1+1=2 {T}`"))


@dataclass
class _Block:
    lines: list[tuple[int, str]]  # (line number from 1, text), without the comments
    comments: list[str]


def _blocks(text: str) -> list[_Block]:
    """The questions, split at blank lines, their `//` comment lines apart."""
    blocks, current = [], _Block([], [])
    for number, line in enumerate(split_lines(text), 1):
        if not line.strip():
            if current.lines or current.comments:
                blocks.append(current)
            current = _Block([], [])
        elif line.lstrip().startswith("//"):
            current.comments.append(line)
        else:
            current.lines.append((number, line))
    if current.lines or current.comments:
        blocks.append(current)
    return blocks


def _id_and_tags(comments: list[str], notes: list[Message]) -> tuple[str | None, list[str]]:
    """Moodle writes a question's id number and tags in its comments: `// [id:net-001] [tag:网络]`."""
    text = "\n".join(comments)
    tags = [_unescape_bracket(tag) for tag in _TAG_COMMENT.findall(text)]
    match = _ID_COMMENT.search(text)
    if not match:
        return None, tags
    key, problem = parse_id(_unescape_bracket(match.group(1)))
    if problem:
        notes.append(N_("the Moodle id number %(id)r can't be a question id here (up to 100 letters, digits, `_`, "
                        "`-` or `.`, without spaces): the question is converted without an id",
                        id=_unescape_bracket(match.group(1))))
    return key, tags


def _unescape_bracket(text: str) -> str:
    return text.replace("\\]", "]").strip()


def _take_categories(lines: list[tuple[int, str]], category: list[str]) -> list[tuple[int, str]]:
    """The lines without their leading `$CATEGORY:` lines, which set the tag of the questions after them."""
    while lines and (match := _CATEGORY.match(lines[0][1])):
        category[:] = _category_tag(match.group(1))
        lines = lines[1:]
    return lines


def _category_tag(path: str) -> list[str]:
    """`$course$/top/网络/HTTP` -> ["HTTP"]: Moodle writes a `/` inside a name as `//`."""
    parts = [part.replace("//", "/").strip() for part in re.split(r"(?<!/)/(?!/)", path.strip())]
    names = [part for part in parts if part and not re.fullmatch(r"\$\w+\$|top", part)]
    return names[-1:]


# -- one question ------------------------------------------------------------------------------------------

@dataclass
class _Answer:
    mark: str  # "=" right, "~" wrong
    weight: Decimal | None  # the `%n%` written, if any
    text: str  # still protected (escapes as noncharacters)
    feedback: str = ""

    @property
    def score(self) -> Decimal:
        """The credit in percent: the weight written, else 100 for `=` and 0 for `~`."""
        if self.weight is not None:
            return self.weight
        return Decimal(100) if self.mark == "=" else Decimal(0)


@dataclass
class _Parts:
    title: str
    text_format: str
    before: str  # text before the braces (protected)
    answers: str  # inside the braces (protected)
    after: str  # text after the braces (protected)
    notes: list[Message]  # the question's warnings

    @property
    def missing_word(self) -> bool:
        return bool(self.after.strip())


def _question(text: str, notes: list[Message]) -> QuestionDraft:
    """One question's text -> its draft; warnings are added to `notes`."""
    parts = _split_question(_protect(text), notes)
    answers, general = _split_general_feedback(parts.answers)
    if not answers.strip():
        draft = _essay(parts, general)
    elif answers.lstrip().startswith("#"):
        draft = _numeric(parts, answers.lstrip()[1:])
    elif _true_false_word(answers) is not None:
        draft = _true_false(parts, answers)
    else:
        draft = _with_answers(parts, _answers(answers))
    draft.title = parts.title
    if general.strip() and draft.qtype != "short":
        draft.explanation = _join_paragraphs(draft.explanation, _markdown(*_with_format(general, parts.text_format)))
    if _PLUGINFILE in text:
        notes.append(N_("the question refers to an embedded file (@@PLUGINFILE@@) that a GIFT file doesn't "
                        "carry: add the image to the bank by hand"))
    return draft


def _protect(text: str) -> str:
    text = _NONCHARACTERS.sub("\ufffd", text)
    return _ESCAPE.sub(lambda match: "\n" if match.group(1) == "n" else _ESCAPED[match.group(1)], text)


def _unprotect(text: str) -> str:
    return text.translate(_UNESCAPE)


def _split_question(text: str, notes: list[Message]) -> _Parts:
    """Title, format and the text around the braces; the malformed structures raise."""
    body, title = text.strip(), ""
    if body.startswith("::"):
        end = body.find("::", 2)
        if end < 0:
            raise _NotConverted(N_("the title is not closed: write it as `::title::` before the question text "
                                   "(and `\\:` for a colon inside it)"))
        title, body = one_line(_unprotect(body[2:end])), body[end + 2:]
    body, text_format = _with_format(body, "moodle")
    start = body.find("{")
    if "}" in body[:start if start >= 0 else len(body)]:
        raise _NotConverted(N_("a `}` without a `{` before it: write `\\}` for a literal brace"))
    if start < 0:
        raise _skipped(N_("not converted: text without answers in braces is a description, not a question"))
    end = body.find("}", start)
    if end < 0:
        raise _NotConverted(N_("the answers are not closed: add a `}` after them (write `\\{` for a literal brace)"))
    after = body[end + 1:]
    if "{" in after or "}" in after:
        raise _NotConverted(N_("a second `{…}` after the answers: a GIFT question has one set of answers; write "
                               "`\\{` and `\\}` for literal braces"))
    return _Parts(title, text_format, body[:start], body[start + 1:end], after, notes)


def _with_format(text: str, default: str) -> tuple[str, str]:
    """(text without its `[format]` prefix, its format)."""
    stripped = text.lstrip()
    match = _FORMAT_PREFIX.match(stripped)
    if match:
        return stripped[match.end():], match.group(1).lower()
    return text, default


def _split_general_feedback(answers: str) -> tuple[str, str]:
    """(answers, general feedback after the last `####`, as Moodle reads it)."""
    answers, _, general = answers.rpartition("####") if "####" in answers else (answers, "", "")
    return answers, general


def _true_false_word(answers: str) -> bool | None:
    word = answers.split("#", 1)[0].strip()
    return True if word in TRUE_WORDS else False if word in FALSE_WORDS else None


def _answers(text: str) -> list[_Answer]:
    """`=a#fb ~%50%b` -> answers; a text without `=` or `~` is one right answer (Moodle's `{Grant}`)."""
    pieces = re.split(r"([=~])", text)
    if len(pieces) == 1:
        pieces = ["", "=", text]
    if pieces[0].strip():
        raise _NotConverted(N_("text before the first answer: start every answer with `=` (right) or `~` (wrong)"))
    answers = []
    for mark, body in zip(pieces[1::2], pieces[2::2]):
        weight, body = _weight(body)
        body, _, feedback = body.partition("#")
        answers.append(_Answer(mark, weight, body, feedback))
    return answers


def _weight(body: str) -> tuple[Decimal | None, str]:
    match = _WEIGHT.match(body)
    if not match:
        return None, body
    written = _unprotect(match.group(1)).strip()
    number = _number(written) if re.fullmatch(_NUM, written) else None
    if number is None or not -100 <= number <= 100:
        raise _NotConverted(N_("malformed weight %(weight)r: write a percentage from -100 to 100 between two "
                               "percent signs, e.g. %(example)s", weight=match.group(0).strip(), example="~%50%"))
    return number, body[match.end():]


def _feedback_warning(parts: _Parts, answers: list[_Answer]) -> None:
    if any(answer.feedback.strip() for answer in answers):
        parts.notes.append(N_("the answer feedback (`#…`) is dropped: our questions have one explanation for all "
                              "answers; general feedback (`####…`) becomes the explanation"))


def _with_answers(parts: _Parts, answers: list[_Answer]) -> QuestionDraft:
    pairs = ["->" in answer.text for answer in answers]
    if any(pairs):
        if all(pairs) and all(answer.mark == "=" for answer in answers):
            raise _skipped(N_("not converted: matching questions have no equivalent here"))
        raise _NotConverted(N_("`->` is only for matching questions, where every answer is written "
                               "`=item -> match`"))
    _feedback_warning(parts, answers)
    if any(answer.mark == "~" for answer in answers):
        return _choice(parts, answers)
    return _short_answer(parts, answers)


# -- the question types ------------------------------------------------------------------------------------

def _true_false(parts: _Parts, answers: str) -> QuestionDraft:
    feedback = [_markdown(*_with_format(text, parts.text_format)) for text in answers.split("#")[1:]]
    explanation = _join_paragraphs(*feedback)
    if explanation:
        parts.notes.append(N_("the true/false feedback (`#…`) is kept as the explanation, which every examinee "
                              "sees after the exam, whatever they answered"))
    return QuestionDraft("truefalse", _stem(parts, "____"), answer=_true_false_word(answers),
                         explanation=explanation)


def _choice(parts: _Parts, answers: list[_Answer]) -> QuestionDraft:
    """With an `=` option Moodle shows radio buttons (single), else check boxes (multiple)."""
    options = [Option(_markdown(*_with_format(answer.text, parts.text_format))) for answer in answers]
    _check_options(options)
    if any(answer.mark == "=" for answer in answers):
        return _single(parts, answers, options)
    return _multiple(parts, answers, options)


def _single(parts: _Parts, answers: list[_Answer], options: list[Option]) -> QuestionDraft:
    right = [i for i, answer in enumerate(answers) if answer.score == 100]
    if len(right) > 1:
        raise _skipped(N_("not converted: %(count)d options are marked right, but a single-choice question has one "
                          "right option; for a multiple-answer question give the right options positive weights "
                          "like %(example)s instead of `=`", count=len(right), example="~%50%"))
    if not right:
        raise _NotConverted(_no_right_answer())
    options[right[0]].correct = True
    if any(answer.weight is not None and answer.score != (100 if answer.mark == "=" else 0) for answer in answers):
        parts.notes.append(N_("the answer weights (%(weights)s) are dropped: only the `=` option is right and the "
                              "others score nothing", weights=_weights(answers)))
    return QuestionDraft("single", _stem(parts, "____"), options=options)


def _multiple(parts: _Parts, answers: list[_Answer], options: list[Option]) -> QuestionDraft:
    for option, answer in zip(options, answers):
        option.correct = answer.score > 0
    if not any(option.correct for option in options):
        raise _NotConverted(_no_right_answer())
    if not _weights_match_partial_scoring(answers):
        parts.notes.append(N_("the answer weights (%(weights)s) are graded as our partial scoring: half the points "
                              "for some right options and no wrong one, nothing if a wrong option is chosen",
                              weights=_weights(answers)))
    return QuestionDraft("multiple", _stem(parts, "____"), options=options, scoring="partial")


def _check_options(options: list[Option]) -> None:
    """Our choice questions need each option written and different from the others."""
    if any(not option.text for option in options):
        raise _NotConverted(N_("an answer is empty: write its text after its `=` or `~`, or remove the mark"))
    texts = [option.text for option in options]
    repeated = next((text for i, text in enumerate(texts) if text in texts[:i]), None)
    if repeated is not None:
        raise _NotConverted(N_("the answer %(answer)r is given twice: the options of a question must differ",
                               answer=repeated))


def _no_right_answer() -> Message:
    return N_("no right answer: mark the right option with `=`, or give the right options of a multiple-answer "
              "question positive weights like %(example)s", example="~%50%")


def _weights_match_partial_scoring(answers: list[_Answer]) -> bool:
    """Right options share 100 % equally and every wrong one costs everything (-100 %)."""
    right = [answer.score for answer in answers if answer.score > 0]
    wrong = [answer.score for answer in answers if answer.score <= 0]
    return (max(right) - min(right) <= Decimal("0.01") and abs(sum(right) - 100) <= Decimal("0.1")
            and all(score == -100 for score in wrong))


def _weights(answers: list[_Answer]) -> str:
    return ", ".join(f"{_number_text(answer.score)}%" for answer in answers)


def _short_answer(parts: _Parts, answers: list[_Answer]) -> QuestionDraft:
    full = [answer for answer in answers if answer.score == 100]
    if not full:
        raise _NotConverted(_no_full_marks())
    dropped = ", ".join(_plain_answer(answer.text, parts.text_format) for answer in answers if answer.score != 100)
    if dropped:
        parts.notes.append(N_("answers with partial credit (%(answers)s) are dropped: only full-mark answers are "
                              "accepted", answers=dropped))
    blank = Blank([_plain_answer(answer.text, parts.text_format) for answer in full])
    problem = blank_problem(blank)
    if problem:
        raise _NotConverted(problem)
    return QuestionDraft("fill", _fill_stem(parts), blanks=[blank])


def _no_full_marks() -> Message:
    return N_("no answer gets full marks: write at least one answer with `=` and no weight (or the weight "
              "%(full)s)", full="%100%")


def _numeric(parts: _Parts, text: str) -> QuestionDraft:
    """`{#…}`: the full-mark number; `~` answers only carry feedback, so they are left out."""
    answers = _answers(text)
    _feedback_warning(parts, answers)
    numbers = [(answer, _numeric_blank(answer.text)) for answer in answers if answer.mark == "="]
    full = [blank for answer, blank in numbers if answer.score == 100]
    if not full:
        raise _NotConverted(_no_full_marks())
    if len(numbers) > 1:
        others = ", ".join(_numeric_text(blank) for _, blank in numbers if blank is not full[0])
        parts.notes.append(N_("only the full-mark answer %(answer)s is kept; the other numeric answers (%(others)s) "
                              "are dropped", answer=_numeric_text(full[0]), others=others))
    return QuestionDraft("fill", _fill_stem(parts), blanks=[full[0]])


def _numeric_blank(text: str) -> Blank:
    """`3.14`, `3.14:0.01` or `3.13..3.15` -> a blank of one number and its tolerance."""
    spec = unicodedata.normalize("NFKC", _unprotect(text)).strip()
    if match := _EXACT.fullmatch(spec):
        value, tolerance = _number(match.group(1)), Decimal(0)
    elif match := _WITH_TOLERANCE.fullmatch(spec):
        value, tolerance = _number(match.group(1)), _number(match.group(2))
    elif match := _RANGE.fullmatch(spec):
        low, high = _number(match.group(1)), _number(match.group(2))
        if low is not None and high is not None and low > high:
            raise _NotConverted(N_("the range %(answer)r is reversed: write the lower end first, e.g. `3.13..3.15`",
                                   answer=spec))
        value = None if low is None or high is None else _DECIMALS.divide(_DECIMALS.add(low, high), 2)
        tolerance = None if low is None or high is None else _DECIMALS.divide(_DECIMALS.subtract(high, low), 2)
    else:
        raise _NotConverted(N_("malformed numeric answer %(answer)r: write a number (`3.14`), a number and its "
                               "tolerance (`3.14:0.01`) or a range (`3.13..3.15`)", answer=spec))
    if value is None or tolerance is None or tolerance < 0:
        raise _NotConverted(N_("the number %(answer)r is out of range: write numbers from 1e-15 to 1e15 in size "
                               "(or 0) and a tolerance that isn't negative", answer=spec))
    return Blank([_number_text(value)], float(tolerance) or None)


def _number(text: str) -> Decimal | None:
    """The number, or None when it is too large or too small for a blank (`1e-999999` would print
    a million zeros)."""
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if number == 0:
        return Decimal(0)
    return number if -_MAX_EXPONENT <= number.adjusted() < _MAX_EXPONENT else None


def _number_text(number: Decimal) -> str:
    return "0" if number == 0 else format(number.normalize(_DECIMALS), "f")


def _numeric_text(blank: Blank) -> str:
    return f"{blank.answers[0]} ± {blank.tolerance:g}" if blank.tolerance else blank.answers[0]


def _essay(parts: _Parts, general: str) -> QuestionDraft:
    reference = _markdown(*_with_format(general, parts.text_format))
    if not reference:
        raise _skipped(N_("not converted: an essay without a reference answer (our short questions need one); add the "
                          "reference answer as general feedback (`{####…}`) to convert it"))
    parts.notes.append(N_("the general feedback (`####…`) became the reference answer, and the question is worth "
                          "1 point (Moodle's default mark): check both"))
    return QuestionDraft("short", _stem(parts, "____"), reference=reference, points=1)


# -- text -> Markdown ---------------------------------------------------------------------------------------

def _stem(parts: _Parts, missing_word: str) -> str:
    """The question text in Markdown: `missing_word` where the braces were if the text goes on after them."""
    text = _markdown(parts.before + ANSWERS_HERE + parts.after, parts.text_format)
    stem = text.replace(ANSWERS_HERE, missing_word if parts.missing_word else "").strip()
    if not stem:
        raise _NotConverted(N_("the question has no text: write it before the answers in braces"))
    return stem


def _fill_stem(parts: _Parts) -> str:
    """The stem with the blank marker `{{1}}` where the braces were; literal `{{` escaped as `\\{{`."""
    text = _markdown(parts.before + ANSWERS_HERE + parts.after, parts.text_format)
    if not text.replace(ANSWERS_HERE, "").strip():
        raise _NotConverted(N_("the question has no text: write it before the answers in braces"))
    if ANSWERS_HERE not in text:  # the braces sat inside an HTML attribute: the blank goes last
        text += " " + ANSWERS_HERE
    before, _, after = text.partition(ANSWERS_HERE)
    before, after = (part.replace(ANSWERS_HERE, "").replace("{{", "\\{{") for part in (before, after))
    return _before_blank(before) + "{{1}}" + after


def _before_blank(text: str) -> str:
    """A `{` or `\\` right before a blank would join it (`{{{1}}`, `\\{{1}}`): write that character as an entity."""
    if text.endswith("\\\\"):
        return text[:-2] + "&#92;"
    if text.endswith("\\"):
        return text[:-1] + "&#92;"
    if text.endswith("{"):
        return text[:-1] + "&#123;"
    return text


def _markdown(text: str, text_format: str) -> str:
    """Protected GIFT text in its format -> Markdown."""
    text = _unprotect(text)
    if text_format == "markdown":
        return text.strip()
    if text_format == "html":
        return html_to_markdown(text)
    if text_format == "moodle" and _HTML_TAG.search(text):
        return html_to_markdown(text.replace("\n", "<br>\n"))
    return escape_plain(text)


def _plain_answer(text: str, text_format: str) -> str:
    """A blank's accepted answer is compared as text: HTML tags and entities are taken out."""
    text, text_format = _with_format(_unprotect(text), text_format)
    if text_format == "html" or (text_format == "moodle" and _HTML_TAG.search(text)):
        text = html.unescape(_HTML_TAG.sub("", text))
    return text.strip()


def _join_paragraphs(*texts: str) -> str:
    return "\n\n".join(text.strip() for text in texts if text.strip())


class _Converter(MarkdownConverter):
    """markdownify, with text escaped for our Markdown (Python-Markdown) rather than CommonMark's rules."""

    def escape(self, text, parent_tags):
        return escape_inline(text, every_line_start=True) if text else ""


def html_to_markdown(text: str) -> str:
    depth = _html_depth(text)
    if depth > MAX_HTML_DEPTH:
        raise _html_too_deep(depth)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # BeautifulSoup's "looks like a URL/filename" hints
            return _Converter(heading_style="ATX", bullets="-").convert(text).strip()
    except RecursionError:  # nesting the depth count didn't see
        raise _html_too_deep(depth) from None


def _html_too_deep(depth: int) -> _NotConverted:
    return _NotConverted(N_("the HTML of this question is nested %(depth)d levels deep, more than the %(limit)d "
                            "that can be converted: simplify it", depth=depth, limit=MAX_HTML_DEPTH))


def _html_depth(text: str) -> int:
    """How deep the tags nest, counting those left open (an upper bound of markdownify's recursion)."""
    depth = deepest = 0
    for match in _HTML_TAG.finditer(text):
        tag = match.group(0)
        name = re.match(r"</?([A-Za-z][\w-]*)", tag).group(1).lower()
        if tag.startswith("</"):
            depth = max(depth - 1, 0)
        elif name not in _VOID_TAGS and not tag.endswith("/>"):
            depth += 1
            deepest = max(deepest, depth)
    return deepest
