"""Admin: exams — the list, settings (create, edit), copy, delete and the preview.

The sections and rules editor is in `admin_exam_rules`, the overrides in `admin_exam_overrides`, both
on this same blueprint. What is locked once attempts exist is decided in `services.exam_admin` (see
LOCKED_SETTINGS there).
"""
from __future__ import annotations

from datetime import timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms import SelectChoice

from ...core.markup import render_markdown
from ...extensions import db
from ...models import Exam, User
from ...models._time import utcnow
from ...services.exams import (
    LIST_FILTERS,
    LOCKED_SETTINGS,
    SEED_MAX,
    ExamError,
    ExamSettings,
    copy_exam,
    create_exam,
    delete_exam,
    exam_rows,
    is_locked,
    preview,
    update_exam,
)
from ..accounts.users import all_groups
from ..auth.session import role_required
from ..ui import question_context, type_names
from . import bp
from .forms import ExamForm, to_local, to_utc
from .helpers import attach_errors, exam_or_404, exam_page, form_zone, user_label


@bp.route("")
@role_required("admin")
def exams():
    state = request.args.get("state", "")
    state = state if state in LIST_FILTERS else ""
    return render_template("exams/list.html", rows=exam_rows(state=state), state=state, filters=LIST_FILTERS)


# --- settings ---

def _user_choices(form: ExamForm, exam: Exam | None) -> None:
    form.groups.choices = [SelectChoice(group.id, group.name) for group in all_groups()]
    users = db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.username)).all()
    chosen = [user for user in (exam.users if exam else ()) if not user.active]
    form.users.choices = [SelectChoice(user.id, user_label(user)) for user in [*users, *chosen]]


def default_settings() -> ExamSettings:
    start = to_utc(to_local(utcnow()).replace(minute=0, second=0, microsecond=0) + timedelta(days=1))
    return ExamSettings(title="", opens_at=start, closes_at=start + timedelta(days=7))


def _pinned(exam: Exam) -> MultiDict:
    """The posted form with the locked settings set to the exam's values (they are disabled inputs)."""
    data = request.form.copy()
    for name in LOCKED_SETTINGS:
        data.pop(name, None)
        value = getattr(exam, name)
        if value is True:
            data[name] = "y"
        elif value is not False:
            data[name] = str(value)
    return data


def _settings_page(form: ExamForm, exam: Exam | None, status: int = 200, problems=()):
    context = {"form": form, "problems": list(problems),
               "instructions_html": render_markdown(form.instructions.data or ""),
               "zone": form_zone()}
    if exam is None:
        return render_template("exams/settings.html", exam=None, locked=False, **context), status
    locked = is_locked(exam)
    return exam_page("exams/settings.html", exam, status, locked=locked,
                     locked_fields=set(LOCKED_SETTINGS) if locked else set(), **context)


def _save(form: ExamForm, exam: Exam | None):
    """Validate and save the settings form; the page again (400) with the messages when refused."""
    if "preview" in request.form:  # "Preview instructions": show the rendered Markdown, save nothing
        form.validate_on_submit()
        return _settings_page(form, exam)
    if not form.validate_on_submit():
        return _settings_page(form, exam, 400)
    try:
        kwargs = {"group_ids": form.groups.data, "user_ids": form.users.data}
        if exam is None:
            exam = create_exam(form.settings(), created_by_id=current_user.id, **kwargs)
            flash(_("Created the exam %(title)s. Now add its sections and rules.", title=exam.title), "success")
            return redirect(url_for(".rules", exam_id=exam.id))
        update_exam(exam, form.settings(), **kwargs)
    except ExamError as error:
        return _settings_page(form, exam, 400, attach_errors(form, error))
    flash(_("Saved the exam %(title)s.", title=exam.title), "success")
    return redirect(url_for(".edit", exam_id=exam.id))


@bp.route("/new", methods=["GET", "POST"])
@role_required("admin")
def create():
    form = ExamForm()
    _user_choices(form, None)
    if request.method == "GET":
        form.load(default_settings())
        return _settings_page(form, None)
    return _save(form, None)


@bp.route("/<int:exam_id>", methods=["GET", "POST"])
@role_required("admin")
def edit(exam_id: int):
    exam = exam_or_404(exam_id)
    pinned = _pinned(exam) if request.method == "POST" and is_locked(exam) else None
    form = ExamForm(formdata=pinned) if pinned is not None else ExamForm()
    _user_choices(form, exam)
    if request.method == "GET":
        _load_exam(form, exam)
        return _settings_page(form, exam)
    return _save(form, exam)


def _load_exam(form: ExamForm, exam: Exam) -> None:
    form.load(ExamSettings.of(exam))
    form.groups.data = [group.id for group in exam.groups]
    form.users.data = [user.id for user in exam.users]


@bp.route("/<int:exam_id>/copy", methods=["POST"])
@role_required("admin")
def copy(exam_id: int):
    exam = exam_or_404(exam_id)
    copied = copy_exam(exam, created_by_id=current_user.id)
    flash(_("Copied the exam. This copy has no attempts, so everything in it can be changed."), "success")
    return redirect(url_for(".edit", exam_id=copied.id))


@bp.route("/<int:exam_id>/delete", methods=["POST"])
@role_required("admin")
def delete(exam_id: int):
    exam = exam_or_404(exam_id)
    title = exam.title
    try:
        delete_exam(exam)
    except ExamError as error:
        form = ExamForm(formdata=None)
        _user_choices(form, exam)
        _load_exam(form, exam)
        return _settings_page(form, exam, 400, error.messages)
    flash(_("Deleted the exam %(title)s.", title=title), "success")
    return redirect(url_for(".exams"))


# --- preview ---

@bp.route("/<int:exam_id>/preview")
@role_required("admin")
def preview_page(exam_id: int):
    exam = exam_or_404(exam_id)
    seed = request.args.get("seed", type=int)
    if seed is not None and not 0 <= seed <= SEED_MAX:
        seed = None
    sample = preview(exam, seed)
    views = [_examinee_view(item) for item in sample.items]
    return exam_page("exams/preview.html", exam, preview=sample, views=views, type_names=type_names())


def _examinee_view(item) -> dict:
    """What the examinee's page shows for this slot: no key, no explanation."""
    return question_context(item.version, show_key=False, field_name=f"q{item.slot.position}",
                            option_order=list(item.slot.option_order) if item.slot.option_order else None)


