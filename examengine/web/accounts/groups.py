"""Admin: groups (departments, teams). Routes on the `admin_users` blueprint.

A group can be deleted only when it has no members: exams are assigned to groups, so deleting a group
that still has members would silently take exams away from people.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ...models import Group
from ...services import accounts
from ..auth.session import role_required
from ..http import get_or_404
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
