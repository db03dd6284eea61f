"""Admin: an exam's lifecycle — the publish confirmation, publish, unpublish, close now, archive, restore.

The state machine and its checks are in `services.exams` (lifecycle.py); this module shows what
examinees will get before publishing, and keeps an archived exam read-only on every page of this
blueprint (a POST other than restore or copy is refused with a message).
"""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...models import Exam
from ...services.exams import ExamError, archive, close_now, publish, publish_check, restore, unpublish
from ..auth.session import role_required
from . import bp
from .helpers import exam_or_404, exam_page

ALLOWED_WHEN_ARCHIVED = ("admin_exams.restore_exam", "admin_exams.copy")


@bp.before_request
def archived_is_read_only():
    exam_id = (request.view_args or {}).get("exam_id")
    if (request.method != "POST" or exam_id is None or request.endpoint in ALLOWED_WHEN_ARCHIVED
            or not getattr(current_user, "is_authenticated", False) or not current_user.has_role("admin")):
        return None
    exam = exam_or_404(exam_id)
    if exam.status != "archived":
        return None
    flash(_("The exam is archived, so it cannot be changed. Restore it first."), "danger")
    return redirect(url_for(".edit", exam_id=exam.id), 303)


@bp.route("/<int:exam_id>/publish", methods=["GET", "POST"])
@role_required("admin")
def publish_page(exam_id: int):
    """GET: what examinees will see, or why the exam cannot be published; POST: publish it."""
    exam = exam_or_404(exam_id)
    if request.method == "POST":
        try:
            publish(exam, actor_id=current_user.id)
        except ExamError as error:
            return _confirmation(exam, 400, refused=error.messages)
        flash(_("Published the exam %(title)s: its examinees see it from its opening time.", title=exam.title),
              "success")
        return redirect(url_for(".edit", exam_id=exam.id))
    return _confirmation(exam)


def _confirmation(exam: Exam, status: int = 200, refused=()):
    check = publish_check(exam)
    problems = list(refused) or check.problems
    return exam_page("exams/publish.html", exam, status, check=check, problems=problems)


def _act(exam_id: int, action, done: str):
    exam = exam_or_404(exam_id)
    try:
        action(exam, actor_id=current_user.id)
    except ExamError as error:
        for message in error.messages:
            flash(message, "danger")
    else:
        flash(done, "success")
    return redirect(url_for(".edit", exam_id=exam.id), 303)


@bp.route("/<int:exam_id>/unpublish", methods=["POST"])
@role_required("admin")
def unpublish_exam(exam_id: int):
    return _act(exam_id, unpublish, _("The exam is a draft again: examinees no longer see it."))


@bp.route("/<int:exam_id>/close-now", methods=["POST"])
@role_required("admin")
def close_exam_now(exam_id: int):
    return _act(exam_id, close_now, _("The exam is closed for everyone. Attempts in progress are submitted "
                                      "with the answers saved."))


@bp.route("/<int:exam_id>/archive", methods=["POST"])
@role_required("admin")
def archive_exam(exam_id: int):
    return _act(exam_id, archive, _("The exam is archived: it is read-only and hidden from the list and "
                                    "from examinees."))


@bp.route("/<int:exam_id>/restore", methods=["POST"])
@role_required("admin")
def restore_exam(exam_id: int):
    return _act(exam_id, restore, _("The exam is restored."))
