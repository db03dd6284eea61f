"""Autosave: per-slot saves where the newest sequence number wins, acknowledged only once committed.

A save runs, in one transaction: a guard UPDATE on the attempt row (still in progress and not past
deadline + grace), which on PostgreSQL takes the row lock, so a submit racing the save waits for it to
commit and then grades the committed answer, or wins first and the save is refused as "finalized";
then one conditional UPDATE per slot (`WHERE response_seq < :seq`). On SQLite the database write lock
serializes the same way. Only the slots being saved are read (by attempt and position), never the
whole paper.

Changes that arrive once the attempt takes no more answers (past deadline + grace, or submitted) are
refused naming the questions whose answer the server does not hold (`details["not_received"]`), and a
"late_refused" event records them on the attempt, for the admin's attempt detail page.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select, update

from ...core import qtypes
from ...core.text import unstorable
from ...core.timing import is_overdue
from ...core.timing import seconds_left as _seconds_left
from ...extensions import db
from ...models import Attempt, AttemptEvent, AttemptSlot, Exam, QuestionVersion
from ...models._time import utcnow
from ..exams.access import AttemptRefused, grace_seconds
from ..messages import _, error_text, unstorable_message
from .start import MAX_DB_INT
from .submission import finalize

MAX_CHANGES = 500  # slots per save request
LATE_EVENT = "late_refused"
MAX_LATE_EVENTS = 20  # per attempt: a page retrying its refused answers cannot flood the evidence


# The save's statements, built once (building them per request was a good part of its CPU); each
# request only binds its values.
_TARGET = (select(Attempt.id, Attempt.deadline, Attempt.state)
           .join(Exam, Exam.id == Attempt.exam_id)
           .where(Attempt.id == bindparam("attempt_id"), Attempt.user_id == bindparam("user_id"),
                  Exam.status == "published"))
_GUARD = (update(Attempt)
          .where(Attempt.id == bindparam("guarded_id"), Attempt.state == "in_progress",
                 Attempt.deadline >= bindparam("earliest"))
          .values(state=Attempt.state)
          .execution_options(synchronize_session=False))
_SLOT_TYPES = (select(AttemptSlot.position, QuestionVersion.qtype, QuestionVersion.payload, AttemptSlot.option_order)
               .join(QuestionVersion, AttemptSlot.question_version_id == QuestionVersion.id)
               .where(AttemptSlot.attempt_id == bindparam("attempt_id"),
                      AttemptSlot.position.in_(bindparam("positions", expanding=True))))


def _slot_update(with_response: bool, with_flag: bool):
    """UPDATE of one slot where the stored seq is older: the seq, and the response and/or the flag."""
    values: dict[str, Any] = {"response_seq": bindparam("new_seq", type_=AttemptSlot.response_seq.type)}
    if with_response:
        values.update(response=bindparam("new_response", type_=AttemptSlot.response.type),
                      saved_at=bindparam("new_saved_at", type_=AttemptSlot.saved_at.type))
    if with_flag:
        values["flagged"] = bindparam("new_flagged", type_=AttemptSlot.flagged.type)
    return (update(AttemptSlot)
            .where(AttemptSlot.attempt_id == bindparam("slot_attempt"), AttemptSlot.position == bindparam("slot_position"),
                   AttemptSlot.response_seq < bindparam("new_seq", type_=AttemptSlot.response_seq.type))
            .values(**values)
            .execution_options(synchronize_session=False))


_SLOT_UPDATES = {(r, f): _slot_update(r, f) for r in (False, True) for f in (False, True)}


@dataclass
class SaveResult:
    saved: list[int] = field(default_factory=list)  # positions stored by this request
    stale: list[int] = field(default_factory=list)  # positions where a newer (or equal) seq is stored
    seconds_left: int = 0


@dataclass
class _Change:
    position: int
    seq: int
    has_response: bool
    raw: Any
    flagged: bool | None
    response: Any = None


def own_save_target(attempt_id: Any, user_id: int) -> Any:
    """What a save needs of the user's attempt (`.id`, `.deadline`, `.state`) in one core query, or None
    (not theirs, or its exam is not published: the web answers 404), with the checks of
    `flow.own_attempt`; an overdue attempt is finalized by save_changes(), which refuses the save."""
    if not _db_int(attempt_id, 1):
        return None
    return db.session.execute(_TARGET, {"attempt_id": attempt_id, "user_id": user_id}).first()


def save_changes(attempt: Attempt, changes: Any, now: datetime | None = None) -> SaveResult:
    """Store `[{"slot": position, "seq": n, "response": raw, "flagged": bool?}]`; newest seq per slot wins.

    `attempt` is the ORM Attempt or own_save_target()'s row. Committed before returning. Refused as "too_late" after deadline + grace (the attempt is then
    finalized with what was saved), "finalized" once submitted, "bad_request" when malformed or when a
    response holds a NUL or a lone surrogate. A refusal of answers the server does not hold lists their
    positions in `details["not_received"]`.
    """
    now = now or utcnow()
    attempt_id, deadline, state = attempt.id, attempt.deadline, attempt.state
    parsed = _parse_changes(changes)
    kind = unstorable([change.raw for change in parsed if change.has_response])
    if kind:  # a NUL or lone surrogate: no database keeps it, no page shows it
        raise AttemptRefused("bad_request", unstorable_message(kind))
    if is_overdue(deadline, now, grace_seconds()):
        if state == "in_progress":
            finalize(attempt_id, now=now, by="timeout")
        raise _not_taken(attempt_id, "too_late", parsed, now)
    if state != "in_progress":
        raise _not_taken(attempt_id, "finalized", parsed, now)
    if parsed:
        _clean(attempt_id, parsed)
    result = SaveResult(seconds_left=_seconds_left(deadline, now))
    if not parsed:
        return result  # a heartbeat: the page syncs its countdown
    try:
        guard = db.session.execute(
            _GUARD, {"guarded_id": attempt_id, "earliest": now - timedelta(seconds=grace_seconds())})
        if guard.rowcount != 1:
            db.session.rollback()
            raise _refusal_after_guard(attempt_id, parsed, now)
        for change in parsed:
            params: dict[str, Any] = {"slot_attempt": attempt_id, "slot_position": change.position, "new_seq": change.seq}
            if change.has_response:
                params.update(new_response=change.response, new_saved_at=now)
            if change.flagged is not None:
                params["new_flagged"] = change.flagged
            statement = _SLOT_UPDATES[change.has_response, change.flagged is not None]
            stored = db.session.execute(statement, params).rowcount
            (result.saved if stored else result.stale).append(change.position)
        db.session.commit()
    except AttemptRefused:
        raise
    except Exception:
        db.session.rollback()
        raise
    return result


def _refusal_after_guard(attempt_id: int, parsed: list[_Change], now: datetime) -> AttemptRefused:
    state = db.session.scalar(select(Attempt.state).where(Attempt.id == attempt_id))
    if state == "in_progress":  # the deadline moved earlier under us: past deadline + grace
        finalize(attempt_id, now=now, by="timeout")
        return _not_taken(attempt_id, "too_late", parsed, now)
    return _not_taken(attempt_id, "finalized", parsed, now)


def _not_taken(attempt_id: int, reason: str, parsed: list[_Change], now: datetime) -> AttemptRefused:
    """The refusal of changes the attempt no longer takes. Changes the server already holds (an equal or
    newer seq) were received; the others are named in the message and in details["not_received"],
    and recorded as a "late_refused" event (once per distinct list, at most MAX_LATE_EVENTS)."""
    if not parsed:
        return AttemptRefused(reason)  # a heartbeat
    stored = dict(db.session.execute(
        select(AttemptSlot.position, AttemptSlot.response_seq)
        .where(AttemptSlot.attempt_id == attempt_id, AttemptSlot.position.in_([c.position for c in parsed]))
    ).all())
    missing = [c.position for c in parsed if c.position in stored and c.seq > (stored[c.position] or 0)]
    if not missing:
        return AttemptRefused(reason)
    _record_late(attempt_id, reason, missing, now)
    numbers = ", ".join(str(position + 1) for position in missing)
    if reason == "too_late":
        message = (_("Time is up: your answer to question %(numbers)s arrived after the deadline and was not "
                     "received. Your other answers were received.", numbers=numbers) if len(missing) == 1 else
                   _("Time is up: your answers to questions %(numbers)s arrived after the deadline and were not "
                     "received. Your other answers were received.", numbers=numbers))
    else:
        message = (_("This attempt has already been submitted: your answer to question %(numbers)s arrived "
                     "afterwards and was not received.", numbers=numbers) if len(missing) == 1 else
                   _("This attempt has already been submitted: your answers to questions %(numbers)s arrived "
                     "afterwards and were not received.", numbers=numbers))
    return AttemptRefused(reason, message, details={"not_received": missing})


def _record_late(attempt_id: int, reason: str, positions: list[int], now: datetime) -> None:
    detail = {"positions": positions, "reason": reason}
    try:
        recorded = db.session.execute(
            select(AttemptEvent.detail).where(AttemptEvent.attempt_id == attempt_id, AttemptEvent.kind == LATE_EVENT)
            .order_by(AttemptEvent.id.desc())
        ).scalars().all()
        if len(recorded) >= MAX_LATE_EVENTS or (recorded and recorded[0] == detail):
            db.session.rollback()
            return
        db.session.add(AttemptEvent(attempt_id=attempt_id, kind=LATE_EVENT, server_time=now, detail=detail))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


def bad_request(message: str) -> AttemptRefused:
    return AttemptRefused("bad_request", _("The answers sent were not understood: %(detail)s", detail=message))


def _db_int(value: Any, low: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= MAX_DB_INT


def _parse_changes(changes: Any) -> list[_Change]:
    """Validated changes, one per slot (the highest seq when a slot repeats), in slot order."""
    if not isinstance(changes, (list, tuple)):
        raise bad_request("expected a list of changes")
    if len(changes) > MAX_CHANGES:
        raise bad_request(f"at most {MAX_CHANGES} changes per request")
    by_slot: dict[int, _Change] = {}
    for change in changes:
        if not isinstance(change, Mapping):
            raise bad_request("each change must be an object")
        position, seq, flagged = change.get("slot"), change.get("seq"), change.get("flagged")
        if not _db_int(position, 0):
            raise bad_request("each change needs the slot's number")
        if not _db_int(seq, 1):
            raise bad_request(f"each change needs a sequence number from 1 to {MAX_DB_INT}")
        if flagged is not None and not isinstance(flagged, bool):
            raise bad_request("flagged must be true or false")
        if "response" not in change and flagged is None:
            raise bad_request("a change needs a response or a flag")
        parsed = _Change(position, seq, "response" in change, change.get("response"), flagged)
        if position not in by_slot or by_slot[position].seq < seq:
            by_slot[position] = parsed
    return [by_slot[position] for position in sorted(by_slot)]


def _clean(attempt_id: int, parsed: list[_Change]) -> None:
    """Each response validated and normalized by its question type (only the slots being saved).

    Choice answers arrive as positions on the examinee's paper and are stored as authored indexes,
    through the slot's frozen option order."""
    positions = [change.position for change in parsed]
    types = {position: (qtype_name, payload, order) for position, qtype_name, payload, order in db.session.execute(
        _SLOT_TYPES, {"attempt_id": attempt_id, "positions": positions})}
    for change in parsed:
        if change.position not in types:
            raise bad_request(_("this paper has no question %(number)d", number=change.position + 1))
        if change.has_response:
            qtype_name, payload, order = types[change.position]
            try:
                change.response = qtypes.get(qtype_name).clean_response(payload, change.raw, option_order=order)
            except ValueError as error:
                raise bad_request(_("question %(number)d: %(error)s", number=change.position + 1,
                                    error=error_text(error))) from None


