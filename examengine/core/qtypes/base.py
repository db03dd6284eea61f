"""The question-type contract, and what the bank parser hands a type to parse its part.

A type is a `QuestionType` subclass with a `name`; `examengine.core.qtypes` finds and registers it.
Types report problems through `ParseContext.error()` and never raise on author input.
"""
from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, NamedTuple

from examengine.core.markup import render_markdown
from examengine.core.messages import N_, Message

# Longest answer text accepted from an examinee: a written answer, and one blank of a fill question.
MAX_TEXT_CHARS = 20_000
MAX_BLANK_CHARS = 1_000

# How a type reads the no-JavaScript exam form: field name -> every value posted under it.
FormValues = Callable[[str], list[str]]


class Line(NamedTuple):
    number: int  # 1-based line number in the file
    text: str
    in_fence: bool = False  # inside a fenced code block, fence lines included


class MetaEntry(NamedTuple):
    value: str
    line: int


# Canonical level-3 section names and how authors may write them (compared casefolded).
SECTION_NAMES: dict[str, tuple[str, ...]] = {
    "case": ("案例", "Case", "案例材料"),
    "reference": ("参考答案", "Reference answer", "Reference"),
    "rubric": ("评分标准", "Rubric"),
    "explanation": ("解析", "Explanation"),
}
_SECTION_LOOKUP = {alias.casefold(): name for name, aliases in SECTION_NAMES.items() for alias in aliases}


def section_name(heading_text: str) -> str | None:
    """Canonical section name for a `###` heading's text, or None for an ordinary heading."""
    text = unicodedata.normalize("NFKC", heading_text).strip().rstrip(":").strip().casefold()
    return _SECTION_LOOKUP.get(" ".join(text.split()))


def join_markdown(lines: list[Line]) -> str:
    """The lines' text with leading and trailing blank lines removed."""
    texts = [line.text for line in lines]
    while texts and not texts[0].strip():
        texts.pop(0)
    while texts and not texts[-1].strip():
        texts.pop()
    return "\n".join(texts)


BOOLEAN_WORDS = {
    "true": True, "yes": True, "on": True, "是": True,
    "false": False, "no": False, "off": False, "否": False,
}


def parse_bool(text: str) -> bool | None:
    return BOOLEAN_WORDS.get(text.strip().casefold())


@dataclass(eq=False)
class Section:
    name: str  # canonical, see SECTION_NAMES
    heading: Line
    lines: list[Line]

    @property
    def markdown(self) -> str:
        return join_markdown(self.lines)


@dataclass(eq=False)
class ParseContext:
    """One question as the parser has split it, for `QuestionType.parse_body`.

    `stem` starts as the Markdown of `stem_lines`; a type may replace it (choice removes its options,
    fill swaps each blank for a `{{n}}` marker).
    """
    qtype: str
    heading: Line
    stem_lines: list[Line]
    sections: dict[str, Section]
    meta: dict[str, MetaEntry]  # type-specific metadata keys only
    question_points: float | None  # `points:` on the question itself
    report: Callable[[int, str], None]
    stem: str = field(default="")

    def __post_init__(self) -> None:
        self.stem = join_markdown(self.stem_lines)

    def error(self, line: int, message: str) -> None:
        self.report(line, message)


class Renderer:
    """Markdown source -> sanitized HTML, for the pages of one question version.

    `html` holds the version's stored fragments (source -> HTML, see `qtypes.render_fragments`); a
    source missing from it is rendered now (`render_markdown`). `nonce` is the unguessable word fill
    questions put in place of their blanks before rendering (`Fill.stem_html`): stored fragments keep
    the nonce they were rendered with, the live renderer has one per process.
    """

    def __init__(self, html: Mapping[str, str] | None = None, nonce: str | None = None) -> None:
        self.html = html or {}
        self.nonce = nonce or secrets.token_hex(8)

    def __call__(self, source: str) -> str:
        found = self.html.get(source)
        return found if found is not None else render_markdown(source)


# Renders every time (render_markdown's per-process cache aside): for versions without stored HTML.
LIVE = Renderer()


@dataclass(frozen=True)
class Grade:
    score: float | None  # None while a reviewer has to grade it
    needs_grading: bool
    detail: dict


