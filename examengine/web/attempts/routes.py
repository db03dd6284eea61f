"""The examinee's pages: assigned exams, instructions, the exam page with autosave, and the review.

Every attempt URL answers 404 unless the attempt belongs to the logged-in user, and the pages never
receive key material before the review policy allows it (the attempt service builds what they show).
JSON endpoints (`save`, `events`) take the CSRF token in the `X-CSRFToken` header; the form endpoints
take it as the usual `csrf_token` field, so the exam works without JavaScript too (and so does the
form-encoded beacon `events` accepts on pagehide). JSON bodies arrive
through `web.http.json_body()`: too large, too deep or unstorable text was answered 400 before.
"""
from __future__ import annotations

import functools
import json

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ...core.markup import render_markdown
from ...extensions import db
from ...models import Exam, ExamOverride
from ...services import attempts as attempt_service
from ...services.attempts import MAX_DB_INT, AttemptRefused
from ..auth.session import role_required
from ..http import json_body
from ..reports.routes import attempt_slot_reports
from ..ui import type_label
from . import admission, bp
from .cards import QuestionCards

# How a refusal of the attempt service answers over HTTP; anything else is shown with 409.
REFUSAL_STATUS = {"not_assigned": 404, "too_late": 409, "finalized": 409, "bad_request": 400, "rate_limited": 429}
MAX_BEACON_EVENTS_CHARS = 64 * 1024  # the `events` field of a form-encoded beacon


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return request.is_json or best == "application/json"


def _refused(error: AttemptRefused, *, attempt=None, exam=None):
    status = REFUSAL_STATUS.get(error.reason, 409)
    if status == 404:
        abort(404)
    if _wants_json():
        return {"error": error.message, "reason": error.reason}, status
    return render_template("attempts/refused.html", message=error.message, reason=error.reason,
                           attempt=attempt, exam=exam), status


def _json_error(message: str, status: int = 400, reason: str = "bad_request"):
    return {"error": message, "reason": reason}, status


def _own_attempt_or_404(attempt_id: int):
    attempt = attempt_service.own_attempt(attempt_id, current_user)
    if attempt is None:
        abort(404)
    return attempt


def _assigned_exam_or_404(exam_id: int) -> Exam:
    exam = db.session.get(Exam, exam_id) if 0 < exam_id <= MAX_DB_INT else None
    if exam is None or not attempt_service.is_assigned(exam, current_user):
        abort(404)
    return exam


def _card_for(exam_id: int):
    return next((card for card in attempt_service.exam_cards(current_user) if card.exam.id == exam_id), None)


def format_seconds(seconds: int | None) -> str:
    """1:05:09 / 05:09: what the countdown shows before (and without) JavaScript."""
    if seconds is None:
        return ""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def points_label(points: float) -> str:
    """"1 point", "2.5 points" in the user's language."""
    value = float(points)
    count = int(value) if value.is_integer() else 2  # plural rules take whole numbers; 2.5 is plural
    return ngettext("%(points)s point", "%(points)s points", count, points=f"{value:g}")


@bp.app_context_processor
def exam_helpers():
    def my_exam_counts() -> dict[str, int]:
        """Status -> number of the current employee's exams (for the start page card)."""
        counts: dict[str, int] = {}
        if getattr(current_user, "is_authenticated", False) and current_user.has_role("employee"):
            for card in attempt_service.exam_cards(current_user):
                counts[card.status] = counts.get(card.status, 0) + 1
        return counts

    return {"my_exam_counts": my_exam_counts, "format_seconds": format_seconds, "points_label": points_label,
            "site_timezone": lambda: current_app.config["EXAMENGINE_TIMEZONE"]}


# --- the employee's exams and the instructions page ---

@bp.route("/exams")
@role_required("employee")
def exams():
    cards = attempt_service.exam_cards(current_user)
    return render_template("attempts/list.html", cards=cards)


@bp.route("/exams/<int:exam_id>")
@role_required("employee")
def instructions(exam_id: int):
    exam = _assigned_exam_or_404(exam_id)
    card = _card_for(exam_id)
    if card is None:
        abort(404)
    override = db.session.get(ExamOverride, (exam.id, current_user.id))
    return render_template("attempts/instructions.html", exam=exam, card=card,
                           instructions_html=render_markdown(exam.instructions or ""),
                           extra_minutes=override.extra_minutes if override else 0)


