"""Reviewers: the grading grading. One question at a time across all attempts ("grade next"), answers
grouped by their normalized text, anonymous (attempt codes; admins also see names).

Showing a group claims it (`services.grading_queue.next_group`); saving needs the claim. A question
whose calibration the reviewer has not passed sends them to its calibration page (`calibration`). Reviewers
reach only the exams assigned to them (others are a 404); admins may grade any exam.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ...models import Exam, QuestionVersion
from ...models._time import utcnow
from ...services import grading
from ...services.grading import (
    GradingRefused,
    SaveOutcome,
    claim_seconds,
    clean_slot_ids,
    item_values,
    release,
    release_question,
    save_mark,
    score_blank,
)
from ..auth.session import role_required
from ..ui import question_context, type_label
from . import bp
from .lookups import exam_or_404, question_or_404

SKIPS = "review_skips"  # session: {"question": "exam:version", "keys": [response keys skipped]}
MAX_SKIPS = 10


@bp.app_context_processor
def review_helpers():
    def grading_waiting() -> int:
        """Answers waiting in the exams the current reviewer grades (for the start page card)."""
        if getattr(current_user, "is_authenticated", False) and current_user.has_role("reviewer"):
            return grading.waiting_count(current_user)
        return 0

    return {"grading_waiting": grading_waiting}


@bp.route("")
@role_required("reviewer", "admin")
def index():
    exams = [(exam, grading.question_progress(exam.id), grading.reviewer_states(exam, current_user.id))
             for exam in grading.reviewer_exams(current_user)]
    return render_template("grading/index.html", exams=exams, type_label=type_label)


# --- grade next ---

def _skip_keys(exam_id: int, version_id: int) -> tuple[str, ...]:
    stored = session.get(SKIPS) or {}
    return tuple(stored.get("keys", ())) if stored.get("question") == f"{exam_id}:{version_id}" else ()


def _remember_skip(exam_id: int, version_id: int, key: str) -> None:
    keys = [k for k in _skip_keys(exam_id, version_id) if k != key] + [key]
    session[SKIPS] = {"question": f"{exam_id}:{version_id}", "keys": keys[-MAX_SKIPS:]}


def _next(exam: Exam, version: QuestionVersion):
    show_names = current_user.has_role("admin")
    skips = _skip_keys(exam.id, version.id)
    group = grading.next_group(exam, version, current_user.id, skip_keys=skips, show_names=show_names)
    if group is None and skips:  # only skipped answers are left: offer them again
        session.pop(SKIPS, None)
        group = grading.next_group(exam, version, current_user.id, show_names=show_names)
    return group


@bp.route("/exams/<int:exam_id>/questions/<int:version_id>/next")
@role_required("reviewer", "admin")
def grade_next(exam_id: int, version_id: int):
    exam, version = exam_or_404(exam_id), question_or_404(version_id)
    try:
        group = _next(exam, version)
    except GradingRefused as refused:  # "calibration": the reviewer marks the sample answers first
        return _to_calibration(exam, version, refused)
    return _grade_page(exam, version, group)


def _to_calibration(exam: Exam, version: QuestionVersion, refused: GradingRefused):
    if refused.reason != "calibration":
        raise refused
    flash(refused.message, "info")
    return redirect(url_for(".calibration", exam_id=exam.id, version_id=version.id))


def _grade_page(exam: Exam, version: QuestionVersion, group, *, error: str | None = None, posted=None,
                status: int = 200):
    if group is None:
        waiting = grading.question_waiting(exam.id, version.id)
        return render_template("grading/done.html", exam=exam, version=version, waiting=waiting,
                               waiting_cap=grading.WAITING_CAP, type_label=type_label), status
    context = question_context(version, show_key=True, field_name="reference")
    rubric = context.get("rubric") or []
    values = item_values(rubric, group.points)
    items = [{"index": i, "text": item["text"], "value": round(value, 2)} for i, (item, value)
             in enumerate(zip(rubric, values))]
    posted = posted or {"items": [], "adjustment": "", "comment": ""}
    return render_template(
        "grading/grade.html", exam=exam, version=version, group=group, question=context, items=items,
        error=error, posted=posted, type_label=type_label,
        show_names=current_user.has_role("admin"), claim_minutes=max(1, claim_seconds() // 60),
    ), status


def _posted_ids() -> list[int]:
    """The group's answers, posted as one comma-separated field."""
    return clean_slot_ids(request.form.get("slots", "").split(","))


