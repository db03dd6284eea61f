"""Question reports (“this question seems wrong”).

Examinees: `report` takes one question's report as JSON (the pages' script, CSRF token in the
X-CSRFToken header) or as a form (the review page without JavaScript); `report_from_exam` is the exam
form posted without JavaScript by a question's report button: it saves the answers first (as "Save
answers" does), then files the report, so no typed answer is lost. Every attempt URL answers 404
unless the attempt is the user's own and the question is on its paper.

Admins (who manage the banks): the list `/admin/questions/reports` and the resolve action; the
question page shows its reports through the `question_reports` helper (`reports/_question_reports.html`).
"""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import pgettext
from flask_login import current_user

from ...models import QuestionReport
from ...services import analysis
from ...services import attempts as attempt_service
from ...services import reports as service
from ...services.attempts import AttemptRefused
from ...services.reports import ReportFilters, ReportRefused
from ..analysis.labels import FLAG_LABELS
from ..auth.session import role_required
from ..http import get_or_404, json_body
from . import bp

STATUS = {"not_found": 404, "bad_input": 400, "too_late": 409, "resolved": 409}


def state_label(state: str) -> str:
    return pgettext("report state", "Open") if state == "open" else pgettext("report state", "Resolved")


def attempt_slot_reports(attempt) -> dict:
    """Position -> the examinee's report of that question (read once per attempt and request)."""
    cache = g.setdefault("slot_reports", {})
    if attempt.id not in cache:
        cache[attempt.id] = service.attempt_reports(attempt)
    return cache[attempt.id]


@bp.app_context_processor
def report_helpers():
    def slot_report(attempt, position: int):
        """The examinee's report of one question."""
        return attempt_slot_reports(attempt).get(position)

    def question_reports(question):
        """For the question page: its reports and the statistics of each of its versions."""
        return service.reports_for_question(question.id), analysis.version_statistics([v.id for v in question.versions])

    return {"slot_report": slot_report, "question_reports": question_reports, "report_state_label": state_label,
            "report_max_comment": service.MAX_COMMENT_CHARS, "report_max_note": service.MAX_NOTE_CHARS}


def _own_attempt_or_404(attempt_id: int):
    attempt = attempt_service.own_attempt(attempt_id, current_user)
    if attempt is None:
        abort(404)
    return attempt


def _back_to(attempt, position) -> str:
    page = ".attempt_page" if attempt.state == "in_progress" else ".review"
    anchor = f"#q-{position}" if isinstance(position, int) else ""
    return url_for("exam_taking" + page, attempt_id=attempt.id) + anchor


def _received(created: bool) -> str:
    if created:
        return _("Thank you: your report was received. The administrators of the question bank will look at it.")
    return _("Your report was updated with this comment.")


# --- examinees ---

@bp.route("/attempts/<int:attempt_id>/slots/<int:position>/report", methods=["POST"])
@role_required("employee")
def report(attempt_id: int, position: int):
    """JSON {"comment"} -> {"message", "state", "state_label", "created"}; or the form field `comment`."""
    attempt = _own_attempt_or_404(attempt_id)
    as_json = request.is_json
    if as_json:
        body = json_body()  # size, depth and text checked by web.http
        comment = body.get("comment") if isinstance(body, dict) else None
        if not isinstance(comment, str):
            return {"error": _("The request is malformed: expected {\"comment\": \"…\"}."), "reason": "bad_input"}, 400
    else:
        comment = request.form.get("comment", "")
    try:
        filed, created = service.report_question(attempt, position, current_user, comment)
    except ReportRefused as refused:
        status = STATUS.get(refused.reason, 409)
        if status == 404:
            abort(404)
        if as_json:
            return {"error": refused.message, "reason": refused.reason}, status
        flash(refused.message, "danger")
        return redirect(_back_to(attempt, position))
    if as_json:
        return {"message": _received(created), "state": filed.state, "state_label": state_label(filed.state),
                "created": created}
    flash(_received(created), "success")
    return redirect(_back_to(attempt, position))


@bp.route("/attempts/<int:attempt_id>/report-from-exam", methods=["POST"])
@role_required("employee")
def report_from_exam(attempt_id: int):
    """The exam form, posted by the report button of question `report`: save the answers, then report."""
    attempt = _own_attempt_or_404(attempt_id)
    position = request.form.get("report", type=int)
    if attempt.state == "in_progress":
        try:
            attempt_service.save_changes(attempt, attempt_service.changes_from_form(attempt, request.form))
        except AttemptRefused as error:
            if error.reason == "not_assigned":
                abort(404)
            flash(_("The report was not sent: %(reason)s", reason=error.message), "danger")
            return redirect(_back_to(attempt, position))
    saved = attempt.state == "in_progress"
    try:
        _filed, created = service.report_question(attempt, position, current_user,
                                                  request.form.get(f"report-comment-{position}", ""))
    except ReportRefused as refused:
        if STATUS.get(refused.reason) == 404:
            abort(404)
        flash(_("Your answers were saved, but the report was not sent: %(reason)s", reason=refused.message)
              if saved else refused.message, "danger")
        return redirect(_back_to(attempt, position))
    flash(_("Your answers were saved.") + " " + _received(created) if saved else _received(created), "success")
    return redirect(_back_to(attempt, position))


# --- admins ---

@bp.route("/admin/questions/reports")
@role_required("admin")
def report_list():
    filters = ReportFilters.from_text(request.args.get("state"))
    page = service.open_reports(request.args.get("page", 1, type=int), filters)
    statistics = analysis.version_statistics([row.report.version_id for row in page.items])
    return render_template("reports/list.html", page=page, filters=filters, statistics=statistics,
                           flag_labels=FLAG_LABELS)


@bp.route("/admin/questions/reports/<int:report_id>/resolve", methods=["POST"])
@role_required("admin")
def resolve(report_id: int):
    found = get_or_404(QuestionReport, report_id)
    try:
        service.resolve(found, current_user, request.form.get("note", ""))
    except ReportRefused as refused:
        if STATUS.get(refused.reason) == 404:
            abort(404)
        flash(refused.message, "warning" if refused.reason == "resolved" else "danger")
    else:
        flash(_("The report is resolved."), "success")
    if request.form.get("back") == "question":
        return redirect(url_for("admin_banks.question", question_id=found.question_id) + "#reports")
    state = request.form.get("state")
    return redirect(url_for(".report_list", state=state if state in service.LIST_STATES else None,
                            page=request.form.get("page", type=int)))
