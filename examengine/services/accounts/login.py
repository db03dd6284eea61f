"""Password login: throttled failures (`throttle.py`), one password check of constant cost, and
hashes upgraded to the current policy on success.

Every attempt that is not throttled does exactly one password check with the policy's parameters:
for an unknown username, an account without a password, a deactivated account or a wrong password
alike (`models.accounts.verify_password`), so the time a refusal takes does not tell whether the
account exists. Throttled attempts are refused before any check, with the same answer for every
username.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from ...extensions import db
from ...models import User
from ...models._time import utcnow
from ...models.accounts import verify_password
from . import throttle
from .throttle import ThrottlePolicy
from .users import find_user


@dataclass(frozen=True)
class LoginOutcome:
    user: User | None
    error: str | None = None  # "invalid", "inactive" or "throttled"
    retry_after: int = 0  # "throttled": seconds until the next attempt is let through


def authenticate(username: str, password: str, *, address: str | None,
                 policy: ThrottlePolicy | None = None) -> LoginOutcome:
    """Check a login from the client `address`. Commits the throttle counters (and a rehash).

    `policy` defaults to the app's settings (`EXAMENGINE_LOGIN_*`)."""
    policy = policy or ThrottlePolicy.from_config(current_app.config)
    now = utcnow()
    keys = throttle.keys_for(address, username)
    wait = throttle.wait_seconds(keys, now)
    if wait:
        return LoginOutcome(None, "throttled", wait)
    user = find_user(username)
    matches = user.check_password(password) if user is not None else verify_password(None, password)
    if matches and user.active:
        if not user.password_hash_is_current:
            user.rehash_password(password)
            db.session.commit()
        throttle.record_success(keys, now)
        return LoginOutcome(user)
    throttle.record_failure(keys, policy, now)
    # Only someone who knows the password learns that the account exists but is deactivated.
    return LoginOutcome(None, "inactive" if matches else "invalid")
