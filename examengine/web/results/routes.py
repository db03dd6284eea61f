"""Results: the admin's results page of an exam with its charts, one attempt in full, the exports;
and the employee's own results across exams.

Admin pages and every export are admin only (403 for reviewers and employees). An employee sees
only their own attempts, and a score only when the exam's release policy shows it
(`review.score_visible`). The manual release of the results is in `release`.
"""
from __future__ import annotations

from flask import Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...services import exams as exam_service
from ...services import grading
from ...services import results as results_service
from ...services.attempts import MAX_DB_INT
from ...services.results import attempt_detail as load_attempt_detail
from ..auth.session import role_required
from ..exams.helpers import exam_or_404, exam_page
from ..ui import type_label
from . import bp
from . import charts as svg_charts

PAGE_SIZE = 100
MIMETYPES = {"csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _selection(data: results_service.ExamResults) -> tuple[list, dict]:
    """The rows after the request's filters and sort, and the arguments that chose them."""
    group = request.args.get("group", type=int)
    band = request.args.get("band", type=int)
    if band is not None and not 0 <= band < len(data.bands):
        band = None
    sort = request.args.get("sort", "name")
    sort = sort if sort in results_service.SORT_KEYS else "name"
    descending = request.args.get("dir") == "desc"
    rows = results_service.select_rows(data.rows, group_id=group, band=band, sort=sort, descending=descending)
    args = {"group": group, "band": band, "sort": sort, "dir": "desc" if descending else "asc"}
    return rows, args


def _agreement(exam):
    """Reviewer agreement of a double-marked exam; else None."""
    return grading.agreement(exam.id) if exam.double_marking else None


def histogram_labels(buckets: int) -> list[str]:
    width = 100 // buckets
    return [f"{i * width}–{100 if i == buckets - 1 else (i + 1) * width - 1}" for i in range(buckets)]


@bp.route("/admin/exams/<int:exam_id>/results")
@role_required("admin")
def exam_results(exam_id: int):
    with results_service.gc_paused():  # thousands of rows: see gc_paused
        return _exam_results_page(exam_id)


def _exam_results_page(exam_id: int):
    exam = exam_or_404(exam_id)
    data = results_service.exam_results(exam)
    rows, args = _selection(data)
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(max(1, request.args.get("page", 1, type=int)), pages)
    labels = exam_service.band_labels(data.bands)
    averages = results_service.dimension_averages(rows, data.dimensions)
    charts = {
        "histogram": svg_charts.histogram(results_service.histogram(rows), histogram_labels(10),
                                          title=_("Score distribution (percent)")),
        "dimensions": svg_charts.bar_chart(
            [(exam_service.dimension_label(name), value) for name, value, _count in averages],
            title=_("Average per dimension (percent)"), test_id="dimension-averages") if averages else None,
    }
    return exam_page(
        "results/exam.html", exam, data=data, rows=rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE],
        total=len(rows), page=page, pages=pages, args=args, band_labels=labels, charts=charts,
        averages=averages, summary=results_service.summary(rows), groups=data.groups,
        agreement=_agreement(exam), dimension_label=exam_service.dimension_label,
        release=exam_service.release_status(exam))


@bp.route("/admin/exams/<int:exam_id>/results.<fmt>")
@role_required("admin")
def export_results(exam_id: int, fmt: str):
    return _export(exam_id, fmt, results_service.results_table, "results")


@bp.route("/admin/exams/<int:exam_id>/question-scores.<fmt>")
@role_required("admin")
def export_question_scores(exam_id: int, fmt: str):
    return _export(exam_id, fmt, results_service.question_scores_table, "question-scores")


def _export(exam_id: int, fmt: str, table, name: str):
    if fmt not in MIMETYPES:
        abort(404)
    with results_service.gc_paused():
        return _export_file(exam_id, fmt, table, name)


def _export_file(exam_id: int, fmt: str, table, name: str):
    exam = exam_or_404(exam_id)
    data = results_service.exam_results(exam)
    rows, _args = _selection(data)
    headers, lines = table(data, rows)
    if fmt == "csv":
        body = results_service.to_csv(headers, lines)
    else:
        body = results_service.to_xlsx(headers, lines, exam.title)
    filename = f"exam-{exam.id}-{name}.{fmt}"
    return Response(body, mimetype=MIMETYPES[fmt], headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


@bp.route("/admin/attempts/<int:attempt_id>")
@role_required("admin")
def attempt_detail(attempt_id: int):
    detail = load_attempt_detail(attempt_id) if 0 < attempt_id <= MAX_DB_INT else None
    if detail is None:
        abort(404)
    result = detail.result
    chart = None
    if result.dimensions:
        chart = svg_charts.dimension_chart(
            [(exam_service.dimension_label(d.dimension), d.percent) for d in result.dimensions],
            title=_("Score per dimension (percent)"))
    return render_template("results/attempt.html", detail=detail, attempt=detail.attempt, exam=detail.attempt.exam,
                           result=result, band=exam_service.band_label(detail.bands, result.band), chart=chart,
                           type_label=type_label, dimension_label=exam_service.dimension_label)


# --- the employee ---

@bp.route("/results")
@role_required("employee")
def my_results():
    items = []
    for item in results_service.my_results(current_user):
        chart = None
        if item.released and item.result.dimensions:
            chart = svg_charts.dimension_chart(
                [(exam_service.dimension_label(d.dimension), d.percent) for d in item.result.dimensions],
                title=_("Score per dimension (percent)"), test_id=f"dimension-chart-{item.attempt.id}")
        band = exam_service.band_label(item.bands, item.result.band) if item.released else ""
        items.append((item, chart, band))
    return render_template("results/mine.html", items=items, dimension_label=exam_service.dimension_label,
                           review_url=lambda attempt: url_for("exam_taking.review", attempt_id=attempt.id))
