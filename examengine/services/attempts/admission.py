"""The queue of starts while the server is saturated: fair, and kept in the database.

When a synchronized start saturates a server, the web layer (`web/attempts/admission.py`, a limit of
concurrent starts per process) asks here who goes next instead of letting requests pile up until
they time out. A waiting examinee has a row in `start_queue`; their number is one more than the
live rows queued before theirs, and a retry is admitted only while fewer than `window` examinees are
ahead, so people who pressed "start" earlier start earlier, whichever server their retry reaches.
A row counts while its examinee keeps retrying (`polled_at` within STALE_SECONDS); admission deletes
it. Nothing of the attempt exists yet, so the examinee's time has not started.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import StartQueueEntry
from ...models._time import utcnow

STALE_SECONDS = 30  # a waiting page retries every few seconds; silence this long means it was closed


def ahead_of(exam_id: int, user_id: int, now: datetime | None = None) -> int:
    """How many live waiters are ahead of this examinee (all of them if they are not queued)."""
    now = now or utcnow()
    mine = db.session.get(StartQueueEntry, (exam_id, user_id))
    live = and_(StartQueueEntry.exam_id == exam_id, StartQueueEntry.polled_at >= now - timedelta(seconds=STALE_SECONDS),
                StartQueueEntry.user_id != user_id)
    if mine is not None:
        live = and_(live, or_(StartQueueEntry.queued_at < mine.queued_at,
                              and_(StartQueueEntry.queued_at == mine.queued_at, StartQueueEntry.user_id < user_id)))
    return db.session.scalar(select(func.count()).select_from(StartQueueEntry).where(live))


def join(exam_id: int, user_id: int, now: datetime | None = None) -> int:
    """Queue the examinee (keeping their place if they are queued already); their number, from 1."""
    now = now or utcnow()
    entry = db.session.get(StartQueueEntry, (exam_id, user_id))
    stale = entry is not None and entry.polled_at < now - timedelta(seconds=STALE_SECONDS)
    if entry is None:
        try:
            db.session.add(StartQueueEntry(exam_id=exam_id, user_id=user_id, queued_at=now, polled_at=now))
            db.session.commit()
        except IntegrityError:  # the same examinee's other tab queued first: keep that place
            db.session.rollback()
    else:
        # Someone who left and came back goes to the end of the queue.
        values = {"polled_at": now, **({"queued_at": now} if stale else {})}
        db.session.execute(update(StartQueueEntry).where(StartQueueEntry.exam_id == exam_id,
                                                         StartQueueEntry.user_id == user_id).values(**values))
        db.session.commit()
    return ahead_of(exam_id, user_id, now) + 1


def leave(exam_id: int, user_id: int) -> None:
    """The examinee was admitted (or gave up): their row goes."""
    db.session.execute(delete(StartQueueEntry).where(StartQueueEntry.exam_id == exam_id,
                                                     StartQueueEntry.user_id == user_id))
    db.session.commit()


def may_enter(exam_id: int, user_id: int, window: int, now: datetime | None = None) -> bool:
    """True if fewer than `window` live waiters are ahead: a free slot goes to the front of the queue."""
    return ahead_of(exam_id, user_id, now) < window
