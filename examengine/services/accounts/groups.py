"""Group membership edited from the group's page: its members, the users who are not in it yet
(searched by username or display name), adding several at once and removing one.

Membership decides which exams a person is assigned (exams are assigned to groups), so every change
commits at once and names exactly the users it touched. The accounts domain keeps no audit trail of
its changes (user edits, roles, groups from the user's page); membership follows the same rule.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Select, delete, insert, select
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import Group, User, user_groups
from .users import search_users

ADD_MAX = 500  # one submit adds at most this many users (the page offers far fewer)


def members(group: Group) -> Select:
    """The group's members, by username (for a paginated list)."""
    return search_users(group_id=group.id)


def non_members(group: Group, text: str) -> Select:
    """Users not in the group whose username or display name contains `text` (LIKE wildcards in
    `text` are literal characters), by username."""
    return search_users(text).where(~User.groups.any(Group.id == group.id))


def add_members(group: Group, user_ids: Iterable[int]) -> list[User]:
    """Add the users with these ids who exist and are not members yet; returns them (by username)."""
    wanted = sorted({i for i in user_ids if isinstance(i, int) and not isinstance(i, bool)})[:ADD_MAX]
    if not wanted:
        return []
    for attempt in (1, 2):  # another admin may add one of them meanwhile: then read the members again
        already = select(user_groups.c.user_id).where(user_groups.c.group_id == group.id)
        users = list(db.session.scalars(select(User).where(User.id.in_(wanted), User.id.not_in(already))
                                        .order_by(User.username)))
        try:
            if users:
                db.session.execute(insert(user_groups), [{"user_id": u.id, "group_id": group.id} for u in users])
            db.session.commit()
            return users
        except IntegrityError:
            db.session.rollback()
            if attempt == 2:
                raise
    return []


def remove_member(group: Group, user: User) -> bool:
    """Take `user` out of the group; False when they were not in it."""
    try:
        removed = db.session.execute(delete(user_groups).where(user_groups.c.group_id == group.id,
                                                               user_groups.c.user_id == user.id)).rowcount
        db.session.commit()  # expires the loaded collections (group.users, user.groups) with it
    except Exception:
        db.session.rollback()
        raise
    return bool(removed)
