"""Creating and changing accounts and groups."""
from __future__ import annotations

import re
import secrets

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import Select, func, or_, select
from sqlalchemy.exc import IntegrityError

from ...core.text import unstorable
from ...extensions import db
from ...models import ROLES, Group, User, UserRole, user_groups
from ..messages import unstorable_message
from . import throttle

MIN_PASSWORD_LENGTH = 8


class AccountError(ValueError):
    """A request to change accounts that cannot be carried out; the message says why."""


def generate_password() -> str:
    """12 random characters (about 72 bits). Never a leading '-' or '_': Excel would read "-abc" in the
    passwords CSV as a formula, and a shell or `--password` as an option."""
    while True:
        password = secrets.token_urlsafe(9)
        if password[0].isalnum():
            return password


def validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")


def find_user(username: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))


def groups_by_name(names, *, create: bool) -> list[Group]:
    """The groups with these names, creating missing ones when `create` is set."""
    wanted = [name.strip() for name in names if name.strip()]
    existing = {g.name: g for g in db.session.scalars(select(Group).where(Group.name.in_(wanted)))}
    groups = []
    for name in dict.fromkeys(wanted):
        group = existing.get(name)
        if group is None:
            if not create:
                raise AccountError(f"Unknown group: {name}")
            group = Group(name=name)
            db.session.add(group)
            existing[name] = group
        groups.append(group)
    return groups


def new_user(username: str, *, display_name: str = "", roles=("employee",), password: str | None = None,
             groups=()) -> User:
    """Add (not commit) a user; the caller's service commits."""
    username = username.strip()
    if not username:
        raise AccountError("The username is empty.")
    if len(username) > 80:
        raise AccountError("The username is longer than 80 characters.")
    if find_user(username) is not None:
        raise AccountError(f"The username {username} is taken.")
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise AccountError(f"Unknown role: {', '.join(sorted(unknown))}")
    user = User(username=username, display_name=display_name.strip())
    user.set_roles(roles)
    if password is not None:
        validate_password(password)
        user.set_password(password)
    user.groups = list(groups)
    db.session.add(user)
    return user


def create_user(username: str, *, password: str, **fields) -> User:
    try:
        user = new_user(username, password=password, **fields)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return user


# --- Administration (the admin pages). Messages are lazy: they are shown in a request, in its language. ---

USERNAME_MAX = 80
DISPLAY_NAME_MAX = 120
GROUP_NAME_MAX = 100
# Whitespace and control characters in a username only cause look-alike accounts and failed logins.
_BAD_USERNAME_CHARS = re.compile(r"[\s\x00-\x1f\x7f]")
# These separate groups in the CSV import, so a group name may not contain them.
GROUP_SEPARATORS = ";,，；"


def _storable(text: str) -> str:
    """`text`, unless it holds a NUL or a lone surrogate (AccountError): no database stores those."""
    kind = unstorable(text)
    if kind:
        raise AccountError(unstorable_message(kind))
    return text


def check_username(username: str) -> str:
    """The stripped username, or AccountError saying what is wrong with it (not whether it is taken)."""
    username = _storable((username or "").strip())
    if not username:
        raise AccountError(_l("The username is empty."))
    if len(username) > USERNAME_MAX:
        raise AccountError(_l("The username is longer than %(max)d characters.", max=USERNAME_MAX))
    if _BAD_USERNAME_CHARS.search(username):
        raise AccountError(_l("The username may not contain spaces or control characters."))
    return username


def check_display_name(display_name: str) -> str:
    display_name = _storable((display_name or "").strip())
    if len(display_name) > DISPLAY_NAME_MAX:
        raise AccountError(_l("The display name is longer than %(max)d characters.", max=DISPLAY_NAME_MAX))
    return display_name


def check_group_name(name: str) -> str:
    name = _storable((name or "").strip())
    if not name:
        raise AccountError(_l("The group name is empty."))
    if len(name) > GROUP_NAME_MAX:
        raise AccountError(_l("The group name is longer than %(max)d characters.", max=GROUP_NAME_MAX))
    if any(sep in name for sep in GROUP_SEPARATORS):
        raise AccountError(_l("A group name may not contain ; , ； or ， "
                              "(they separate groups in the CSV import)."))
    return name


