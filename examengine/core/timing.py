"""When an attempt must end, and what the server still accepts: pure, no Flask or database.

All times are naive UTC. The deadline is min(start + time limit + extra minutes, close time); saves in
flight are accepted until deadline + grace; an attempt is overdue (to be finalized) after that.
"""
from __future__ import annotations

from datetime import datetime, timedelta


def attempt_deadline(started_at: datetime, limit_minutes: int, extra_minutes: int, closes_at: datetime) -> datetime:
    """The server's deadline for an attempt started at `started_at`; a limit of 0 means none (the close)."""
    if limit_minutes <= 0:
        return closes_at
    own = started_at + timedelta(minutes=max(0, limit_minutes) + max(0, extra_minutes))
    return min(own, closes_at)


def save_cutoff(deadline: datetime, grace_seconds: int) -> datetime:
    """The last moment a save (or the examinee's submit) is accepted."""
    return deadline + timedelta(seconds=max(0, grace_seconds))


def is_overdue(deadline: datetime, now: datetime, grace_seconds: int) -> bool:
    """True once no save can be accepted any more: the attempt is to be finalized as it stands."""
    return now > save_cutoff(deadline, grace_seconds)


def seconds_left(deadline: datetime, now: datetime) -> int:
    """Whole seconds until the deadline (never negative); the page's countdown starts from this."""
    return max(0, int((deadline - now).total_seconds()))


def window_state(now: datetime, opens_at: datetime, closes_at: datetime) -> str:
    """"upcoming" before the exam opens, "open" from opens_at (inclusive), "closed" from closes_at."""
    if now < opens_at:
        return "upcoming"
    if now >= closes_at:
        return "closed"
    return "open"
