"""Choice questions: single, multiple (options from a task list) and truefalse.

single/multiple payload: {"options": [{"md", "correct"}], "shuffle": bool, "scoring": str | None}.
Stored responses index the ORIGINAL (authored) option list, so shuffling for display never changes the
key and grading, regrades and results read them as they are. The examinee's page, though, only ever
sees and posts DISPLAYED positions on their paper (0 = the first option shown): authors often list the
right option first, so an authored index in the page would give the key away. `clean_response` maps
positions back through the slot's frozen `option_order`, and `view` maps the stored answer forward.
truefalse payload: {"answer": bool}; response: bool.
"""
from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from typing import Any

from examengine.core.messages import N_
from examengine.core.qtypes.base import (
    LIVE,
    FormValues,
    Grade,
    Line,
    ParseContext,
    QuestionType,
    Renderer,
    first_value,
    join_markdown,
    parse_bool,
    scored,
)

_INDEX_TEXT = re.compile(r"\d{1,6}", re.ASCII)
# A GitHub task-list item: `- [ ] text`, `* [x] text`, `+ [X] text` (up to 3 spaces of indent).
TASK_ITEM = re.compile(r"^ {0,3}[-*+][ \t]+\[([ xX])\](?:[ \t]+(.*?))?[ \t]*$")
SCORING_MODES = ("all-or-nothing", "partial")


@dataclass
class _Option:
    line: Line
    correct: bool
    parts: list[str] = field(default_factory=list)

    @property
    def markdown(self) -> str:
        first, *rest = self.parts
        return (first + "\n" + textwrap.dedent("\n".join(rest))).strip()


def _item(line: Line) -> re.Match | None:
    return None if line.in_fence else TASK_ITEM.match(line.text)


def _continues_item(line: Line) -> bool:
    """Blank, or indented under the item above it."""
    return not line.text.strip() or line.text[:1] in (" ", "\t")


def _options_start(lines: list[Line]) -> int | None:
    """Index of the first item of the last task list, or None if there is no task list."""
    last = max((i for i, line in enumerate(lines) if _item(line)), default=None)
    if last is None:
        return None
    start = last
    for i in range(last, -1, -1):
        if _item(lines[i]):
            start = i
        elif not _continues_item(lines[i]):
            break
    return start


def _read_options(lines: list[Line]) -> tuple[list[_Option], Line | None]:
    """The options from a task list onwards, and the first line of text after them, if any."""
    options: list[_Option] = []
    for line in lines:
        match = _item(line)
        if match:
            options.append(_Option(line, match.group(1) in "xX", [match.group(2) or ""]))
        elif _continues_item(line):
            options[-1].parts.append(line.text)
        else:
            return options, line
    return options, None


def _display_order(count: int, option_order: list[int] | None) -> list[int]:
    """Displayed position -> authored index (identity when the options are not shuffled)."""
    if option_order is None:
        return list(range(count))
    if sorted(option_order) != list(range(count)):
        raise ValueError(N_("option_order must be a permutation of 0..%(last)d", last=count - 1))
    return list(option_order)