def changes_from_form(attempt: Attempt, form) -> list[dict]:
    """The no-JavaScript form as changes: fields `q{position}`... as the question templates name them,
    and a checkbox `flag-{position}`. Only slots that differ from what is stored; seq = stored + 1.

    Each change carries the raw response as the page's JSON save would (choice: displayed positions),
    so save_changes() cleans and maps it exactly once, the same way for both paths."""
    rows = db.session.execute(
        select(AttemptSlot.position, AttemptSlot.response, AttemptSlot.response_seq, AttemptSlot.flagged,
               AttemptSlot.option_order, QuestionVersion.qtype, QuestionVersion.payload)
        .join(QuestionVersion, AttemptSlot.question_version_id == QuestionVersion.id)
        .where(AttemptSlot.attempt_id == attempt.id)
        .order_by(AttemptSlot.position)
    ).all()
    changes = []
    for position, stored, seq, flagged, order, qtype_name, payload in rows:
        qtype = qtypes.get(qtype_name)
        try:
            raw = qtype.form_response(payload, form.getlist, f"q{position}")
            response = qtype.clean_response(payload, raw, option_order=order)
        except ValueError as error:
            raise bad_request(_("question %(number)d: %(error)s", number=position + 1, error=error_text(error))) from None
        flag = bool(form.get(f"flag-{position}"))
        if response != stored or flag != bool(flagged):
            changes.append({"slot": position, "seq": seq + 1, "response": raw, "flagged": flag})
    return changes
