"""Fill in the blanks.

In the source each blank is `{{accepted|also accepted}}` or `{{3.14 ± 0.01}}`; `\\{{` is a literal `{{`.
The stored stem keeps Markdown with each blank replaced by the marker `{{n}}` (n = 1, 2, ...), and
`\\{{` left as written, so markers and literal braces stay distinguishable.
A blank whose only answer is a number (`{{443}}`, `{{99.9%}}`, `{{3.14 ± 0.01}}`) also accepts any
spelling of that number within the tolerance (`99.90`, `１，０２４`, `−3`), with or without the unit the
key implies: the key's own (`{{99.9%}}`, `{{30 分钟}}`) or a unit written right after the blank in the
stem (`{{85}}%`, `{{30}} 分钟`); another unit is wrong. A blank with alternatives compares as text only.
Text compares after NFKC, case folding (unless `case_sensitive`), dash variants as `-`, and without
trailing sentence punctuation (`HTTPS。` matches `HTTPS`).
Payload: {"blanks": [{"answers": [str], "number": float | None, "tolerance": float | None,
          "unit": str (only when implied)}], "case_sensitive": bool}. Response: list[str], one per blank.
"""
from __future__ import annotations

import html
import re
import unicodedata
from typing import Any

from examengine.core.messages import N_
from examengine.core.qtypes.base import (
    LIVE,
    MAX_BLANK_CHARS,
    FormValues,
    Grade,
    Line,
    ParseContext,
    QuestionType,
    Renderer,
    clean_text,
    first_value,
    join_markdown,
    parse_bool,
    scored,
)
from examengine.core.text import normalize_blank, numbers_match, parse_number, parse_typed_number, units_match

_NUM = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_TOLERANCE = re.compile(rf"\s*({_NUM})\s*(?:±|\+/-|\+-)\s*({_NUM})\s*")
_LOOKS_NUMERIC_WITH_TOLERANCE = re.compile(r"±|\d\s*\+/?-")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
# A stored marker, or an escaped literal `\{{` (checked first, so `\{{1}}` stays literal).
_STORED_MARKER = re.compile(r"\\\{\{|\{\{(\d+)\}\}")
# An HTML tag, attribute values included (sanitized output may keep `>` inside quotes).
_TAG = re.compile(r"""<(?:[^>"']|"[^"]*"|'[^']*')*>""")
# A unit written right after a numeric blank in the stem (`{{85}}%`, `{{30}} 分钟`, `{{100}} MB`): only
# these, so an ordinary word after a blank (`{{443}} and ...`) is never taken for a unit.
_STEM_UNIT = re.compile(r" ?(%|％|‰|℃|(?:ms|s|min|h|KB|MB|GB|TB|kbps|Mbps|Gbps|MHz|GHz)(?![A-Za-z])"
                        r"|毫秒|秒|分钟|小时|天)")
INPUT_CLASS = "form-control d-inline-block w-auto"


def _blank_from_text(content: str) -> tuple[dict | None, str | None]:
    """(blank, None) for valid blank content, else (None, error message)."""
    if "{{" in content:
        return None, N_("a blank can't contain `{{` (is a `}}` missing?)")
    if _LOOKS_NUMERIC_WITH_TOLERANCE.search(content):
        match = _TOLERANCE.fullmatch(unicodedata.normalize("NFKC", content))
        if not match:
            return None, N_("malformed numeric blank `{{%(content)s}}`: write it as `{{3.14 ± 0.01}}`", content=content)
        number, tolerance = parse_number(match.group(1)), parse_number(match.group(2))
        if number is None or tolerance is None:
            return None, N_("the number in blank `{{%(content)s}}` is too large", content=content)
        return {"answers": [match.group(1)], "number": number, "tolerance": tolerance}, None
    answers = [part.strip().replace("\\|", "|") for part in _UNESCAPED_PIPE.split(content)]
    if not any(answers):
        return None, N_("empty blank `{{}}`: write the accepted answer inside the braces")
    if not all(answers):
        return None, N_("empty alternative in blank `{{%(content)s}}`: remove the extra `|`", content=content)
    typed = parse_typed_number(answers[0]) if len(answers) == 1 else None
    blank = {"answers": answers, "number": typed[0] if typed else None, "tolerance": None}
    if typed and typed[1]:
        blank["unit"] = typed[1]
    return blank, None


