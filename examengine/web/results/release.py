"""The admin's manual release of an exam's results ("Release results") and its withdrawal.

Both are POSTs from the exam's results page, which shows each item's condition and release state
(`services.exams.release_status`). A refusal (already released, an appeal depends on it) is flashed.
"""
from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...services import exams as exam_service
from ..auth.session import role_required
from ..exams.helpers import exam_or_404
from . import bp


def _back(exam_id: int):
    return redirect(url_for(".exam_results", exam_id=exam_id) + "#release")


@bp.route("/admin/exams/<int:exam_id>/results/release", methods=["POST"])
@role_required("admin")
def release_results(exam_id: int):
    exam = exam_or_404(exam_id)
    try:
        exam_service.release_results(exam, current_user)
    except exam_service.ReleaseRefused as refused:
        flash(refused.message, "warning")
        return _back(exam_id)
    flash(_("Released the results of %(title)s.", title=exam.title), "success")
    return _back(exam_id)


@bp.route("/admin/exams/<int:exam_id>/results/withdraw-release", methods=["POST"])
@role_required("admin")
def withdraw_release(exam_id: int):
    exam = exam_or_404(exam_id)
    try:
        exam_service.withdraw_release(exam)
    except exam_service.ReleaseRefused as refused:
        flash(refused.message, "warning")
        return _back(exam_id)
    flash(_("Withdrew the release of the results of %(title)s.", title=exam.title), "success")
    return _back(exam_id)
