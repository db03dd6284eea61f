"""Admin: users (list and search, create, edit, deactivate, reset password).

Groups and the CSV import are in `admin_groups` and `admin_user_import`, on this same blueprint.
"""
from __future__ import annotations

from flask import (
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user
from sqlalchemy import select
from wtforms import SelectChoice

from ...extensions import db
from ...models import ROLES, Group, User
from ...services import accounts
from ..auth.session import role_required
from ..http import MAX_DB_ID, get_or_404, no_store
from ..ui import ActionForm
from . import bp
from .forms import (
    ROLE_LABELS,
    CreateUserForm,
    EditUserForm,
    ResetPasswordForm,
)

PER_PAGE = 25


def all_groups() -> list[Group]:
    return list(db.session.scalars(select(Group).order_by(Group.name)))


def back(default: str):
    """Return to the admin page the form came from (only an /admin/ path: no open redirect)."""
    target = request.form.get("next", "")
    return redirect(target if target.startswith("/admin/") else default)


def _filters() -> dict:
    args = request.args
    group_id = args.get("group", type=int)
    return {
        "q": args.get("q", "").strip()[:100],
        "role": args.get("role") if args.get("role") in ROLES else "",
        "group": group_id if group_id and 0 < group_id <= MAX_DB_ID else None,
        "status": args.get("status") if args.get("status") in ("active", "inactive") else "",
    }


@bp.route("/users")
@role_required("admin")
def users():
    filters = _filters()
    active = {"active": True, "inactive": False}.get(filters["status"])
    stmt = accounts.search_users(filters["q"], role=filters["role"] or None, group_id=filters["group"],
                                 active=active)
    page = min(max(request.args.get("page", 1, type=int), 1), 100_000)
    pagination = db.paginate(stmt, page=page, per_page=PER_PAGE, error_out=False)
    return render_template("accounts/list.html", pagination=pagination, filters=filters,
                           groups=all_groups(), role_labels=ROLE_LABELS, action_form=ActionForm())


def _groups_by_ids(ids) -> list[Group]:
    if not ids:
        return []
    return list(db.session.scalars(select(Group).where(Group.id.in_(ids)).order_by(Group.name)))


def _group_choices() -> list[SelectChoice]:
    return [SelectChoice(group.id, group.name) for group in all_groups()]


@bp.route("/users/new", methods=["GET", "POST"])
@role_required("admin")
def create_user():
    form = CreateUserForm()
    form.groups.choices = _group_choices()
    if request.method == "GET":
        form.roles.data = ["employee"]
    if form.validate_on_submit():
        password = form.password.data or accounts.generate_password()
        try:
            user = accounts.create_user(form.username.data, password=password,
                                        display_name=form.display_name.data, roles=form.roles.data,
                                        groups=_groups_by_ids(form.groups.data))
        except accounts.AccountError as error:  # e.g. the same username created meanwhile
            form.username.errors.append(str(error))
        else:
            if form.password.data:
                flash(_("Created the user %(name)s.", name=user.username), "success")
                return redirect(url_for(".users"))
            return _show_password(user, password, created=True)
    return render_template("accounts/form.html", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@role_required("admin")
def edit_user(user_id: int):
    user = get_or_404(User, user_id)
    form = EditUserForm()
    form.groups.choices = _group_choices()
    if request.method == "GET":
        form.display_name.data = user.display_name
        form.roles.data = [role for role in ROLES if role in user.roles]
        form.groups.data = [group.id for group in user.groups]
        form.active.data = user.active
    if form.validate_on_submit():
        try:
            accounts.update_user(user, acting_user=current_user._get_current_object(),
                                 display_name=form.display_name.data, roles=form.roles.data,
                                 groups=_groups_by_ids(form.groups.data), active=form.active.data)
        except accounts.AccountError as error:
            flash(str(error), "danger")
        else:
            flash(_("Saved the user %(name)s.", name=user.username), "success")
            return redirect(url_for(".users"))
    return render_template("accounts/form.html", form=form, user=user, action_form=ActionForm())


def _change_active(user_id: int, active: bool):
    user = get_or_404(User, user_id)
    if ActionForm().validate_on_submit():
        try:
            accounts.set_active(user, active, acting_user=current_user._get_current_object())
        except accounts.AccountError as error:
            flash(str(error), "danger")
        else:
            message = (_("Reactivated %(name)s.", name=user.username) if active
                       else _("Deactivated %(name)s: they cannot log in and their sessions have ended.",
                              name=user.username))
            flash(message, "success")
    return back(url_for(".edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@role_required("admin")
def deactivate_user(user_id: int):
    return _change_active(user_id, False)


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@role_required("admin")
def reactivate_user(user_id: int):
    return _change_active(user_id, True)


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@role_required("admin")
def reset_password(user_id: int):
    user = get_or_404(User, user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            password = accounts.reset_password(user, form.password.data or None)
        except accounts.AccountError as error:
            form.password.errors.append(str(error))
        else:
            if user.id == current_user.id:
                login_user(user)  # the admin's own sessions elsewhere end, this one goes on
            if form.password.data:
                flash(_("Changed the password of %(name)s; their sessions have ended.", name=user.username),
                      "success")
                return redirect(url_for(".users"))
            return _show_password(user, password, created=False)
    return render_template("accounts/password_form.html", form=form, user=user)


def _show_password(user: User, password: str, *, created: bool):
    return no_store(render_template("accounts/password_shown.html", user=user, password=password,
                                    created=created))


# The groups and import pages register their routes on `bp`.
