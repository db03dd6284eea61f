"""Leave-page evidence: turning the exam page's events into leaves, reloads and seconds away.

Pure (no Flask, no database): the attempts service hands in the stored events in server order. Every
time used is the SERVER's arrival time of an event (the page sends each one at once); the browser's own
clock and any duration it might claim are never used.

The model. Each exam page (one page load, named by the random `page` id it sends) is either *here*
(visible and focused) or *away*. A page is here from its `open`/`reload` and after `visible`/`focus`;
away after `hidden`/`blur`; gone after `unload` (pagehide: a reload, a closed tab, a navigation).
The attempt is away when it has at least one page and none of them is here: that interval is a leave,
from the first `hidden`/`blur` to the next `visible`/`focus`/`open`/`reload` of ANY page of the
attempt. So

- a reload or a closed tab is not a leave: `unload` removes the page (its requests arriving later are
  ignored); a `hidden` the page sent as it unloaded (within UNLOAD_GRACE_SECONDS before its `unload`)
  cancels the leave it opened;
- two tabs: switching from one exam tab to another is not a leave. While another page is here, a blur
  leaves nobody away; when the tab that left is followed within SWITCH_SECONDS by a return of a
  DIFFERENT page, it was a switch between the attempt's own tabs (whichever request arrived first);
- a leave still open (the examinee has not come back) is reported with `open=True` and counts neither
  towards the number of leaves nor the seconds: both grow when the examinee returns, which is also when
  a leave limit submits the attempt.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

LEAVE_KINDS = ("hidden", "blur")
RETURN_KINDS = ("visible", "focus")
LOAD_KINDS = ("open", "reload")
UNLOAD_KIND = "unload"
# What the exam page may send; "load" is turned into "open" or "reload" by the service.
CLIENT_KINDS = LEAVE_KINDS + RETURN_KINDS + ("load", UNLOAD_KIND)
STORED_KINDS = LEAVE_KINDS + RETURN_KINDS + LOAD_KINDS + (UNLOAD_KIND,)

SWITCH_SECONDS = 3.0  # a return of another page of the attempt this soon: a switch between its tabs
UNLOAD_GRACE_SECONDS = 3.0  # a hidden this close before its page's unload belongs to the unload
RELOAD_WINDOW_SECONDS = 60.0  # a page load this soon after the same tab's unload is a reload


@dataclass(frozen=True)
class Event:
    kind: str
    at: datetime  # server time
    page: str | None = None  # the page load that sent it (None: a page from before page ids)


@dataclass
class Leave:
    left_at: datetime
    back_at: datetime | None  # None while the examinee is away
    page: str | None

    @property
    def open(self) -> bool:
        return self.back_at is None

    @property
    def seconds(self) -> int:
        return 0 if self.back_at is None else max(0, round((self.back_at - self.left_at).total_seconds()))


@dataclass
class Summary:
    leaves: list[Leave] = field(default_factory=list)  # closed and open, oldest first
    reloads: int = 0
    closes: int = 0  # unloads not followed by a reload (a closed tab, a navigation away)

    @property
    def closed_leaves(self) -> list[Leave]:
        return [leave for leave in self.leaves if not leave.open]

    @property
    def leave_count(self) -> int:
        return len(self.closed_leaves)

    @property
    def seconds_away(self) -> int:
        return sum(leave.seconds for leave in self.closed_leaves)


def summarize(events: Iterable[Event]) -> Summary:
    """The leaves, reloads and closes of one attempt from its events in server order."""
    summary = Summary()
    here: dict[str | None, bool] = {}
    current: Leave | None = None
    last_return: tuple[datetime, str | None] | None = None  # the latest return, for switches
    unloads = 0
    gone: set[str | None] = set()
    for event in events:
        kind, at, page = event.kind, event.at, event.page
        if page in gone and page is not None:
            continue  # a request of an unloaded page that arrived after its unload
        if kind in LEAVE_KINDS:
            here[page] = False
            if current is None and not any(here.values()):
                if last_return and last_return[1] != page and _within(last_return[0], at, SWITCH_SECONDS):
                    continue  # another tab came forward just before this one's leave arrived
                current = Leave(left_at=at, back_at=None, page=page)
        elif kind in RETURN_KINDS or kind in LOAD_KINDS:
            here[page] = True
            summary.reloads += kind == "reload"
            if current is not None:
                switched = current.page != page and _within(current.left_at, at, SWITCH_SECONDS)
                if not switched:
                    current.back_at = at
                    summary.leaves.append(current)
                current = None
            last_return = (at, page)
        elif kind == UNLOAD_KIND:
            unloads += 1
            here.pop(page, None)
            gone.add(page)
            if current is not None and current.page == page and _within(current.left_at, at, UNLOAD_GRACE_SECONDS):
                current = None  # the page's own hidden as it unloaded
    if current is not None:
        summary.leaves.append(current)
    summary.closes = max(0, unloads - summary.reloads)
    return summary


def _within(earlier: datetime, later: datetime, seconds: float) -> bool:
    return abs((later - earlier).total_seconds()) <= seconds