class QuestionType:
    """Base of every question type. Subclasses set the class attributes and override the hooks."""

    name: ClassVar[str] = ""  # empty on abstract bases: they are not registered
    aliases: ClassVar[tuple[str, ...]] = ()
    family: ClassVar[str] = ""
    template: ClassVar[str] = ""
    auto_graded: ClassVar[bool] = True
    meta_keys: ClassVar[frozenset[str]] = frozenset()  # metadata keys besides the common ones
    sections: ClassVar[frozenset[str]] = frozenset()  # sections besides `explanation`

    def default_points(self, payload: dict) -> float:
        return 1.0

    def resolve_points(self, payload: dict, question_points: float | None,
                       bank_points: float | None) -> float | None:
        """The question's points: its own, else the bank default, else the type default."""
        if question_points is not None:
            return question_points
        if bank_points is not None:
            return bank_points
        return self.default_points(payload)

    def parse_body(self, ctx: ParseContext) -> dict:
        raise NotImplementedError

    def public_payload(self, payload: dict, *, option_order: list[int] | None = None) -> dict:
        return {}

    def stem_html(self, stem_md: str, *, field_name: str = "answer", response: Any = None,
                  render: Renderer = LIVE) -> str:
        return render(stem_md)

    def grade(self, payload: dict, response: Any, points: float, *,
              multiple_scoring: str | None = None) -> Grade:
        raise NotImplementedError

    def template_context(self, payload: dict, *, stem_md: str, field_name: str = "answer",
                         response: Any = None, option_order: list[int] | None = None,
                         show_key: bool = False, explanation_md: str = "", render: Renderer = LIVE) -> dict:
        """Everything `self.template` needs; every `*_html` value is sanitized HTML.

        Every piece of Markdown goes through `render` (the version's stored fragments, else LIVE).
        """
        context = {
            "type": self.name,
            "field_name": field_name,
            "response": response,
            "show_key": show_key,
            "stem_html": self.stem_html(stem_md, field_name=field_name, response=response, render=render),
            "explanation_html": render(explanation_md) if show_key and explanation_md else "",
        }
        context.update(self.view(payload, response=response, option_order=option_order, show_key=show_key,
                                 render=render))
        return context

    def view(self, payload: dict, *, response: Any, option_order: list[int] | None,
             show_key: bool, render: Renderer = LIVE) -> dict:
        """Type-specific template values; the answer key only when `show_key`; Markdown through `render`."""
        return {}

    # --- the examinee's responses ---
    def clean_response(self, payload: dict, raw: Any, *, option_order: list[int] | None = None) -> Any:
        """The stored form of a raw (JSON) response: validated and normalized; None when unanswered.

        `option_order` is the slot's frozen display order: choice types take DISPLAYED positions from
        the page and store authored indexes. Raises ValueError, with a message saying what is wrong,
        for anything this type cannot store (wrong shape, an option that does not exist, too many
        blanks, overlong text).
        """
        raise NotImplementedError

    def form_response(self, payload: dict, values: FormValues, field_name: str) -> Any:
        """The no-JavaScript form's fields (as the type's template names them) as the raw response
        the page's JSON save would send: not cleaned yet (raises ValueError only for an impossible form)."""
        raise NotImplementedError

    def response_from_form(self, payload: dict, values: FormValues, field_name: str, *,
                           option_order: list[int] | None = None) -> Any:
        """The cleaned (stored) response from the no-JavaScript form."""
        return self.clean_response(payload, self.form_response(payload, values, field_name),
                                   option_order=option_order)

    def is_answered(self, response: Any) -> bool:
        return response is not None


def first_value(values: FormValues, name: str) -> str:
    """The first value posted under `name`, or "" when there is none."""
    posted = values(name)
    return posted[0] if posted else ""


def clean_text(raw: Any, *, limit: int, what: Message) -> str:
    """A posted text: a string (line endings folded to \n), at most `limit` characters."""
    if not isinstance(raw, str):
        raise ValueError(N_("%(what)s must be text", what=what))
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > limit:
        raise ValueError(N_("%(what)s is too long: %(length)s characters, at most %(limit)s are accepted",
                            what=what, length=f"{len(text):,}", limit=f"{limit:,}"))
    return text


def scored(points: float, fraction: float) -> float:
    return round(points * fraction, 2)