@bp.route("/exams/<int:exam_id>/start", methods=["POST"])
@role_required("employee")
def start(exam_id: int):
    exam = _assigned_exam_or_404(exam_id)
    queue = attempt_service.admission
    with admission.start_place() as has_place:
        # A free place goes to the front of the queue: someone who pressed earlier starts first.
        if not has_place or (admission.limit() and not queue.may_enter(exam.id, current_user.id, admission.queue_front())):
            return _queued(exam, queue.join(exam.id, current_user.id))
        try:
            attempt = attempt_service.start_or_resume(exam.id, current_user)
        except AttemptRefused as error:
            return _refused(error, exam=exam)
        finally:
            if admission.limit():
                queue.leave(exam.id, current_user.id)
    return redirect(url_for(".attempt_page", attempt_id=attempt.id))


def _queued(exam: Exam, position: int):
    """202 and "you are number N": the page sends the start again after Retry-After seconds."""
    retry = admission.retry_seconds(position)
    response = current_app.make_response(
        (render_template("attempts/queued.html", exam=exam, position=position, retry_seconds=retry), 202))
    response.headers["Retry-After"] = str(retry)
    return response


# --- the exam page ---

@bp.route("/attempts/<int:attempt_id>")
@role_required("employee")
def attempt_page(attempt_id: int):
    attempt = _own_attempt_or_404(attempt_id)
    if attempt.state != "in_progress":
        return redirect(url_for(".review", attempt_id=attempt.id))
    attempt_service.serve_paper(attempt)  # the clock starts now, the first time the paper is shown
    slots = attempt_service.paper_view(attempt)
    sections = _sections(attempt, slots)
    cards = QuestionCards(attempt.id)
    cards.reuse(slots, attempt_slot_reports(attempt).__contains__)
    return render_template(
        "attempts/attempt.html", attempt=attempt, exam=attempt.exam, slots=slots, sections=sections,
        seconds_left=attempt_service.seconds_left(attempt), evidence=attempt_service.summary_of(attempt.id),
        # Fifty questions share a handful of types and point values: translate each label once per page.
        type_label=functools.cache(type_label), points_label=functools.cache(points_label),
        cards=cards,
    )


def _sections(attempt, slots) -> list[tuple[str, list]]:
    """(section title, [(question number, slot)]) in paper order; numbers run across sections."""
    titles = {index: section.title for index, section in enumerate(attempt.exam.sections)}
    groups: list[tuple[str, list]] = []
    current = object()
    for number, slot in enumerate(slots, start=1):
        if slot.section != current:
            current = slot.section
            groups.append((titles.get(slot.section, ""), []))
        groups[-1][1].append((number, slot))
    return groups


@bp.route("/attempts/<int:attempt_id>/save", methods=["POST"])
@role_required("employee")
def save(attempt_id: int):
    """Autosave: {"changes": [{"slot", "seq", "response", "flagged"}]} -> {"saved", "stale", "seconds_left"}."""
    # One core query (the attempt's id, deadline, state; ownership and a published exam), no ORM objects.
    attempt = attempt_service.own_save_target(attempt_id, current_user.id)
    if attempt is None:
        abort(404)
    body = json_body()  # size, depth and text checked by web.http
    if not isinstance(body, dict) or not isinstance(body.get("changes"), list):
        return _json_error(_('The save request is malformed: expected {"changes": [...]}.'))
    try:
        result = attempt_service.save_changes(attempt, body["changes"])
    except AttemptRefused as error:
        return _json_refusal(error)
    return {"saved": result.saved, "stale": result.stale, "seconds_left": result.seconds_left}


def _json_refusal(error: AttemptRefused):
    status = REFUSAL_STATUS.get(error.reason, 409)
    if status == 404:
        abort(404)
    return {**error.details, "error": error.message, "reason": error.reason}, status