def search_users(text: str = "", *, role: str | None = None, group_id: int | None = None,
                 active: bool | None = None) -> Select:
    """The users matching every given filter, by username; `text` matches username or display name."""
    stmt = select(User).order_by(User.username)
    text = (text or "").strip().lower()
    if text:
        stmt = stmt.where(or_(func.lower(User.username).contains(text, autoescape=True),
                              func.lower(User.display_name).contains(text, autoescape=True)))
    if role in ROLES:
        stmt = stmt.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    if group_id is not None:
        stmt = stmt.where(User.groups.any(Group.id == group_id))
    if active is not None:
        stmt = stmt.where(User.active.is_(active))
    return stmt


def _check_own_account(user: User, acting_user: User | None, *, roles, active: bool) -> None:
    """An admin may not lock themself out: the last admin could otherwise leave nobody to undo it."""
    if acting_user is None or user.id != acting_user.id:
        return
    if not active:
        raise AccountError(_l("You cannot deactivate your own account."))
    if "admin" not in set(roles):
        raise AccountError(_l("You cannot remove your own administrator role."))


def update_user(user: User, *, acting_user: User | None, display_name: str, roles, groups,
                active: bool) -> None:
    _check_own_account(user, acting_user, roles=roles, active=active)
    if not roles:
        raise AccountError(_l("Choose at least one role."))
    user.display_name = check_display_name(display_name)
    user.set_roles(roles)
    user.groups = list(groups)
    _apply_active(user, active)
    db.session.commit()


def set_active(user: User, active: bool, *, acting_user: User | None) -> None:
    _check_own_account(user, acting_user, roles=user.roles, active=active)
    _apply_active(user, active)
    db.session.commit()


def _apply_active(user: User, active: bool) -> None:
    if user.active and not active:
        user.end_sessions()  # a deactivated user is logged out everywhere, not only kept from logging in
    user.active = active


def reset_password(user: User, password: str | None = None) -> str:
    """Set `password` (or a generated one), ending the user's sessions; returns the new password."""
    if password:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise AccountError(_l("The password must have at least %(min)d characters.",
                                  min=MIN_PASSWORD_LENGTH))
    else:
        password = generate_password()
    user.set_password(password)
    db.session.commit()
    throttle.forget_account(user.username)  # the new password is not delayed by the old failures
    return password


def end_sessions(user: User) -> None:
    """End every session and remember-me cookie of the user (logout: the copies of its cookies too)."""
    user.end_sessions()
    db.session.commit()


def groups_with_member_counts() -> list[tuple[Group, int]]:
    stmt = (select(Group, func.count(user_groups.c.user_id))
            .outerjoin(user_groups, user_groups.c.group_id == Group.id)
            .group_by(Group.id).order_by(Group.name))
    return [(group, count) for group, count in db.session.execute(stmt)]


def _check_group_name_free(name: str, group: Group | None = None) -> None:
    other = db.session.scalar(select(Group).where(Group.name == name))
    if other is not None and other is not group:
        raise AccountError(_l("A group named %(name)s already exists.", name=name))


def create_group(name: str) -> Group:
    name = check_group_name(name)
    _check_group_name_free(name)
    group = Group(name=name)
    db.session.add(group)
    _commit_group_change(name)
    return group


def rename_group(group: Group, name: str) -> None:
    name = check_group_name(name)
    _check_group_name_free(name, group)
    group.name = name
    _commit_group_change(name)


def delete_group(group: Group) -> None:
    """Only an empty group goes: exams are assigned to groups, and losing one's group would be a surprise."""
    if group.users:
        raise AccountError(lazy_ngettext("The group %(name)s still has %(num)d member; remove them first.",
                                         "The group %(name)s still has %(num)d members; remove them first.",
                                         len(group.users), name=group.name))
    db.session.delete(group)
    db.session.commit()


def _commit_group_change(name: str) -> None:
    try:
        db.session.commit()
    except IntegrityError:  # another admin took the name between the check and the commit
        db.session.rollback()
        raise AccountError(_l("A group named %(name)s already exists.", name=name)) from None