def _after_save(exam: Exam, version: QuestionVersion, outcome: SaveOutcome):
    message = ngettext("Saved: %(num)d answer scored %(score)s.", "Saved: %(num)d answers scored %(score)s.",
                       outcome.marked, score=f"{outcome.score:g}")
    if outcome.final < outcome.marked:
        message += " " + _("Your mark counts once another reviewer has marked the same answers.")
    flash(message, "success")
    return redirect(url_for(".grade_next", exam_id=exam.id, version_id=version.id))


def _refused(exam: Exam, version: QuestionVersion, refused: GradingRefused, posted=None):
    if refused.reason == "not_found":
        abort(404)
    if refused.reason == "calibration":
        return _to_calibration(exam, version, refused)
    if refused.reason == "bad_mark":
        group = grading.next_group(exam, version, current_user.id, show_names=current_user.has_role("admin"))
        return _grade_page(exam, version, group, error=refused.message, posted=posted, status=400)
    flash(refused.message, "warning")
    return redirect(url_for(".grade_next", exam_id=exam.id, version_id=version.id))


@bp.route("/exams/<int:exam_id>/questions/<int:version_id>/mark", methods=["POST"])
@role_required("reviewer", "admin")
def mark(exam_id: int, version_id: int):
    exam, version = exam_or_404(exam_id), question_or_404(version_id)
    posted = {"items": request.form.getlist("rubric"), "adjustment": request.form.get("adjustment", ""),
              "comment": request.form.get("comment", "")}
    try:
        outcome = save_mark(exam.id, version.id, _posted_ids(), current_user.id, items=posted["items"],
                            adjustment=posted["adjustment"], comment=posted["comment"])
    except GradingRefused as refused:
        return _refused(exam, version, refused, posted)
    return _after_save(exam, version, outcome)


@bp.route("/exams/<int:exam_id>/questions/<int:version_id>/blank", methods=["POST"])
@role_required("reviewer", "admin")
def blank(exam_id: int, version_id: int):
    exam, version = exam_or_404(exam_id), question_or_404(version_id)
    try:
        outcome = score_blank(exam.id, version.id, _posted_ids(), current_user.id)
    except GradingRefused as refused:
        return _refused(exam, version, refused)
    return _after_save(exam, version, outcome)


@bp.route("/exams/<int:exam_id>/questions/<int:version_id>/skip", methods=["POST"])
@role_required("reviewer", "admin")
def skip(exam_id: int, version_id: int):
    """Leave this group for later (or for someone else) and show the next one."""
    exam, version = exam_or_404(exam_id), question_or_404(version_id)
    try:
        ids = _posted_ids()
    except GradingRefused:
        abort(400)
    key = request.form.get("key", "")
    if len(key) <= 40 and (key == "" or all(c in "0123456789abcdef" for c in key)):
        _remember_skip(exam.id, version.id, key)
    release(ids, current_user.id)
    return redirect(url_for(".grade_next", exam_id=exam.id, version_id=version.id))


@bp.route("/exams/<int:exam_id>/questions/<int:version_id>/stop", methods=["POST"])
@role_required("reviewer", "admin")
def stop(exam_id: int, version_id: int):
    """Stop grading this question: the answers held are released at once for others."""
    exam, version = exam_or_404(exam_id), question_or_404(version_id)
    release_question(exam.id, version.id, current_user.id, utcnow())
    session.pop(SKIPS, None)
    return redirect(url_for(".index"))