class ChoiceQuestion(QuestionType):
    """Shared by single and multiple: the options are the question's last task list."""

    family = "choice"
    template = "questions/choice.html"
    meta_keys = frozenset({"shuffle"})
    input_type = "radio"

    def parse_body(self, ctx: ParseContext) -> dict:
        payload = {"options": [], "shuffle": self._shuffle(ctx), "scoring": self._scoring(ctx)}
        start = _options_start(ctx.stem_lines)
        if start is None:
            ctx.error(ctx.heading.number, self._no_options_message(ctx))
            return payload
        options, stray = _read_options(ctx.stem_lines[start:])
        if stray is not None:
            ctx.error(stray.number, N_("text after the options: the options (task list) must come last, before "
                                       "any ### section; move this text above them or into ### Explanation"))
        ctx.stem = join_markdown(ctx.stem_lines[:start])
        self._check_options(ctx, options)
        payload["options"] = [{"md": option.markdown, "correct": option.correct} for option in options]
        return payload

    def _no_options_message(self, ctx: ParseContext) -> str:
        if any(line.in_fence and TASK_ITEM.match(line.text) for line in ctx.stem_lines):
            return N_("no options: list them as a task list, `- [ ] wrong` and `- [x] right` "
                      "(a task list inside a fenced code block is code, not options)")
        return N_("no options: list them as a task list, `- [ ] wrong` and `- [x] right`")

    def _shuffle(self, ctx: ParseContext) -> bool:
        entry = ctx.meta.get("shuffle")
        if entry is None:
            return True
        value = parse_bool(entry.value)
        if value is None:
            ctx.error(entry.line, N_("shuffle must be true or false, not %(value)r", value=entry.value))
        return value is not False

    def _scoring(self, ctx: ParseContext) -> str | None:
        return None

    def _check_options(self, ctx: ParseContext, options: list[_Option]) -> None:
        first_line = options[0].line.number
        if len(options) < 2:
            ctx.error(first_line, N_("a [%(type)s] question needs at least two options, found %(count)d",
                                     type=self.name, count=len(options)))
        seen: dict[str, int] = {}
        for option in options:
            text = option.markdown
            if not text:
                ctx.error(option.line.number, N_("empty option: write the option's text after `- [ ]`"))
            elif text in seen:
                ctx.error(option.line.number, N_("duplicate option %(text)r (same as line %(line)d)",
                                                 text=text, line=seen[text]))
            seen.setdefault(text, option.line.number)
        self._check_checked(ctx, first_line, sum(option.correct for option in options))

    def _check_checked(self, ctx: ParseContext, line: int, checked: int) -> None:
        raise NotImplementedError

    def public_payload(self, payload: dict, *, option_order: list[int] | None = None) -> dict:
        """The options in display order; an option's position in the list is its value on the page
        (no authored index: it would reveal the author's order, and with it often the key)."""
        options = payload["options"]
        return {"options": [{"md": options[i]["md"]} for i in _display_order(len(options), option_order)]}

    def view(self, payload: dict, *, response: Any, option_order: list[int] | None, show_key: bool,
             render: Renderer = LIVE) -> dict:
        """Options in display order, each with `value` = its displayed position (what the input posts)
        and `checked` from the stored (authored) response."""
        chosen = self._chosen(response, len(payload["options"])) or set()
        options = []
        for position, index in enumerate(_display_order(len(payload["options"]), option_order)):
            option = payload["options"][index]
            entry = {"value": position, "html": render(option["md"]), "checked": index in chosen}
            if show_key:
                entry["correct"] = option["correct"]
            options.append(entry)
        return {"input_type": self.input_type, "options": options}

    def _chosen(self, response: Any, count: int) -> set[int] | None:
        raise NotImplementedError

    @staticmethod
    def _correct(payload: dict) -> set[int]:
        return {i for i, option in enumerate(payload["options"]) if option["correct"]}


