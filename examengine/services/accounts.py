"""Creating and changing accounts and groups."""
from __future__ import annotations

import secrets

from sqlalchemy import func, select

from ..extensions import db
from ..models import ROLES, Group, User

MIN_PASSWORD_LENGTH = 8


class AccountError(ValueError):
    """A request to change accounts that cannot be carried out; the message says why."""


def generate_password() -> str:
    return secrets.token_urlsafe(9)


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
