"""Item analysis pages: GET /admin/exams/<id>/analysis (figures, flags, plots, sortable tables) and its
exports (.csv: the question table; .xlsx: the whole analysis); GET /admin/exams/analysis?exam=ID&exam=ID…,
the analysis of a set of exams that share questions (picked with checkboxes)."""
from __future__ import annotations

from flask import Response, abort, render_template, request
from flask_babel import lazy_gettext as _l

from ...services import analysis as analysis_service
from ..auth.session import role_required
from ..exams.helpers import exam_or_404, exam_page
from ..results.charts import histogram
from ..ui import type_label
from . import bp, charts
from .labels import ATTEMPT_LABELS, FLAG_LABELS

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


MIN_SET = 2


def _chosen_exam_ids() -> tuple[list[int], list[str]]:
    """The exam ids ticked (valid integers, each once), and the values that are not ids."""
    ids, bad = [], []
    for raw in request.args.getlist("exam"):
        value = raw.strip()
        if value.isdigit() and 0 < int(value) < 2**31:
            ids.append(int(value))
        elif value:
            bad.append(value[:40])
    return list(dict.fromkeys(ids)), bad


@bp.route("/analysis")
@role_required("admin")
def exams_analysis():
    attempts, include_waiting = _options()
    choices = analysis_service.exam_choices()
    wanted, bad = _chosen_exam_ids()
    known = {exam.id: exam for exam in analysis_service.exams_by_id(wanted)}
    missing = bad + [str(exam_id) for exam_id in wanted if exam_id not in known]
    chosen = [known[exam_id] for exam_id in wanted if exam_id in known]
    analysis = None
    if len(chosen) >= MIN_SET and not missing:
        analysis = analysis_service.exams_analysis(chosen, attempts=attempts, include_waiting=include_waiting)
    context = dict(choices=choices, chosen_ids={exam.id for exam in chosen}, missing=missing, analysis=analysis,
                   flag_labels=FLAG_LABELS, attempt_labels=ATTEMPT_LABELS, attempts=attempts,
                   include_waiting=include_waiting, type_label=type_label, min_set=MIN_SET)
    if analysis is not None:
        context["charts"] = _charts(analysis)
    return render_template("analysis/exams.html", **context), 404 if missing else 200