def _valid_index(value: Any, count: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < count


def _clean_index(raw: Any, count: int) -> int:
    """A displayed option position from JSON or a form: an int or its decimal digits, below `count`."""
    value = raw
    if isinstance(raw, str) and _INDEX_TEXT.fullmatch(raw.strip()):
        value = int(raw.strip())
    if not (isinstance(value, int) and not isinstance(value, bool)):
        raise ValueError(N_("an option must be given by its number, not %(raw).40r", raw=raw))
    if not 0 <= value < count:
        raise ValueError(N_("option %(value)d does not exist (the question has %(count)d options)", value=value, count=count))
    return value


class SingleChoice(ChoiceQuestion):
    name = "single"
    aliases = ("单选", "单项选择")

    def _check_checked(self, ctx: ParseContext, line: int, checked: int) -> None:
        if checked != 1:
            ctx.error(line, N_("a [single] question needs exactly one checked option (`- [x]`), found %(count)d",
                               count=checked))

    def _chosen(self, response: Any, count: int) -> set[int] | None:
        return {response} if _valid_index(response, count) else None

    def clean_response(self, payload: dict, raw: Any, *, option_order: list[int] | None = None) -> int | None:
        """The authored index of the option shown at position `raw`, or None (unanswered)."""
        if raw is None or raw == "":
            return None
        count = len(payload["options"])
        return _display_order(count, option_order)[_clean_index(raw, count)]

    def form_response(self, payload: dict, values: FormValues, field_name: str) -> str | None:
        chosen = [value for value in values(field_name) if value != ""]
        if len(chosen) > 1:
            raise ValueError(N_("a single-choice question takes one option"))
        return chosen[0] if chosen else None

    def grade(self, payload: dict, response: Any, points: float, *,
              multiple_scoring: str | None = None) -> Grade:
        correct = self._correct(payload)
        chosen = self._chosen(response, len(payload["options"]))
        detail = {"selected": sorted(chosen or ()), "correct": sorted(correct)}
        return Grade(scored(points, 1.0 if chosen == correct else 0.0), False, detail)


class MultipleChoice(ChoiceQuestion):
    name = "multiple"
    aliases = ("多选", "多项选择")
    meta_keys = frozenset({"shuffle", "scoring"})
    input_type = "checkbox"

    def default_points(self, payload: dict) -> float:
        return 2.0

    def _scoring(self, ctx: ParseContext) -> str | None:
        entry = ctx.meta.get("scoring")
        if entry is None:
            return None
        mode = entry.value.strip().casefold().replace("_", "-").replace(" ", "-")
        if mode not in SCORING_MODES:
            ctx.error(entry.line, N_("scoring must be all-or-nothing or partial, not %(value)r",
                                     value=entry.value))
            return None
        return mode

    def _check_checked(self, ctx: ParseContext, line: int, checked: int) -> None:
        if checked < 1:
            ctx.error(line, N_("a [multiple] question needs at least one checked option (`- [x]`), found 0"))

    def _chosen(self, response: Any, count: int) -> set[int] | None:
        if not isinstance(response, (list, tuple)):
            return None
        if not all(_valid_index(value, count) for value in response):
            return None
        return set(response)

    def clean_response(self, payload: dict, raw: Any, *,
                       option_order: list[int] | None = None) -> list[int] | None:
        """The authored indexes of the options shown at the positions in `raw`, sorted and without
        repeats; None when nothing is chosen."""
        if raw is None:
            return None
        if not isinstance(raw, (list, tuple)):
            raise ValueError(N_("a multiple-choice answer must be a list of options"))
        count = len(payload["options"])
        if len(raw) > count:
            raise ValueError(N_("%(given)d options given, the question has %(count)d", given=len(raw), count=count))
        order = _display_order(count, option_order)
        chosen = sorted({order[_clean_index(value, count)] for value in raw})
        return chosen or None

    def form_response(self, payload: dict, values: FormValues, field_name: str) -> list[str]:
        return [value for value in values(field_name) if value != ""]

    def is_answered(self, response: Any) -> bool:
        return bool(response)

    def grade(self, payload: dict, response: Any, points: float, *,
              multiple_scoring: str | None = None) -> Grade:
        mode = multiple_scoring or payload.get("scoring") or "all-or-nothing"
        if mode not in SCORING_MODES:
            raise ValueError(f"unknown scoring mode {mode!r}")
        correct = self._correct(payload)
        chosen = self._chosen(response, len(payload["options"])) or set()
        if chosen == correct:
            fraction = 1.0
        elif mode == "partial" and chosen and chosen < correct:
            fraction = 0.5
        else:
            fraction = 0.0
        detail = {"selected": sorted(chosen), "correct": sorted(correct), "scoring": mode}
        return Grade(scored(points, fraction), False, detail)


TRUEFALSE_WORDS = {
    "true": True, "t": True, "对": True, "正确": True, "√": True, "✓": True,
    "false": False, "f": False, "错": False, "错误": False, "×": False, "✗": False,
}


class TrueFalse(QuestionType):
    name = "truefalse"
    aliases = ("判断", "true/false", "true-false", "tf")
    family = "choice"
    template = "questions/choice.html"
    meta_keys = frozenset({"answer"})

    def parse_body(self, ctx: ParseContext) -> dict:
        entry = ctx.meta.get("answer")
        if entry is None:
            ctx.error(ctx.heading.number, N_("missing answer: add `answer: true` or `answer: false` "
                                             "under the heading (对/错 and T/F work too)"))
            return {"answer": False}
        answer = TRUEFALSE_WORDS.get(entry.value.strip().casefold())
        if answer is None:
            ctx.error(entry.line, N_("answer must be true/false, T/F, 对/错 or 正确/错误, not %(value)r",
                                     value=entry.value))
        return {"answer": bool(answer)}

    def grade(self, payload: dict, response: Any, points: float, *,
              multiple_scoring: str | None = None) -> Grade:
        given = response if isinstance(response, bool) else None
        detail = {"selected": given, "correct": payload["answer"]}
        return Grade(scored(points, 1.0 if given is payload["answer"] else 0.0), False, detail)

    def clean_response(self, payload: dict, raw: Any, *, option_order: list[int] | None = None) -> bool | None:
        """True, False, or None (unanswered); the form's "true"/"false" are accepted too."""
        if raw is None or raw == "":
            return None
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().casefold() in ("true", "false"):
            return raw.strip().casefold() == "true"
        raise ValueError(N_("a true/false answer must be true or false, not %(raw).40r", raw=raw))

    def form_response(self, payload: dict, values: FormValues, field_name: str) -> str:
        return first_value(values, field_name)

    def view(self, payload: dict, *, response: Any, option_order: list[int] | None, show_key: bool,
             render: Renderer = LIVE) -> dict:
        values = {"selected": response if isinstance(response, bool) else None}
        if show_key:
            values["answer"] = payload["answer"]
        return values
