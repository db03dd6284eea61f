"""Admin: who grades an exam's written answers, double marking, calibration, and the grading progress
(answers waiting and graded per question, agreement between reviewers, each reviewer's calibration),
on the `admin_exams` blueprint."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, FloatField, SelectChoice
from wtforms.validators import InputRequired

from ...models import Exam
from ...services.exams import ExamError
from ...services.grading import (
    agreement,
    calibration_overview,
    question_progress,
    reviewer_candidates,
    sample_counts,
    set_grading,
)
from ..auth.session import role_required
from ..ui import MultiCheckboxField, type_label
from . import bp
from .helpers import attach_errors, exam_or_404, exam_page, user_label


class ReviewersForm(FlaskForm):
    reviewers = MultiCheckboxField(_l("Reviewers"), coerce=int, validate_choice=False)
    double_marking = BooleanField(
        _l("Double marking"),
        description=_l("Every written answer is marked by two reviewers who do not see each other's mark."))
    double_marking_tolerance = FloatField(
        _l("Tolerance (percent of the question's points)"),
        validators=[InputRequired(message=_l("Enter a number."))],
        description=_l("Two marks further apart than this go to a third reviewer (or an admin), whose mark "
                       "stands; otherwise their mean stands."))
    calibration_required = BooleanField(
        _l("Calibration before grading"),
        description=_l("Assigned reviewers first mark the sample answers of a question (set on its calibration "
                       "page) within the tolerance of the reference marks; only then does the queue give them "
                       "that question. Questions without samples are not gated."))
    calibration_tolerance = FloatField(
        _l("Calibration tolerance (percent of the question's points)"),
        validators=[InputRequired(message=_l("Enter a number."))])


def _page(exam: Exam, form: ReviewersForm, status: int = 200, problems=()):
    return exam_page("exams/reviewers.html", exam, status, form=form, problems=list(problems),
                     progress=question_progress(exam.id), agreement=agreement(exam.id), type_label=type_label,
                     sample_counts=sample_counts(exam.id), calibration=calibration_overview(exam))


@bp.route("/<int:exam_id>/reviewers", methods=["GET", "POST"])
@role_required("admin")
def reviewers(exam_id: int):
    exam = exam_or_404(exam_id)
    form = ReviewersForm()
    form.reviewers.choices = [SelectChoice(user.id, user_label(user)) for user in reviewer_candidates(exam)]
    if request.method == "GET":
        form.reviewers.data = [user.id for user in exam.reviewers]
        form.double_marking.data = exam.double_marking
        form.double_marking_tolerance.data = float(exam.double_marking_tolerance)
        form.calibration_required.data = exam.calibration_required
        form.calibration_tolerance.data = float(exam.calibration_tolerance)
        return _page(exam, form)
    if not form.validate_on_submit():
        return _page(exam, form, 400)
    try:
        settled = set_grading(exam, reviewer_ids=form.reviewers.data or [], double_marking=form.double_marking.data,
                              tolerance=form.double_marking_tolerance.data, actor_id=current_user.id,
                              calibration_required=form.calibration_required.data,
                              calibration_tolerance=form.calibration_tolerance.data)
    except ExamError as error:
        return _page(exam, form, 400, attach_errors(form, error))
    flash(_("Saved the grading settings."), "success")
    if settled:
        flash(_("Scores now stand for %(count)s answers already marked.", count=settled), "info")
    return redirect(url_for(".reviewers", exam_id=exam.id))
