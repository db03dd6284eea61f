"""Pure rules of reviewer scoring: a mark from the rubric check boxes and an adjustment, kept within
0 and the slot's points; and, with double marking, which score stands once the marks are in."""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from flask_babel import gettext as _

from ...core.text import has_foreign_digits, parse_number, unstorable
from ..messages import unstorable_message

MAX_COMMENT_CHARS = 5_000
EPSILON = 1e-9


class GradingRefused(Exception):
    """A mark or action the queue will not record. `reason`: "bad_mark" (web 400), "claim" (the
    answers are no longer ours; web 409), "not_found" (web 404), "graded" (done meanwhile; web 409),
    "calibration" (the reviewer must pass the question's calibration first; the web sends them there)."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class Mark:
    rubric_items: list[int]  # indexes into the rubric, ascending
    adjustment: float
    comment: str
    score: float


def item_values(rubric: list[dict], points: float) -> list[float]:
    """What each rubric item is worth on this slot: its points, scaled when the exam gives the question
    other points than the rubric's total (2 of a 10-point rubric are 4 on a 20-point slot)."""
    total = sum(float(item["points"]) for item in rubric)
    factor = points / total if total > EPSILON and abs(total - points) > EPSILON else 1.0
    return [float(item["points"]) * factor for item in rubric]


def parse_mark(items: Iterable[str], adjustment: str | None, comment: str | None, *,
               rubric: list[dict], points: float) -> Mark:
    """The mark a reviewer posted, validated; GradingRefused("bad_mark") says what is wrong.

    Rubric items are the check boxes' values: each the index of an item in ASCII digits (anything
    else - other numbers, lists, other scripts' digits - is a forged form; an item sent twice counts
    once). The adjustment is a number in ASCII or full-width digits (`core.text.parse_number`),
    converted here, so every database stores the same float. The comment may not hold a NUL or a
    lone surrogate.
    """
    values = item_values(rubric, points)
    chosen: set[int] = set()
    for raw in items:
        text = raw.strip() if isinstance(raw, str) else str(raw) if isinstance(raw, int) else ""
        if not (text.isascii() and text.isdigit() and len(text) <= 6) or int(text) >= len(values):
            raise GradingRefused("bad_mark", _("Unknown rubric item: reload the page and try again."))
        chosen.add(int(text))
    text = adjustment.strip() if isinstance(adjustment, str) else ""
    change = 0.0
    if text:
        number = parse_number(text)
        if number is None and has_foreign_digits(text):
            raise GradingRefused("bad_mark", _("Type the adjustment with the digits 0-9 (full-width digits "
                                               "are fine), e.g. -1.5 or 2."))
        if number is None or not math.isfinite(number):
            raise GradingRefused("bad_mark", _("The adjustment must be a number, e.g. -1.5 or 2."))
        change = round(float(number), 2)
    note = (comment if isinstance(comment, str) else "").replace("\r\n", "\n").strip()
    kind = unstorable(note)
    if kind:
        raise GradingRefused("bad_mark", unstorable_message(kind))
    if len(note) > MAX_COMMENT_CHARS:
        raise GradingRefused("bad_mark", _("The comment is too long: at most %(count)s characters.",
                                           count=f"{MAX_COMMENT_CHARS:,}"))
    score = round(sum(values[i] for i in chosen) + change, 2)
    if score < -EPSILON or score > points + EPSILON:
        raise GradingRefused("bad_mark", _(
            "The score must be between 0 and %(points)s; the checked items and the adjustment add up to "
            "%(score)s.", points=f"{points:g}", score=f"{score:g}"))
    return Mark(sorted(chosen), change, note, max(0.0, min(points, score)))


def within_tolerance(a: float, b: float, points: float, tolerance_percent: float) -> bool:
    return abs(a - b) <= float(tolerance_percent) / 100 * points + EPSILON


def settle(marks: Mapping[str, float], points: float, *, double: bool, tolerance: float) -> float | None:
    """The score that stands given the marks so far (round -> score), or None while one is missing:
    the third (deciding) mark if there is one; two marks within the tolerance -> their mean; further
    apart -> None (a third reviewer decides); a single mark stands unless the exam marks twice."""
    if "third" in marks:
        return marks["third"]
    first, second = marks.get("first"), marks.get("second")
    if first is not None and second is not None:
        if within_tolerance(first, second, points, tolerance):
            return round((first + second) / 2 + EPSILON, 2)
        return None
    single = first if first is not None else second
    if single is None or double:
        return None
    return single
