"""Appeals (复核与申诉): employees appeal one graded question from their review page; reviewers of the
exam who did not grade it (and admins) uphold or change the score; admins see every appeal.

Employee URLs answer 404 unless the attempt is the user's own; a reviewer reaches only appeals of exams
assigned to them (else 404), and the answer's graders and the appellant get 403. Importing this module
also adds the regrade page to the `admin_exams` blueprint (`admin_regrade`).
"""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...core import qtypes
from ...extensions import db
from ...models import APPEAL_STATES, Attempt
from ...services import appeals as service
from ...services import audit_history
from ...services.appeals import AppealRefused
from ..auth.session import role_required
from ..ui import question_context, type_label
from . import bp

PAGE_SIZE = 100
STATUS = {"not_found": 404, "forbidden": 403, "bad_input": 400, "not_allowed": 409, "exists": 409, "handled": 409}


@bp.app_context_processor
def appeal_helpers():
    def slot_appeal(attempt: Attempt, position: int):
        """The review page's appeal state of one question (computed once per attempt and request)."""
        cache = g.setdefault("slot_appeals", {})
        if attempt.id not in cache:
            cache[attempt.id] = service.slot_appeals(attempt)
        return cache[attempt.id].get(position)

    def attempt_history(attempt_id: int):
        """For `appeals/_history.html` on an admin page: the attempt's score changes, newest first."""
        return audit_history.history(attempt_id)

    return {"slot_appeal": slot_appeal, "attempt_history": attempt_history,
            "appeal_max_reason": service.MAX_REASON_CHARS}


def _message(refused: AppealRefused, back_url: str | None = None):
    status = STATUS.get(refused.reason, 409)
    if status == 404:
        abort(404)
    return render_template("appeals/message.html", message=refused.message, back_url=back_url), status


# --- employees ---

@bp.route("/attempts/<int:attempt_id>/slots/<int:position>/appeal", methods=["GET", "POST"])
@role_required("employee")
def appeal(attempt_id: int, position: int):
    attempt = db.session.get(Attempt, attempt_id) if 0 < attempt_id < 2**31 else None
    if (attempt is None or attempt.user_id != current_user.id or attempt.exam.status != "published"
            or not 0 <= position < 2**31):
        abort(404)
    review_url = url_for("exam_taking.review", attempt_id=attempt.id)
    state = service.slot_appeals(attempt).get(position)
    if state is None:
        abort(404)
    if request.method == "GET" or state.appeal is not None:
        if state.appeal is not None:
            if request.method == "POST":
                return _message(AppealRefused("exists", _("You have already appealed this question.")), review_url)
            return redirect(url_for(".mine") + f"#appeal-{state.appeal.id}")
        if state.full_marks:
            return _message(AppealRefused("not_allowed", _("This question got full marks: there is nothing to "
                                                           "appeal.")), review_url)
        if not state.can_appeal:
            return _message(AppealRefused("not_allowed", _("This question cannot be appealed now: the results are "
                                                           "not released, it is not graded yet, or the appeal "
                                                           "period has ended.")), review_url)
        return _form(attempt, state, "", None)
    reason = request.form.get("reason", "")
    try:
        service.create_appeal(attempt.id, position, current_user.id, reason)
    except AppealRefused as refused:
        if refused.reason == "bad_input":
            return _form(attempt, state, reason, refused.message, 400)
        return _message(refused, review_url)
    flash(_("Your appeal was sent. A reviewer who did not grade this question will look at it."), "success")
    return redirect(review_url + f"#q-{position}")


def _form(attempt: Attempt, state, reason: str, error: str | None, status: int = 200):
    return render_template("appeals/new.html", attempt=attempt, exam=attempt.exam, state=state, reason=reason,
                           error=error, number=state.position + 1), status


@bp.route("/appeals/mine")
@role_required("employee")
def mine():
    return render_template("appeals/mine.html", rows=service.my_appeals(current_user.id), type_label=type_label)


# --- reviewers (and admins) ---

@bp.route("/review/appeals")
@role_required("reviewer", "admin")
def review_appeals():
    open_rows, done = service.handler_queue(current_user)
    return render_template("appeals/review_list.html", open_rows=open_rows, done=done, type_label=type_label,
                           show_names=current_user.has_role("admin"))


@bp.route("/review/appeals/<int:appeal_id>", methods=["GET", "POST"])
@role_required("reviewer", "admin")
def handle(appeal_id: int):
    case = service.appeal_case(appeal_id)
    if case is None:
        abort(404)
    refusal = service.handler_refusal(case.appeal, current_user, case.attempt.exam_id)
    if refusal is not None:
        return _message(refusal, url_for(".review_appeals"))
    if request.method == "GET":
        return _handle_page(case)
    posted = {"decision": request.form.get("decision", ""), "score": request.form.get("score", ""),
              "reply": request.form.get("reply", "")}
    try:
        service.resolve_appeal(case.appeal.id, current_user, posted["decision"], posted["score"], posted["reply"])
    except AppealRefused as refused:
        if refused.reason == "handled":
            flash(refused.message, "warning")
            return redirect(url_for(".handle", appeal_id=appeal_id))
        if refused.reason == "bad_input":
            return _handle_page(case, error=refused.message, posted=posted, status=400)
        return _message(refused, url_for(".review_appeals"))
    flash(_("The appeal is resolved; the employee sees your reply."), "success")
    return redirect(url_for(".review_appeals"))


def _handle_page(case, *, error: str | None = None, posted=None, status: int = 200):
    question = question_context(case.version, show_key=True, field_name=f"q{case.slot.position}",
                                response=case.slot.response, option_order=case.slot.option_order)
    question["readonly"] = True
    show_names = current_user.has_role("admin")
    posted = posted or {"decision": "", "score": "", "reply": ""}
    return render_template(
        "appeals/handle.html", case=case, appeal=case.appeal, attempt=case.attempt, exam=case.attempt.exam,
        slot=case.slot, version=case.version, question=question, marks=case.marks, error=error, posted=posted,
        show_names=show_names, type_label=type_label, auto_graded=qtypes.get(case.version.qtype).auto_graded,
        points=float(case.slot.points), score=None if case.slot.score is None else float(case.slot.score),
    ), status


# --- admins ---

@bp.route("/admin/appeals")
@role_required("admin")
def admin_appeals():
    state = request.args.get("state", "")
    state = state if state in APPEAL_STATES else None
    exams = service.appeal_exams()
    exam_id = request.args.get("exam", type=int)
    exam_id = exam_id if exam_id in {id_ for id_, _title in exams} else None
    total = service.count_appeals(state=state, exam_id=exam_id)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, request.args.get("page", 1, type=int)), pages)
    rows = service.all_appeals(state=state, exam_id=exam_id, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    counts = {name: service.count_appeals(state=name, exam_id=exam_id) for name in APPEAL_STATES}
    return render_template("appeals/admin_list.html", rows=rows, state=state, exam_id=exam_id, exams=exams,
                           counts=counts, total=total, page=page, pages=pages, type_label=type_label)