@bp.route("/attempts/<int:attempt_id>/save-form", methods=["POST"])
@role_required("employee")
def save_form(attempt_id: int):
    """The exam form posted without JavaScript (or on time-up): save, then maybe confirm and submit.

    action=save: save and come back; action=submit: save and show the confirmation page;
    action=confirm: save and submit (the confirmation was given, or time ran out).
    """
    attempt = _own_attempt_or_404(attempt_id)
    action = request.form.get("action", "save")
    try:
        changes = attempt_service.changes_from_form(attempt, request.form)
        attempt_service.save_changes(attempt, changes)
    except AttemptRefused as error:
        return _refused(error, attempt=attempt, exam=attempt.exam)
    if action == "confirm":
        attempt_service.submit(attempt)
        return redirect(url_for(".review", attempt_id=attempt.id))
    if action == "submit":
        slots = attempt_service.paper_view(attempt)
        return render_template("attempts/confirm.html", attempt=attempt, exam=attempt.exam,
                               numbers={slot.position: number for number, slot in enumerate(slots, start=1)},
                               unanswered=[slot for slot in slots if not slot.answered],
                               flagged=[slot for slot in slots if slot.flagged],
                               seconds_left=attempt_service.seconds_left(attempt))
    flash(_("Your answers were saved."), "success")
    return redirect(url_for(".attempt_page", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>/submit", methods=["POST"])
@role_required("employee")
def submit(attempt_id: int):
    attempt = _own_attempt_or_404(attempt_id)
    try:
        attempt = attempt_service.submit(attempt)
    except AttemptRefused as error:
        return _refused(error, attempt=attempt, exam=attempt.exam)
    review_url = url_for(".review", attempt_id=attempt.id)
    if _wants_json():
        return {"state": attempt.state, "review_url": review_url}
    return redirect(review_url)


@bp.route("/attempts/<int:attempt_id>/events", methods=["POST"])
@role_required("employee")
def events(attempt_id: int):
    """Leave-page evidence: {"events": [{"kind", "at", "page", "previous"}]} -> the leaves so far.

    JSON with the X-CSRFToken header (fetch), or form-encoded with `csrf_token` and `events` (the JSON
    list) as navigator.sendBeacon sends it on pagehide: a beacon cannot set headers, so its token travels
    in the body, and Flask-WTF checks it there like any form's.
    """
    attempt = _own_attempt_or_404(attempt_id)
    batch = _events_of_request()
    if batch is None:
        return _json_error(_('The request is malformed: expected {"events": [...]}.'))
    try:
        result = attempt_service.record_events(attempt, batch)
    except AttemptRefused as error:
        return _json_refusal(error)
    answer = {"recorded": result.recorded, "leaves": result.leaves, "seconds_away": result.seconds_away}
    if result.submitted:
        answer |= {"submitted": True, "error": attempt_service.leave_limit_message(),
                   "review_url": url_for(".review", attempt_id=attempt.id)}
    return answer


def _events_of_request() -> list | None:
    """The list of events the request carries (JSON body, or the beacon's form field); None if malformed."""
    if request.is_json:
        body = json_body()  # size, depth and text checked by web.http
        events = body.get("events") if isinstance(body, dict) else None
    else:
        raw = request.form.get("events", "")
        try:
            events = json.loads(raw) if 0 < len(raw) <= MAX_BEACON_EVENTS_CHARS else None
        except (ValueError, RecursionError):
            events = None
    return events if isinstance(events, list) else None


# --- after submission ---

@bp.route("/attempts/<int:attempt_id>/review")
@role_required("employee")
def review(attempt_id: int):
    attempt = _own_attempt_or_404(attempt_id)
    if attempt.state == "in_progress":
        return redirect(url_for(".attempt_page", attempt_id=attempt.id))
    view = attempt_service.review_view(attempt)
    return render_template("attempts/review.html", attempt=attempt, exam=attempt.exam, review=view,
                           provisional=_provisional_score(attempt, view), type_label=type_label)


def _provisional_score(attempt, view) -> tuple[float, float, int] | None:
    """(points so far, of points graded automatically, questions awaiting a reviewer) when the policy
    shows the score at once but written answers keep the total open; else None."""
    if not view.score_visible or view.score is not None:
        return None
    graded = [slot for slot in attempt.slots if not slot.needs_grading and slot.score is not None]
    waiting = sum(1 for slot in attempt.slots if slot.needs_grading)
    if not waiting:
        return None
    return (sum(float(slot.score) for slot in graded), sum(float(slot.points) for slot in graded), waiting)
