"""Admin: per-user overrides of an exam (extra minutes, extra attempts, a later close), on the
`admin_exams` blueprint. They stay editable when the exam is locked."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from wtforms import SelectChoice

from ...models import Exam
from ...services import exams as exam_service
from ...services.exams import ExamError
from ..auth.session import role_required
from ..http import MAX_DB_ID
from . import bp
from .forms import OverrideForm, to_local, to_utc
from .helpers import attach_errors, exam_or_404, exam_page, form_zone, user_label


def _override_choices(form: OverrideForm, exam: Exam) -> None:
    users = exam_service.assigned_users(exam)
    form.user_id.choices = [SelectChoice(user.id, user_label(user)) for user in users]


def _override_page(exam: Exam, form: OverrideForm, status: int = 200, problems=()):
    return exam_page("exams/overrides.html", exam, status, form=form, problems=list(problems),
                     overrides=exam_service.overrides_of(exam), zone=form_zone())


@bp.route("/<int:exam_id>/overrides", methods=["GET", "POST"])
@role_required("admin")
def overrides(exam_id: int):
    exam = exam_or_404(exam_id)
    form = OverrideForm()
    _override_choices(form, exam)
    if request.method == "GET":
        if request.args.get("user", type=int):
            _load_override(form, exam, request.args.get("user", type=int))
        return _override_page(exam, form)
    if not form.validate_on_submit():
        loose = [] if form.user_id.choices else [_("Assign the exam to users or groups first (in the settings).")]
        return _override_page(exam, form, 400, loose)
    try:
        exam_service.set_override(exam, form.user_id.data, extra_minutes=form.extra_minutes.data,
                                    extra_attempts=form.extra_attempts.data, closes_at=to_utc(form.closes_at.data))
    except ExamError as error:
        return _override_page(exam, form, 400, attach_errors(form, error))
    flash(_("Saved the override."), "success")
    return redirect(url_for(".overrides", exam_id=exam.id))


def _load_override(form: OverrideForm, exam: Exam, user_id: int) -> None:
    for override in exam.overrides:
        if override.user_id == user_id:
            form.user_id.data = user_id
            form.extra_minutes.data = override.extra_minutes
            form.extra_attempts.data = override.extra_attempts
            form.closes_at.data = to_local(override.closes_at)


@bp.route("/<int:exam_id>/overrides/<int:user_id>/delete", methods=["POST"])
@role_required("admin")
def delete_override(exam_id: int, user_id: int):
    exam = exam_or_404(exam_id)
    if not 0 < user_id <= MAX_DB_ID or not exam_service.delete_override(exam, user_id):
        abort(404)
    flash(_("Removed the override."), "success")
    return redirect(url_for(".overrides", exam_id=exam.id))
