"""Admin: regrade an exam's objective answers after a bank correction, on the `admin_exams` blueprint.

GET shows the dry run (every score that would change, and the answers that cannot be regraded); POST
applies exactly that plan - its fingerprint travels in the form, with a confirmation box - or, when
the plan changed meanwhile, shows the new one (409) and changes nothing. See `services.regrade`.
"""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ...models import Exam
from ...services.results import RegradePlan, RegradeRefused, apply_regrade, regrade_plan
from ..auth.session import role_required
from ..ui import type_label
from . import bp
from .helpers import exam_or_404, exam_page

SHOWN_ROWS = 500  # the table lists this many changes (applying covers them all)


def _page(exam: Exam, plan: RegradePlan, status: int = 200, error: str | None = None):
    return exam_page("exams/regrade.html", exam, status, plan=plan, error=error, shown=SHOWN_ROWS,
                     type_label=type_label)


@bp.route("/<int:exam_id>/regrade", methods=["GET", "POST"])
@role_required("admin")
def regrade(exam_id: int):
    exam = exam_or_404(exam_id)
    if request.method == "GET":
        return _page(exam, regrade_plan(exam.id))
    expected = request.form.get("fingerprint", "")
    if not request.form.get("confirm"):
        return _page(exam, regrade_plan(exam.id), 400, _("Tick the box to confirm that you checked the list."))
    if not expected or len(expected) > 64:
        return _page(exam, regrade_plan(exam.id), 400, _("The form was not valid: review the list and try again."))
    try:
        result = apply_regrade(exam.id, current_user.id, expected)
    except RegradeRefused as refused:
        if refused.reason == "not_found":
            abort(404)
        return _page(exam, refused.plan or regrade_plan(exam.id), 409, refused.message)
    if result.changed:
        flash(ngettext("Regraded: %(num)d score changed in %(attempts)s attempt(s).",
                       "Regraded: %(num)d scores changed in %(attempts)s attempt(s).",
                       result.changed, attempts=result.attempts), "success")
    else:
        flash(_("Nothing to regrade: no score changes."), "info")
    return redirect(url_for(".regrade", exam_id=exam.id))
