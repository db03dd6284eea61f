"""Item analysis pages: GET /admin/exams/<id>/analysis (figures, flags, plots, sortable tables) and its
exports (.csv: the question table; .xlsx: the whole analysis)."""
from __future__ import annotations

from flask import Response, abort, request
from flask_babel import lazy_gettext as _l

from ...services import analysis as analysis_service
from ..auth.session import role_required
from ..exams.helpers import exam_or_404, exam_page
from ..results.charts import histogram
from ..ui import type_label
from . import bp, charts

FLAG_LABELS = {
    "small_sample": _l("Too few attempts to trust (fewer than 30)"),
    "alpha_unsatisfactory": _l("Internal consistency unsatisfactory (alpha below 0.64)"),
    "too_hard": _l("Very hard (facility below 10%)"),
    "too_easy": _l("Very easy (facility above 90%)"),
    "low_discrimination": _l("Low discrimination (below 0.20): revise"),
    "negative_discrimination": _l("Negative discrimination: check the key or reject"),
    "low_efficiency": _l("Discriminative efficiency below 15%"),
    "unused_distractor": _l("A distractor nobody chose"),
    "no_data": _l("No graded answers yet"),
    "different_papers": _l("Papers hold different questions: alpha and effective weights need the same questions on every paper"),
}
ATTEMPT_LABELS = {"last": _l("Last attempt of each examinee"), "first": _l("First attempt of each examinee"),
                  "best": _l("Best attempt of each examinee"), "all": _l("All attempts")}
MIMETYPES = {"csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
SCORE_GROUPS = (_l("Lowest"), "2", "3", "4", _l("Highest"))


def _options() -> tuple[str, bool]:
    attempts = request.args.get("attempts", "last")
    return (attempts if attempts in analysis_service.ATTEMPT_CHOICES else "last"), request.args.get("waiting") == "1"


def _charts(analysis) -> dict:
    test = analysis.test
    labels = [f"{i * 10}–{100 if i == 9 else i * 10 + 9}%" for i in range(len(test.histogram))]
    points = [(f"{q.number}. {q.title}", q.figures.facility, q.figures.discrimination_index,
               any(flag != "small_sample" for flag in q.flags))
              for q in analysis.questions if q.figures.facility is not None and q.figures.discrimination_index is not None]
    curves = {q.number: charts.option_curves(
        [(o.text, o.curve, o.correct) for o in q.options], title=str(_l("Option curves")),
        group_labels=[str(label) for label in SCORE_GROUPS], test_id=f"curves-{q.number}")
        for q in analysis.questions if q.options}
    return {
        "histogram": histogram(test.histogram, labels, title=str(_l("Score distribution"))),
        "scatter": charts.scatter(points, title=str(_l("Facility and discrimination")), x_label=str(_l("Facility")),
                                  y_label=str(_l("Discrimination"))),
        "curves": curves,
    }


@bp.route("/<int:exam_id>/analysis")
@role_required("admin")
def exam_analysis(exam_id: int):
    exam = exam_or_404(exam_id)
    attempts, include_waiting = _options()
    analysis = analysis_service.exam_analysis(exam, attempts=attempts, include_waiting=include_waiting)
    return exam_page("analysis/exam.html", exam, analysis=analysis, charts=_charts(analysis),
                     reviewers=analysis_service.reviewer_analysis(exam),
                     flag_labels=FLAG_LABELS, attempt_labels=ATTEMPT_LABELS, attempts=attempts,
                     include_waiting=include_waiting, type_label=type_label)


@bp.route("/<int:exam_id>/analysis.<fmt>")
@role_required("admin")
def export_analysis(exam_id: int, fmt: str):
    if fmt not in MIMETYPES:
        abort(404)
    exam = exam_or_404(exam_id)
    attempts, include_waiting = _options()
    analysis = analysis_service.exam_analysis(exam, attempts=attempts, include_waiting=include_waiting)
    body = analysis_service.analysis_csv(analysis) if fmt == "csv" else analysis_service.analysis_xlsx(analysis)
    filename = f"exam-{exam.id}-analysis.{fmt}"
    response = Response(body, mimetype=MIMETYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
