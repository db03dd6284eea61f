"""Leave-page evidence of an attempt: storing the exam page's events, summing them up, the leave limit.

The page sends each event as it happens (`static/js/exam.js`), so the server's arrival time is the
event's time: leaves and their seconds are computed from those server times only
(`core.evidence.summarize`); the browser's `at` is kept for reference and never used for a duration.

Reloads. Each page load has a random id (`page`). On pagehide the page sends `unload` and keeps its id
in sessionStorage (which survives a reload of the same tab but is not shared with other tabs); the next
load of the attempt in that tab sends `load` with `previous` = that id. The service stores it as
`reload` when the previous page's `unload` reached the server within RELOAD_WINDOW_SECONDS, else as
`open` (a first load, a new tab, or a return long after closing the tab).

The leave limit (exam setting `leave_limit`): once the examinee has come back from that many leaves, the
request that recorded the return submits the attempt through `submission.finalize` (by="leave_limit");
its conditional UPDATE lets one caller only finalize, however many event requests race.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select

from ...core import evidence as core
from ...extensions import db
from ...models import Attempt, AttemptEvent, Exam
from ...models._time import utcnow
from ..exams.access import AttemptRefused
from ..messages import _
from .submission import finalize

MAX_EVENTS_PER_REQUEST = 50
MAX_EVENTS_PER_ATTEMPT = 2000
RATE_LIMIT_EVENTS = 120  # per attempt and minute (server clock): a page sends a few per leave
LEAVE_LIMIT_BY = "leave_limit"
PAGE_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
MAX_TIME_CHARS = 40


@dataclass
class RecordResult:
    recorded: int
    leaves: int
    seconds_away: int
    submitted: bool = False  # the attempt was submitted because it reached the leave limit


def bad_events(detail: str) -> AttemptRefused:
    return AttemptRefused("bad_request", _("The page events sent were not understood: %(detail)s", detail=detail))


def record_events(attempt: Attempt, events: Any, now: datetime | None = None) -> RecordResult:
    """Store `[{"kind", "at"?, "page"?, "previous"?}]` (kinds: core.evidence.CLIENT_KINDS) while the
    attempt is in progress, then apply the exam's leave limit. All or nothing: one malformed event
    refuses the request ("bad_request"); too many events in the last minute refuse it ("rate_limited")."""
    rows_in = _parse(events)
    if attempt.state != "in_progress":
        return RecordResult(0, *_totals(attempt.id), submitted=attempt.submitted_by == LEAVE_LIMIT_BY)
    now = now or utcnow()
    _check_rate(attempt.id, len(rows_in), now)
    room = MAX_EVENTS_PER_ATTEMPT - _count(attempt.id)
    rows = [_row(attempt.id, event, now) for event in rows_in[:max(0, room)]]
    try:
        if rows:
            db.session.execute(insert(AttemptEvent), rows)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    summary = summary_of(attempt.id)
    apply_leave_limit(attempt, summary, now)
    return RecordResult(len(rows), summary.leave_count, summary.seconds_away,
                        submitted=attempt.submitted_by == LEAVE_LIMIT_BY)


def _parse(events: Any) -> list[dict]:
    if not isinstance(events, list | tuple):
        raise bad_events(_("expected a list of events"))
    if len(events) > MAX_EVENTS_PER_REQUEST:
        raise bad_events(_("at most %(max)d events per request", max=MAX_EVENTS_PER_REQUEST))
    parsed = []
    for event in events:
        if not isinstance(event, Mapping) or event.get("kind") not in core.CLIENT_KINDS:
            raise bad_events(_("each event needs a kind among %(kinds)s", kinds=", ".join(core.CLIENT_KINDS)))
        for name in ("page", "previous"):
            value = event.get(name)
            if value is not None and not (isinstance(value, str) and PAGE_ID.match(value)):
                raise bad_events(_("a page id has 1 to 40 letters, digits, - or _"))
        at = event.get("at")
        if at is not None and not (isinstance(at, str) and len(at) <= MAX_TIME_CHARS):
            raise bad_events(_("the time of an event is an ISO date-time of at most %(max)d characters",
                               max=MAX_TIME_CHARS))
        parsed.append(dict(event))
    return parsed


def _check_rate(attempt_id: int, incoming: int, now: datetime) -> None:
    recent = db.session.scalar(select(func.count(AttemptEvent.id)).where(
        AttemptEvent.attempt_id == attempt_id, AttemptEvent.server_time > now - timedelta(minutes=1),
        AttemptEvent.kind.in_(core.STORED_KINDS)))
    if recent + incoming > RATE_LIMIT_EVENTS:
        raise AttemptRefused("rate_limited", _("Too many page events in a minute: try again shortly."))


def _count(attempt_id: int) -> int:
    return db.session.scalar(select(func.count(AttemptEvent.id)).where(AttemptEvent.attempt_id == attempt_id))


def _row(attempt_id: int, event: dict, now: datetime) -> dict:
    kind = event["kind"]
    if kind == "load":
        kind = "reload" if _reloaded(attempt_id, event.get("previous"), now) else "open"
    detail = {"page": event["page"]} if event.get("page") else None
    return {"attempt_id": attempt_id, "kind": kind, "client_time": client_time(event.get("at")),
            "server_time": now, "detail": detail}


def _reloaded(attempt_id: int, previous: str | None, now: datetime) -> bool:
    """Whether the page `previous` (the same tab's last page) sent its unload within the reload window."""
    if not previous:
        return False
    since = now - timedelta(seconds=core.RELOAD_WINDOW_SECONDS)
    for detail in db.session.scalars(select(AttemptEvent.detail).where(
            AttemptEvent.attempt_id == attempt_id, AttemptEvent.kind == core.UNLOAD_KIND,
            AttemptEvent.server_time >= since)):
        if isinstance(detail, dict) and detail.get("page") == previous:
            return True
    return False


def client_time(value: Any) -> datetime | None:
    """An ISO time from the browser as naive UTC (a time without zone is taken as UTC); None if invalid."""
    if not isinstance(value, str) or len(value) > MAX_TIME_CHARS:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def stored_events(attempt_id: int) -> list[AttemptEvent]:
    """The attempt's page events (not the late-answer records), in server order."""
    return list(db.session.scalars(
        select(AttemptEvent).where(AttemptEvent.attempt_id == attempt_id, AttemptEvent.kind.in_(core.STORED_KINDS))
        .order_by(AttemptEvent.server_time, AttemptEvent.id)))


def summarize_events(events: list[AttemptEvent]) -> core.Summary:
    return core.summarize(core.Event(kind=event.kind, at=event.server_time, page=_page(event)) for event in events)


def summary_of(attempt_id: int) -> core.Summary:
    return summarize_events(stored_events(attempt_id))


def _page(event: AttemptEvent) -> str | None:
    return event.detail.get("page") if isinstance(event.detail, dict) else None


def _totals(attempt_id: int) -> tuple[int, int]:
    summary = summary_of(attempt_id)
    return summary.leave_count, summary.seconds_away


def apply_leave_limit(attempt: Attempt, summary: core.Summary, now: datetime) -> bool:
    """Submit the attempt (through `finalize`) once its closed leaves reach the exam's limit; True for
    the one caller whose finalize won."""
    limit = db.session.scalar(select(Exam.leave_limit).where(Exam.id == attempt.exam_id))
    if not limit or summary.leave_count < limit:
        return False
    won = finalize(attempt.id, now=now, by=LEAVE_LIMIT_BY)
    db.session.refresh(attempt)
    return won


def leave_limit_message() -> str:
    return _("You left the exam page as many times as this exam allows, so your answers were submitted "
             "automatically.")
