"""The paper blueprint on the rules tab: reading its form and building the table the page shows.

The same fields come from the form's POST (save) and from its GET ("update the counts" without
JavaScript, or switching rows between types and dimensions), so what the admin typed survives both.
Counts and points that are not numbers are passed on as typed, for the service to refuse per row.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext

from ...services import exams as exam_service
from ...services.banks import filter_choices
from ..ui import type_names

MAX_ROWS = 200  # more rows than types or dimensions any pool has: a bigger form is not ours


@dataclass
class TableRow:
    value: str
    label: str
    available: int
    counts: dict
    count: str = ""
    points: str = ""
    errors: list | None = None


def _number(raw: str, kind):
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return kind(raw)
    except ValueError:
        return raw


def _entered(source) -> dict[str, tuple[str, str]]:
    """{row value: (count as typed, points as typed)} for the rows the form sent."""
    entered = {}
    for index in range(MAX_ROWS):
        value = source.get(f"value-{index}")
        if value is None:
            break
        entered[value] = (source.get(f"count-{index}", "")[:20], source.get(f"points-{index}", "")[:20])
    return entered


def _section_id(raw: str | None) -> int | None:
    value = _number(raw or "", int)
    return value if isinstance(value, int) else None


def blueprint_input(source) -> exam_service.BlueprintInput:
    """The service's input from a submitted form (request.form)."""
    rows = []
    for value, (count, points) in _entered(source).items():
        number = _number(count, int)
        rows.append(exam_service.BlueprintRow(value=value, count=0 if number is None else number,
                                              points=_number(points, float)))
    target = source.get("target", "new")
    return exam_service.BlueprintInput(
        mode=source.get("mode", "qtype"), bank_keys=source.getlist("banks"),
        difficulty_min=_number(source.get("difficulty_min", "1"), int),
        difficulty_max=_number(source.get("difficulty_max", "5"), int), rows=rows,
        section_id=None if target == "new" else (_section_id(target) or -1),
        title=source.get("title", "")[:300])


def _difficulty(source) -> tuple[int, int]:
    low, high = (_number(source.get(name, default), int) for name, default in
                 (("difficulty_min", "1"), ("difficulty_max", "5")))
    low = low if isinstance(low, int) and 1 <= low <= 5 else 1
    high = high if isinstance(high, int) and 1 <= high <= 5 else 5
    return low, high


def blueprint_context(exam, source, pool, errors: dict | None = None) -> dict:
    """What templates/exams/_blueprint.html shows, from the submitted fields (or the defaults)."""
    mode = source.get("mode", "qtype")
    mode = mode if mode in ("qtype", "dimension") else "qtype"
    banks = source.getlist("banks")
    low, high = _difficulty(source)
    entered, errors = _entered(source), errors or {}
    labels = type_names() if mode == "qtype" else {}
    rows = [TableRow(row.value, labels.get(row.value, row.value), row.available, row.counts,
                     *entered.get(row.value, ("", "")), errors.get(exam_service.row_error_key(row.value)))
            for row in exam_service.availability(mode, banks, (low, high), pool)]
    offered = filter_choices()["banks"]
    return {
        "mode": mode, "rows": rows, "difficulty": (low, high), "selected_banks": set(banks),
        "bank_choices": [(bank.key, f"{bank.title} ({bank.key})" if bank.title else bank.key) for bank in offered],
        "targets": [(section.id, _section_label(number, section)) for number, section in enumerate(exam.sections, 1)],
        "target": source.get("target", "new"), "title": source.get("title", ""),
        "field_errors": {name: messages for name, messages in errors.items()
                         if name in ("mode", "bank_keys", "difficulty_min", "rows", "section_id", "title")},
        "open": bool(errors) or "mode" in source or not exam.sections,
    }


def _section_label(number: int, section) -> str:
    name = _("Section %(number)d", number=number) + (f": {section.title}" if section.title else "")
    return ngettext("Replace the %(num)d rule of %(section)s", "Replace the %(num)d rules of %(section)s",
                    len(section.rules), section=name)
