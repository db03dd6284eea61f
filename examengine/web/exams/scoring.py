"""Admin: an exam's scoring settings (dimension weights, grade bands, appeal window), on the
`admin_exams` blueprint. The rules live in `services.exam_scoring`; this page parses the form and
shows the messages next to their fields. Editable at any time: results are computed when shown."""
from __future__ import annotations

import math

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from ...core import results as core
from ...models import Exam
from ...services import exams as exam_service
from ...services.exams import ExamError
from ..auth.session import role_required
from . import bp
from .helpers import exam_or_404, exam_page

EMPTY_BAND_ROWS = 2


def _number(text: str | None) -> float | None:
    """None when empty; NaN (refused as out of range) when not a number."""
    text = (text or "").strip().replace("%", "")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return math.nan
    return value if math.isfinite(value) else math.nan


def _whole(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) < 7 else None


def _rows_from_form(form) -> tuple[exam_service.ScoringInput, list[dict], list[str]]:
    """The posted input, the band rows as typed (to show them again) and the posted dimensions."""
    dimensions, weights = [], {}
    count = form.get("dimension_count", "")
    for index in range(int(count) if count.isdigit() and len(count) < 4 else 0):
        name = form.get(f"dimension-{index}")
        if name is None:
            continue
        dimensions.append(name)
        weights[name] = _number(form.get(f"weight-{index}"))
    typed, bands = [], []
    for index in range(core.MAX_BANDS + EMPTY_BAND_ROWS):
        label, minimum = form.get(f"band-label-{index}"), form.get(f"band-min-{index}")
        if label is None and minimum is None:
            continue
        label, minimum = (label or "").strip(), (minimum or "").strip()
        if not label and not minimum:
            continue
        typed.append({"label": label, "min": minimum, "row": len(typed)})
        bands.append((label, _number(minimum)))
    data = exam_service.ScoringInput(weights=weights, bands=bands, appeal_days=_whole(form.get("appeal_days")))
    return data, typed, dimensions


def _stored_rows(exam: Exam) -> tuple[dict[str, str], list[dict], str]:
    weights = {name: f"{value:g}" for name, value in core.weights_of(exam.dimension_weights).items()}
    bands = core.bands_of(exam.grade_bands)
    labels = exam_service.band_labels(bands)
    typed = [{"label": label, "min": f"{band.min_percent:g}", "row": index}
             for index, (label, band) in enumerate(zip(labels, bands, strict=True))]
    return weights, typed, str(exam.appeal_days if exam.appeal_days is not None else 7)


def _page(exam: Exam, dimensions: list[str], weights: dict[str, str], bands: list[dict], appeal_days: str,
          errors: dict[str, list[str]] | None = None, status: int = 200):
    rows = bands + [{"label": "", "min": "", "row": len(bands) + i}
                    for i in range(max(0, min(EMPTY_BAND_ROWS, core.MAX_BANDS - len(bands))))]
    return exam_page("exams/scoring.html", exam, status, dimensions=dimensions, weights=weights,
                     band_rows=rows, appeal_days=appeal_days, errors=errors or {},
                     dimension_label=exam_service.dimension_label, uses_default_bands=not exam.grade_bands,
                     max_bands=core.MAX_BANDS)


@bp.route("/<int:exam_id>/scoring", methods=["GET", "POST"])
@role_required("admin")
def scoring(exam_id: int):
    exam = exam_or_404(exam_id)
    dimensions = exam_service.exam_dimensions(exam)
    if request.method == "GET":
        weights, bands, days = _stored_rows(exam)
        return _page(exam, dimensions, weights, bands, days)
    data, typed, posted = _rows_from_form(request.form)
    typed_weights = {name: (request.form.get(f"weight-{i}") or "").strip() for i, name in enumerate(posted)}
    try:
        if sorted(posted) != dimensions:
            raise ExamError({"weights": [_("The exam's dimensions have changed since the page was opened; "
                                           "check the weights again.")]})
        exam_service.save_scoring(exam, data, dimensions)
    except ExamError as error:
        return _page(exam, dimensions, typed_weights, typed, request.form.get("appeal_days", ""), error.errors, 400)
    flash(_("Saved the scoring settings."), "success")
    return redirect(url_for(".scoring", exam_id=exam.id))


@bp.route("/<int:exam_id>/scoring/default-bands", methods=["POST"])
@role_required("admin")
def default_bands(exam_id: int):
    exam = exam_or_404(exam_id)
    exam_service.reset_bands(exam)
    flash(_("The exam uses the default grade bands again."), "success")
    return redirect(url_for(".scoring", exam_id=exam.id))
