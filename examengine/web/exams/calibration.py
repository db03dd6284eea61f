"""Admin: the calibration samples of one written question of an exam (`services.grading.calibration`),
on the `admin_exams` blueprint: the list, adding a sample from a submitted answer (shown escaped, by
attempt code only) or typed, with its reference mark in the grading rubric form, and deleting one."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...services import grading
from ...services.grading import GradingRefused, item_values
from ..auth.session import role_required
from ..ui import ActionForm, question_context, type_label
from . import bp
from .helpers import exam_or_404, exam_page


def _question_or_404(exam, version_id: int):
    found = grading.calibration_version(exam.id, version_id)
    if found is None:
        abort(404)
    return found


def _rubric(version, points: float) -> tuple[dict, list[dict]]:
    context = question_context(version, show_key=True, field_name="reference")
    rubric = context.get("rubric") or []
    return context, [{"index": i, "text": item["text"], "value": round(value, 2)}
                     for i, (item, value) in enumerate(zip(rubric, item_values(rubric, points)))]


@bp.route("/<int:exam_id>/calibration/<int:version_id>")
@role_required("admin")
def calibration(exam_id: int, version_id: int):
    exam = exam_or_404(exam_id)
    version, points = _question_or_404(exam, version_id)
    context, _items = _rubric(version, points)
    return exam_page("exams/calibration.html", exam, version=version, points=points, question=context,
                     samples=grading.active_samples(exam.id, version.id),
                     answers=grading.answer_choices(exam.id, version.id), limit=grading.ANSWER_CHOICES,
                     type_label=type_label)


def _new_page(exam, version, points, choice, *, error=None, posted=None, response="", status=200):
    if choice is not None:
        points = choice.points  # the answer's own slot: the reference is out of its points
    context, items = _rubric(version, points)
    return exam_page("exams/calibration_new.html", exam, status, version=version, points=points, question=context,
                     items=items, choice=choice, error=error, response=response,
                     posted=posted or {"items": [], "adjustment": "", "comment": ""}, type_label=type_label)


def _slot_arg() -> int | None:
    raw = request.values.get("slot", "")
    if raw == "":
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 10):
        abort(404)
    return int(raw)


@bp.route("/<int:exam_id>/calibration/<int:version_id>/new", methods=["GET", "POST"])
@role_required("admin")
def calibration_new(exam_id: int, version_id: int):
    exam = exam_or_404(exam_id)
    version, points = _question_or_404(exam, version_id)
    slot_id = _slot_arg()
    choice = None if slot_id is None else grading.answer_choice(exam.id, version.id, slot_id)
    if slot_id is not None and choice is None:
        abort(404)
    if request.method == "GET":
        return _new_page(exam, version, points, choice)
    posted = {"items": request.form.getlist("rubric"), "adjustment": request.form.get("adjustment", ""),
              "comment": request.form.get("explanation", "")}
    response = request.form.get("response", "")
    try:
        grading.add_sample(exam, version.id, actor_id=current_user.id, slot_id=slot_id,
                           response=None if choice else response, items=posted["items"],
                           adjustment=posted["adjustment"], explanation=posted["comment"])
    except GradingRefused as refused:
        if refused.reason == "not_found":
            abort(404)
        return _new_page(exam, version, points, choice, error=refused.message, posted=posted, response=response,
                         status=400)
    flash(_("Added the sample answer."), "success")
    return redirect(url_for(".calibration", exam_id=exam.id, version_id=version.id))


@bp.route("/<int:exam_id>/calibration/<int:version_id>/samples/<int:sample_id>/delete", methods=["POST"])
@role_required("admin")
def calibration_delete(exam_id: int, version_id: int, sample_id: int):
    exam = exam_or_404(exam_id)
    version, _points = _question_or_404(exam, version_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        grading.remove_sample(exam, version.id, sample_id, actor_id=current_user.id)
    except GradingRefused:
        abort(404)
    flash(_("Deleted the sample answer; reviewers' marks on it are kept on record."), "success")
    return redirect(url_for(".calibration", exam_id=exam.id, version_id=version.id))