def _with_stem_unit(blank: dict, after: str) -> dict:
    """A numeric blank without a unit of its own takes the unit the stem writes right after it."""
    match = _STEM_UNIT.match(after)
    if blank.get("number") is not None and "unit" not in blank and match:
        blank["unit"] = unicodedata.normalize("NFKC", match.group(1))
    return blank


def _extract_blanks(line: Line, blanks: list[dict], report) -> str:
    """The line with each blank replaced by its `{{n}}` marker; appends to `blanks`."""
    text, out, pos = line.text, [], 0
    while (start := text.find("{{", pos)) >= 0:
        if start > 0 and text[start - 1] == "\\":
            out.append(text[pos:start + 2])
            pos = start + 2
            continue
        end = text.find("}}", start + 2)
        if end < 0:
            report(line.number, "unclosed blank: `{{` without `}}` on the same line (write `\\{{` for literal braces)")
            break
        blank, problem = _blank_from_text(text[start + 2:end])
        if problem:
            report(line.number, problem)
            out.append(text[pos:end + 2])
        else:
            blanks.append(_with_stem_unit(blank, text[end + 2:]))
            out.append(f"{text[pos:start]}{{{{{len(blanks)}}}}}")
        pos = end + 2
    out.append(text[pos:])
    return "".join(out)


def _input_html(field_name: str, index: int, response: Any) -> str:
    value = ""
    if isinstance(response, (list, tuple)) and index < len(response) and isinstance(response[index], str):
        value = response[index]
    return (f'<input type="text" class="{INPUT_CLASS}" name="{html.escape(field_name)}.{index}" '
            f'value="{html.escape(value)}" aria-label="{index + 1}" autocomplete="off" spellcheck="false">')


