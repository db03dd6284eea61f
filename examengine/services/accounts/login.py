"""Password login with a per-account lock after repeated failures."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from ...extensions import db
from ...models import User
from ...models._time import utcnow
from .users import find_user


@dataclass(frozen=True)
class LoginOutcome:
    user: User | None
    error: str | None = None  # "invalid", "inactive" or "locked"
    locked_seconds: int = 0


def authenticate(username: str, password: str, *, max_failures: int, lock_seconds: int) -> LoginOutcome:
    user = find_user(username)
    if user is None:
        # Same work as a real check, so timing does not reveal which usernames exist.
        User(password_hash="scrypt:32768:8:1$x$" + "0" * 128).check_password(password)
        return LoginOutcome(None, "invalid")
    now = utcnow()
    if user.locked_until and user.locked_until > now:
        return LoginOutcome(None, "locked", int((user.locked_until - now).total_seconds()) + 1)
    if not user.check_password(password):
        _record_failure(user, max_failures, lock_seconds)
        return LoginOutcome(None, "invalid")
    if not user.active:
        return LoginOutcome(None, "inactive")
    user.failed_logins = 0
    user.locked_until = None
    db.session.commit()
    return LoginOutcome(user)


def _record_failure(user: User, max_failures: int, lock_seconds: int) -> None:
    user.failed_logins = (user.failed_logins or 0) + 1
    if user.failed_logins >= max_failures:
        user.locked_until = utcnow() + timedelta(seconds=lock_seconds)
        user.failed_logins = 0
    db.session.commit()
