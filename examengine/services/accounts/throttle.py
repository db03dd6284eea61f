"""Throttling failed logins: growing delays per (address, account), per address and per account.

A hard lock after N failures lets anyone lock out anyone by typing wrong passwords, so instead each
failure is counted under three keys, each with its own threshold; past it, the key's next attempt
waits, and every further failure doubles the wait (5 s, 10 s, 20 s, … up to `max_delay`):

- `pair:<address>|<username>` (one account from one address) is throttled quickly (default 5);
- `addr:<address>` (any accounts from one address: password spraying) more loosely (default 50:
  an office behind one NAT address also types wrong passwords);
- `acct:<username>` (one account from every address: a distributed guess) only at a much higher
  threshold (default 100), and never for an address this account logged in from in the last 30 days.

The account counts only failures of addresses still under their pair threshold, so one address adds
at most 5 to it: an outsider's failures delay the outsider (their pair and address) and can never
reach the account's threshold alone, and even a distributed attack does not keep the user out where
they usually log in. Unknown usernames are counted exactly like known ones: the throttle tells
nothing about which accounts exist. A throttled attempt is refused before the password is checked
and counts nothing; a successful login resets its pair and account counters (not the address's: one
valid account must not buy an address more guesses). A counter without a failure for `forget_after`
(1 hour, longer than any wait) starts again at 0.

The state is in the `login_throttles` table so that every app server sees it. Each change is one
atomic upsert (`failures = failures + 1`, `ON CONFLICT DO UPDATE`, the same on SQLite and PostgreSQL)
committed on its own: a transaction never holds two throttle rows, so concurrent logins cannot deadlock.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ...extensions import db
from ...models import LoginThrottle

FIRST_DELAY_SECONDS = 5
TRUSTED_FOR = timedelta(days=30)  # an address that logged into an account skips its account throttle
_ADDRESS_MAX = 64
_USERNAME_MAX = 150  # casefolding may lengthen a name; the key column holds 255 characters


@dataclass(frozen=True)
class ThrottlePolicy:
    pair_failures: int = 5
    address_failures: int = 50
    account_failures: int = 100
    max_delay_seconds: int = 900

    @classmethod
    def from_config(cls, config) -> ThrottlePolicy:
        return cls(
            pair_failures=max(1, int(config.get("EXAMENGINE_LOGIN_PAIR_FAILURES", cls.pair_failures))),
            address_failures=max(1, int(config.get("EXAMENGINE_LOGIN_ADDRESS_FAILURES", cls.address_failures))),
            account_failures=max(1, int(config.get("EXAMENGINE_LOGIN_ACCOUNT_FAILURES", cls.account_failures))),
            max_delay_seconds=max(FIRST_DELAY_SECONDS,
                                  int(config.get("EXAMENGINE_LOGIN_MAX_DELAY_SECONDS", cls.max_delay_seconds))),
        )

    @property
    def forget_after(self) -> timedelta:
        """Longer than the longest delay: an attacker who waits out each delay is never forgotten."""
        return max(timedelta(hours=1), timedelta(seconds=4 * self.max_delay_seconds))

    def delay(self, failures: int, threshold: int) -> int:
        """Seconds to wait after the `failures`-th failure under a key with this threshold (0: none)."""
        if failures < threshold:
            return 0
        return min(self.max_delay_seconds, FIRST_DELAY_SECONDS * 2 ** min(failures - threshold, 30))


@dataclass(frozen=True)
class ThrottleKeys:
    pair: str
    address: str
    account: str

    def thresholds(self, policy: ThrottlePolicy) -> list[tuple[str, int]]:
        return [(self.pair, policy.pair_failures), (self.address, policy.address_failures),
                (self.account, policy.account_failures)]


def _username_key(username: str) -> str:
    return (username or "").strip().casefold()[:_USERNAME_MAX]


def keys_for(address: str | None, username: str) -> ThrottleKeys:
    address = (address or "unknown")[:_ADDRESS_MAX]
    name = _username_key(username)
    return ThrottleKeys(pair=f"pair:{address}|{name}", address=f"addr:{address}", account=f"acct:{name}")


def wait_seconds(keys: ThrottleKeys, now: datetime) -> int:
    """How long an attempt under these keys must still wait (0: it may go ahead)."""
    rows = {key: (blocked, success) for key, blocked, success in db.session.execute(
        select(LoginThrottle.key, LoginThrottle.blocked_until, LoginThrottle.last_success_at)
        .where(LoginThrottle.key.in_([keys.pair, keys.address, keys.account])))}
    _blocked, pair_success = rows.get(keys.pair, (None, None))
    trusted = pair_success is not None and pair_success >= now - TRUSTED_FOR
    wait = 0.0
    for key, (blocked, _success) in rows.items():
        if key == keys.account and trusted:
            continue
        if blocked is not None and blocked > now:
            wait = max(wait, (blocked - now).total_seconds())
    return math.ceil(wait)


def _insert():
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(LoginThrottle)


def record_failure(keys: ThrottleKeys, policy: ThrottlePolicy, now: datetime) -> None:
    """Count a failure under each key and set the key's wait. Committed (one transaction per key).

    The account counts only the failures of addresses still under their pair threshold: one address
    adds at most `pair_failures` to it, so no single outsider can push the account to its threshold.
    """
    pair_failures = _count_failure(keys.pair, policy.pair_failures, policy, now)
    address_failures = _count_failure(keys.address, policy.address_failures, policy, now)
    if pair_failures <= policy.pair_failures:
        _count_failure(keys.account, policy.account_failures, policy, now)
    if address_failures == 1:  # an address's first failure in a while: sweep what is forgotten
        prune(policy, now)


def _count_failure(key: str, threshold: int, policy: ThrottlePolicy, now: datetime) -> int:
    """One more failure under `key` (or the first, when the last is older than `forget_after`); its
    new count. The upsert holds the row (PostgreSQL) or the write lock (SQLite) until the commit."""
    stmt = _insert().values(key=key, failures=1, last_failure_at=now)
    stmt = stmt.on_conflict_do_update(index_elements=[LoginThrottle.key], set_={
        "failures": case((or_(LoginThrottle.last_failure_at.is_(None),
                              LoginThrottle.last_failure_at < now - policy.forget_after), 1),
                         else_=LoginThrottle.failures + 1),
        "last_failure_at": now,
    }).returning(LoginThrottle.failures)
    try:
        failures = db.session.execute(stmt).scalar_one()
        delay = policy.delay(failures, threshold)
        db.session.execute(update(LoginThrottle).where(LoginThrottle.key == key).values(
            blocked_until=now + timedelta(seconds=delay) if delay else None))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return failures


def record_success(keys: ThrottleKeys, now: datetime) -> None:
    """Reset the pair (remembering the success) and the account counters. Committed."""
    stmt = _insert().values(key=keys.pair, failures=0, last_success_at=now)
    stmt = stmt.on_conflict_do_update(index_elements=[LoginThrottle.key], set_={
        "failures": 0, "blocked_until": None, "last_success_at": now})
    _commit_alone(stmt)
    _commit_alone(update(LoginThrottle).where(LoginThrottle.key == keys.account)
                  .values(failures=0, blocked_until=None))


def forget_account(username: str) -> None:
    """Clear an account's counters from every address (after an administrator reset its password)."""
    name = _username_key(username)
    _commit_alone(delete(LoginThrottle).where(or_(
        LoginThrottle.key == f"acct:{name}",
        LoginThrottle.key.startswith("pair:", autoescape=True) & LoginThrottle.key.endswith(
            f"|{name}", autoescape=True))))


def prune(policy: ThrottlePolicy, now: datetime) -> int:
    """Delete rows that no longer change anything: failures forgotten, no wait, no recent success."""
    result = _commit_alone(delete(LoginThrottle).where(
        or_(LoginThrottle.last_failure_at.is_(None), LoginThrottle.last_failure_at < now - policy.forget_after),
        or_(LoginThrottle.blocked_until.is_(None), LoginThrottle.blocked_until <= now),
        or_(LoginThrottle.last_success_at.is_(None), LoginThrottle.last_success_at < now - TRUSTED_FOR),
    ))
    return result.rowcount


def _commit_alone(stmt):
    try:
        result = db.session.execute(stmt)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return result