class Fill(QuestionType):
    name = "fill"
    aliases = ("填空",)
    family = "fill"
    template = "questions/fill.html"
    meta_keys = frozenset({"case_sensitive"})

    def default_points(self, payload: dict) -> float:
        return float(len(payload["blanks"]))

    def parse_body(self, ctx: ParseContext) -> dict:
        blanks: list[dict] = []
        problems: list[tuple[int, str]] = []
        stem = [line._replace(text=_extract_blanks(line, blanks, lambda *p: problems.append(p)))
                for line in ctx.stem_lines]
        ctx.stem = join_markdown(stem)
        for line_number, message in problems:
            ctx.error(line_number, message)
        if not blanks and not problems:
            ctx.error(ctx.heading.number, N_("a [fill] question needs at least one blank, e.g. `{{443}}`"))
        return {"blanks": blanks, "case_sensitive": self._case_sensitive(ctx)}

    def _case_sensitive(self, ctx: ParseContext) -> bool:
        entry = ctx.meta.get("case_sensitive")
        if entry is None:
            return False
        value = parse_bool(entry.value)
        if value is None:
            ctx.error(entry.line, N_("case_sensitive must be true or false, not %(value)r", value=entry.value))
        return bool(value)

    def public_payload(self, payload: dict, *, option_order: list[int] | None = None) -> dict:
        return {"blank_count": len(payload["blanks"])}

    def stem_html(self, stem_md: str, *, field_name: str = "answer", response: Any = None,
                  render: Renderer = LIVE) -> str:
        """The stem with an input box per blank, named `{field_name}.{i}` (i = 0, 1, ...).

        Blanks become placeholder words (with the renderer's secret nonce: per process, or the one the
        version's stored HTML was made with, so an author cannot write one into a stem) before
        rendering, since sanitize() would strip inputs; the words are swapped for inputs in text only,
        never inside a tag.
        """
        nonce = render.nonce
        numbers: list[int] = []

        def placeholder(match: re.Match) -> str:
            if match.group(1) is None:
                return "{{"
            numbers.append(int(match.group(1)))
            return f"blank{nonce}n{match.group(1)}x"

        rendered = render(_STORED_MARKER.sub(placeholder, stem_md))
        placed: set[int] = set()

        def to_input(match: re.Match) -> str:
            placed.add(int(match.group(1)))
            return _input_html(field_name, int(match.group(1)) - 1, response)

        token = re.compile(f"blank{nonce}n(\\d+)x")
        parts = [token.sub("", part) if _TAG.fullmatch(part) else token.sub(to_input, part)
                 for part in re.split(f"({_TAG.pattern})", rendered)]
        missing = [_input_html(field_name, n - 1, response) for n in numbers if n not in placed]
        if missing:  # a blank inside a link or an image: keep it answerable
            parts.append("<p>" + " ".join(missing) + "</p>")
        return "".join(parts)

    def grade(self, payload: dict, response: Any, points: float, *,
              multiple_scoring: str | None = None) -> Grade:
        blanks = payload["blanks"]
        given = list(response) if isinstance(response, (list, tuple)) else []
        results = [i < len(given) and self._matches(blank, given[i], payload.get("case_sensitive", False))
                   for i, blank in enumerate(blanks)]
        fraction = sum(results) / len(blanks) if blanks else 0.0
        return Grade(scored(points, fraction), False, {"blanks": results})

    @staticmethod
    def _matches(blank: dict, given: Any, case_sensitive: bool) -> bool:
        if not isinstance(given, str):
            return False
        typed = normalize_blank(given, case_sensitive=case_sensitive)
        if any(typed == normalize_blank(answer, case_sensitive=case_sensitive) for answer in blank["answers"]):
            return True
        number, unit = Fill._key_number(blank)
        typed_number = parse_typed_number(given) if number is not None else None
        return (typed_number is not None and units_match(typed_number[1], unit)
                and numbers_match(typed_number[0], number, blank.get("tolerance")))

    @staticmethod
    def _key_number(blank: dict) -> tuple[float | None, str | None]:
        """The blank's number and unit; blanks stored before units were read (`{{99.9%}}` kept as text
        only) get them from their key now, so their waiting answers are graded by today's rules."""
        if blank.get("number") is not None or len(blank["answers"]) != 1:
            return blank.get("number"), blank.get("unit")
        typed = parse_typed_number(blank["answers"][0])
        return (typed[0], typed[1] or None) if typed else (None, None)

    def clean_response(self, payload: dict, raw: Any, *, option_order: list[int] | None = None) -> list[str] | None:
        """One string per blank, in order (missing ones ""); None when every blank is empty."""
        if raw is None:
            return None
        if not isinstance(raw, (list, tuple)):
            raise ValueError(N_("a fill-in answer must be a list with one text per blank"))
        count = len(payload["blanks"])
        if len(raw) > count:
            raise ValueError(N_("%(given)d blanks given, the question has %(count)d", given=len(raw), count=count))
        # A blank is one line: a pasted line break becomes a space.
        given = ["" if value is None else
                 clean_text(value, limit=MAX_BLANK_CHARS, what=N_("blank %(number)d", number=i + 1)).replace("\n", " ")
                 for i, value in enumerate(raw)]
        given += [""] * (count - len(given))
        return given if self.is_answered(given) else None

    def form_response(self, payload: dict, values: FormValues, field_name: str) -> list[str]:
        """Inputs are named `{field_name}.{i}`, as stem_html() renders them."""
        return [first_value(values, f"{field_name}.{i}") for i in range(len(payload["blanks"]))]

    def is_answered(self, response: Any) -> bool:
        return isinstance(response, (list, tuple)) and any(isinstance(v, str) and v.strip() for v in response)

    def view(self, payload: dict, *, response: Any, option_order: list[int] | None, show_key: bool,
             render: Renderer = LIVE) -> dict:
        values: dict = {"blank_count": len(payload["blanks"])}
        if show_key:
            values["blanks"] = [self._key_text(blank) for blank in payload["blanks"]]
        return values

    @staticmethod
    def _key_text(blank: dict) -> str:
        if blank.get("tolerance") is not None:
            return f"{blank['answers'][0]} ± {blank['tolerance']:g}"
        return " | ".join(blank["answers"])
