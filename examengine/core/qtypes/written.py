"""Written answers graded by a reviewer: short and analysis.

Payload: {"case": md, "reference": md, "rubric": [{"points": float, "text": str}]}; response: str.
"""
from __future__ import annotations

import re
from typing import Any

from examengine.core.messages import N_
from examengine.core.qtypes.base import (
    LIVE,
    MAX_TEXT_CHARS,
    FormValues,
    Grade,
    ParseContext,
    QuestionType,
    Renderer,
    Section,
    clean_text,
    first_value,
)
from examengine.core.text import parse_number

# `- (3) text`, `* （2.5分） text`, `1. (3) text`: a list item that begins with its points.
RUBRIC_ITEM = re.compile(
    r"^ {0,3}(?:[-*+]|\d+[.)])[ \t]+[(（]\s*([\d.．]+)\s*(?:分|points?|pts?)?\s*[)）][ \t]*(.*?)\s*$",
    re.IGNORECASE,
)


def _rubric_items(section: Section, ctx: ParseContext) -> list[dict]:
    items: list[dict] = []
    for line in section.lines:
        match = None if line.in_fence else RUBRIC_ITEM.match(line.text)
        if match:
            items.append(_rubric_item(match, line.number, ctx))
        elif not line.text.strip():
            continue
        elif items and line.text[:1] in (" ", "\t"):
            items[-1]["text"] = f"{items[-1]['text']} {line.text.strip()}".strip()
        else:
            ctx.error(line.number, N_("a rubric line must be a list item that starts with its points, "
                                      "e.g. `- (3) 先确认影响范围`"))
    return items


def _rubric_item(match: re.Match, line_number: int, ctx: ParseContext) -> dict:
    points = parse_number(match.group(1))
    if points is None or points <= 0:
        ctx.error(line_number, N_("rubric points must be a positive number, not %(value)r",
                                  value=match.group(1)))
        points = 0.0
    if not match.group(2):
        ctx.error(line_number, N_("rubric item has no text: say what earns these points"))
    return {"points": points, "text": match.group(2)}


def rubric_total(payload: dict) -> float:
    return round(sum(item["points"] for item in payload["rubric"]), 2)


class WrittenQuestion(QuestionType):
    family = "written"
    template = "questions/written.html"
    auto_graded = False
    sections = frozenset({"case", "reference", "rubric"})
    rubric_required = False

    def default_points(self, payload: dict) -> float:
        return rubric_total(payload)

    def resolve_points(self, payload: dict, question_points: float | None,
                       bank_points: float | None) -> float | None:
        """The question's own points, else its rubric total (the bank default would rarely fit)."""
        if question_points is not None:
            return question_points
        if payload["rubric"]:
            return rubric_total(payload)
        return bank_points

    def parse_body(self, ctx: ParseContext) -> dict:
        case, reference, rubric = (ctx.sections.get(name) for name in ("case", "reference", "rubric"))
        if reference is None:
            ctx.error(ctx.heading.number, N_("missing answer: add a `### 参考答案` / `### Reference answer` section"))
        if rubric is None and self.rubric_required:
            ctx.error(ctx.heading.number, N_("a [%(type)s] question needs a `### 评分标准` / `### Rubric` section "
                                             "with items like `- (3) text`", type=self.name))
        payload = {
            "case": case.markdown if case else "",
            "reference": reference.markdown if reference else "",
            "rubric": _rubric_items(rubric, ctx) if rubric else [],
        }
        if rubric and payload["rubric"] and ctx.question_points is not None:
            total = rubric_total(payload)
            if abs(total - ctx.question_points) > 1e-9:
                ctx.error(rubric.heading.number, N_("the rubric totals %(total)s points but the question is worth "
                                                    "%(points)s: make them equal", total=f"{total:g}",
                                                    points=f"{ctx.question_points:g}"))
        return payload

    def public_payload(self, payload: dict, *, option_order: list[int] | None = None) -> dict:
        return {"case": payload["case"]}

    def grade(self, payload: dict, response: Any, points: float, *,
              multiple_scoring: str | None = None) -> Grade:
        return Grade(None, True, {})

    def clean_response(self, payload: dict, raw: Any, *, option_order: list[int] | None = None) -> str | None:
        """The examinee's text as typed (line endings folded); None when it is blank."""
        if raw is None:
            return None
        text = clean_text(raw, limit=MAX_TEXT_CHARS, what=N_("the answer"))
        return text if text.strip() else None

    def form_response(self, payload: dict, values: FormValues, field_name: str) -> str:
        return first_value(values, field_name)

    def is_answered(self, response: Any) -> bool:
        return isinstance(response, str) and bool(response.strip())

    def view(self, payload: dict, *, response: Any, option_order: list[int] | None, show_key: bool,
             render: Renderer = LIVE) -> dict:
        values: dict = {
            "case_html": render(payload["case"]) if payload["case"] else "",
            "text": response if isinstance(response, str) else "",
        }
        if show_key:
            values["reference_html"] = render(payload["reference"])
            values["rubric"] = payload["rubric"]
        return values


class ShortAnswer(WrittenQuestion):
    name = "short"
    aliases = ("简答",)


class Analysis(WrittenQuestion):
    name = "analysis"
    aliases = ("分析", "案例分析")
    rubric_required = True
