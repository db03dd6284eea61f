"""The admin's to-do summary on the start page (read-only)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from ...extensions import db
from ...models import Attempt, AttemptSlot, Exam
from ...models._time import utcnow
from ..appeals import count_appeals
from ..exams.lifecycle import latest_closes
from ..reports.listing import state_counts


@dataclass
class AdminTodo:
    running: int = 0  # published exams open now for somebody
    waiting_answers: int = 0  # written answers of submitted attempts that wait for a reviewer
    open_appeals: int = 0
    open_reports: int = 0
    closing_today: list[tuple[Exam, datetime]] = field(default_factory=list)  # (exam, its latest close)

    @property
    def empty(self) -> bool:
        return not (self.running or self.waiting_answers or self.open_appeals or self.open_reports
                    or self.closing_today)


def end_of_local_day(now: datetime, zone: str) -> datetime:
    """The next local midnight in `zone` after `now` (naive UTC in and out)."""
    local = now.replace(tzinfo=UTC).astimezone(ZoneInfo(zone))
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=local.tzinfo)
    return midnight.astimezone(UTC).replace(tzinfo=None)


def admin_todo(zone: str, now: datetime | None = None) -> AdminTodo:
    """Counts for the admin's start page; "closing today" means the latest close (overrides included)
    is still ahead and falls before the next midnight of the site's time zone `zone`."""
    now = now or utcnow()
    later = latest_closes()
    running, closing = 0, []
    day_ends = end_of_local_day(now, zone)
    for exam in db.session.scalars(select(Exam).where(Exam.status == "published", Exam.opens_at <= now)
                                   .order_by(Exam.closes_at, Exam.id)):
        closes_at = max(exam.closes_at, later[exam.id]) if exam.id in later else exam.closes_at
        if now < closes_at:
            running += 1
            if closes_at < day_ends:
                closing.append((exam, closes_at))
    waiting = db.session.scalar(
        select(func.count()).select_from(AttemptSlot).join(Attempt, Attempt.id == AttemptSlot.attempt_id)
        .where(AttemptSlot.needs_grading.is_(True), Attempt.state != "in_progress")) or 0
    return AdminTodo(running=running, waiting_answers=waiting, open_appeals=count_appeals(state="open"),
                     open_reports=state_counts().get("open", 0), closing_today=sorted(closing, key=lambda x: x[1]))
