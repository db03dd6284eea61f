"""Reviewers: calibration before grading a question (`services.grading.calibration`). Each sample answer
is shown in the normal marking form (its text escaped, never rendered, with no examinee named); after
marking, the reviewer sees their mark against the reference, the admin's explanation and whether it was
within the tolerance. Once every sample is passed the queue opens (`grade_next`)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...models import QuestionVersion
from ...services import grading
from ...services.grading import GradingRefused, item_values
from ..auth.session import role_required
from ..ui import question_context, type_label
from . import bp
from .lookups import exam_or_404, question_or_404


def rubric_items(version: QuestionVersion, points: float) -> tuple[dict, list[dict]]:
    """The question's context (stem, reference answer) and its rubric items valued on `points`."""
    context = question_context(version, show_key=True, field_name="reference")
    rubric = context.get("rubric") or []
    items = [{"index": i, "text": item["text"], "value": round(value, 2)}
             for i, (item, value) in enumerate(zip(rubric, item_values(rubric, points)))]
    return context, items


def _page(exam, version, status, *, error=None, posted=None, code=200):
    sample = status.next_sample
    context, items = rubric_items(version, float(sample.points) if sample else 0.0)
    return render_template(
        "grading/calibration.html", exam=exam, version=version, status=status, sample=sample, question=context,
        items=items, error=error, posted=posted or {"items": [], "adjustment": "", "comment": ""},
        type_label=type_label), code


@bp.route("/exams/<int:exam_id>/questions/<int:version_id>/calibration")
@role_required("reviewer", "admin")
def calibration(exam_id: int, version_id: int):
    exam, version = exam_or_404(exam_id), question_or_404(version_id)
    return _page(exam, version, grading.calibration_status(exam, version.id, current_user.id))


@bp.route("/exams/<int:exam_id>/questions/<int:version_id>/calibration/<int:sample_id>", methods=["POST"])
@role_required("reviewer", "admin")
def calibration_mark(exam_id: int, version_id: int, sample_id: int):
    exam, version = exam_or_404(exam_id), question_or_404(version_id)
    posted = {"items": request.form.getlist("rubric"), "adjustment": request.form.get("adjustment", ""),
              "comment": request.form.get("comment", "")}
    try:
        mark = grading.save_calibration_mark(exam, version.id, sample_id, current_user.id, items=posted["items"],
                                             adjustment=posted["adjustment"], comment=posted["comment"])
    except GradingRefused as refused:
        if refused.reason == "not_found":
            flash(refused.message, "warning")
            return redirect(url_for(".calibration", exam_id=exam.id, version_id=version.id))
        status = grading.calibration_status(exam, version.id, current_user.id)
        return _page(exam, version, status, error=refused.message, posted=posted, code=400)
    return redirect(url_for(".calibration_result", exam_id=exam.id, version_id=version.id, mark_id=mark.id))


@bp.route("/exams/<int:exam_id>/questions/<int:version_id>/calibration/marks/<int:mark_id>")
@role_required("reviewer", "admin")
def calibration_result(exam_id: int, version_id: int, mark_id: int):
    exam, version = exam_or_404(exam_id), question_or_404(version_id)
    mark = grading.own_mark(exam, version.id, mark_id, current_user.id)
    if mark is None:
        abort(404)
    context, items = rubric_items(version, float(mark.sample.points))
    status = grading.calibration_status(exam, version.id, current_user.id)
    passed = grading.within_tolerance(float(mark.score), float(mark.sample.reference_score),
                                      float(mark.sample.points), float(exam.calibration_tolerance))
    return render_template("grading/calibration_result.html", exam=exam, version=version, mark=mark,
                           sample=mark.sample, passed=passed, status=status, question=context, items=items,
                           type_label=type_label)
