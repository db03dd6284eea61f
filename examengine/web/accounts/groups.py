"""Admin: groups (departments, teams). Routes on the `admin_users` blueprint.

A group can be deleted only when it has no members: exams are assigned to groups, so deleting a group
that still has members would silently take exams away from people. The group's own page lists its
members and adds (found by a search, one or several at once) or removes them.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ...extensions import db
from ...models import Group, User
from ...services import accounts
from ..auth.session import role_required
from ..http import MAX_DB_ID, get_or_404
from ..ui import ActionForm
from . import bp
from .forms import GroupForm


@bp.route("/groups", methods=["GET", "POST"])
@role_required("admin")
def groups():
    form = GroupForm()
    if form.validate_on_submit():
        try:
            group = accounts.create_group(form.name.data)
        except accounts.AccountError as error:
            form.name.errors.append(str(error))
        else:
            flash(_("Created the group %(name)s.", name=group.name), "success")
            return redirect(url_for(".groups"))
    return render_template("accounts/groups.html", form=form, rows=accounts.groups_with_member_counts(),
                           action_form=ActionForm())


@bp.route("/groups/<int:group_id>/rename", methods=["POST"])
@role_required("admin")
def rename_group(group_id: int):
    group = get_or_404(Group, group_id)
    form = GroupForm()
    old_name = group.name
    try:
        if not form.validate_on_submit():
            raise accounts.AccountError(" ".join(str(e) for e in form.name.errors) or _("Invalid form."))
        accounts.rename_group(group, form.name.data)
    except accounts.AccountError as error:
        flash(_("Could not rename %(name)s: %(error)s", name=old_name, error=str(error)), "danger")
    else:
        flash(_("Renamed %(old)s to %(new)s.", old=old_name, new=group.name), "success")
    return redirect(url_for(".groups"))


@bp.route("/groups/<int:group_id>/delete", methods=["POST"])
@role_required("admin")
def delete_group(group_id: int):
    group = get_or_404(Group, group_id)
    name = group.name
    try:
        accounts.delete_group(group)
    except accounts.AccountError as error:
        flash(str(error), "danger")
    else:
        flash(_("Deleted the group %(name)s.", name=name), "success")
    return redirect(url_for(".groups"))


# --- one group's page: its members, and adding (search, several at once) or removing them ---

MEMBERS_PER_PAGE = 25
SEARCH_LIMIT = 50  # non-members shown for one search; a longer list asks for a narrower search


@bp.route("/groups/<int:group_id>")
@role_required("admin")
def group(group_id: int):
    group = get_or_404(Group, group_id)
    query = request.args.get("q", "").strip()[:100]
    page = min(max(request.args.get("page", 1, type=int), 1), 100_000)
    pagination = db.paginate(accounts.members(group), page=page, per_page=MEMBERS_PER_PAGE, error_out=False)
    found = list(db.session.scalars(accounts.non_members(group, query).limit(SEARCH_LIMIT + 1))) if query else []
    return render_template("accounts/group.html", group=group, pagination=pagination, query=query,
                           found=found[:SEARCH_LIMIT], more=len(found) > SEARCH_LIMIT, action_form=ActionForm())


def _ids(values) -> list[int]:
    return [int(v) for v in values if v.isdecimal() and 0 < int(v) <= MAX_DB_ID]


@bp.route("/groups/<int:group_id>/members", methods=["POST"])
@role_required("admin")
def add_members(group_id: int):
    group = get_or_404(Group, group_id)
    back = url_for(".group", group_id=group.id, q=request.form.get("q", "")[:100] or None)
    if not ActionForm().validate_on_submit():
        flash(_("Invalid form."), "danger")
        return redirect(back)
    one = request.form.get("one", "")  # a row's own Add button: that user only, whatever is checked
    added = accounts.add_members(group, _ids([one] if one else request.form.getlist("user_ids")))
    if added:
        flash(ngettext("Added %(num)d member to %(group)s: %(names)s.",
                       "Added %(num)d members to %(group)s: %(names)s.", len(added), group=group.name,
                       names=_names(added)), "success")
    else:
        flash(_("Nobody was added: choose users who are not members yet."), "warning")
    return redirect(back)


def _names(users: list[User], shown: int = 10) -> str:
    names = ", ".join(user.username for user in users[:shown])
    return names + (" …" if len(users) > shown else "")


@bp.route("/groups/<int:group_id>/members/<int:user_id>/remove", methods=["POST"])
@role_required("admin")
def remove_member(group_id: int, user_id: int):
    group, user = get_or_404(Group, group_id), get_or_404(User, user_id)
    if not ActionForm().validate_on_submit():
        flash(_("Invalid form."), "danger")
    elif accounts.remove_member(group, user):
        flash(_("Removed %(name)s from %(group)s.", name=user.username, group=group.name), "success")
    else:
        flash(_("%(name)s is not a member of %(group)s.", name=user.username, group=group.name), "warning")
    page = request.form.get("page", "")
    return redirect(url_for(".group", group_id=group.id, page=int(page) if page.isdecimal() else None))
