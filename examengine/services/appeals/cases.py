"""Filing and resolving appeals: the two transactions of the appeal workflow (rules in `policy`)."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import Appeal, Attempt, AttemptSlot, User
from ...models._time import utcnow
from ..attempts.submission import update_total
from ..audit import record_score_change
from .policy import (
    DECISIONS,
    EPSILON,
    MAX_REPLY_CHARS,
    AppealRefused,
    appeal_deadline,
    assignee,
    clean_reason,
    clean_text,
    handler_refusal,
    has_full_marks,
    parse_score,
)


def create_appeal(attempt_id: int, position: int, user_id: int, reason: str | None,
                  now: datetime | None = None) -> Appeal:
    """Lodge an appeal against one graded question of the user's own attempt (AppealRefused, no write)."""
    now = now or utcnow()
    try:
        attempt = db.session.get(Attempt, attempt_id) if 0 < attempt_id < 2**31 else None
        if attempt is None or attempt.user_id != user_id:
            raise AppealRefused("not_found", _("There is no such attempt."))
        slot = db.session.scalar(select(AttemptSlot).where(AttemptSlot.attempt_id == attempt.id,
                                                           AttemptSlot.position == position)) \
            if 0 <= position < 2**31 else None
        if slot is None:
            raise AppealRefused("not_found", _("There is no such question."))
        deadline = appeal_deadline(attempt)
        if deadline is None:
            raise AppealRefused("not_allowed", _("This exam's results are not released for appeals."))
        if slot.needs_grading or slot.score is None:
            raise AppealRefused("not_allowed", _("This question has not been graded yet."))
        if has_full_marks(slot.score, slot.points):
            raise AppealRefused("not_allowed", _("This question got full marks: there is nothing to appeal."))
        if db.session.scalar(select(Appeal.id).where(Appeal.slot_id == slot.id)) is not None:
            raise AppealRefused("exists", _("You have already appealed this question."))
        if now > deadline:
            raise AppealRefused("not_allowed", _("The appeal period of this exam has ended."))
        text = clean_reason(reason)
        appeal = Appeal(slot_id=slot.id, attempt_id=attempt.id, user_id=user_id, reason=text, state="open",
                        reviewer_id=assignee(attempt.exam_id, slot.id, user_id), old_score=float(slot.score),
                        created_at=now)
        db.session.add(appeal)
        db.session.flush()
        db.session.commit()
    except IntegrityError:  # the same question appealed twice at once
        db.session.rollback()
        raise AppealRefused("exists", _("You have already appealed this question.")) from None
    except Exception:
        db.session.rollback()
        raise
    return appeal


# --- resolving ---


def resolve_appeal(appeal_id: int, handler: User, decision: str | None, new_score: str | None,
                   reply: str | None, now: datetime | None = None) -> Appeal:
    """Uphold or change the score of an open appeal (AppealRefused, no write)."""
    now = now or utcnow()
    try:
        appeal = db.session.get(Appeal, appeal_id) if 0 < appeal_id < 2**31 else None
        if appeal is None:
            raise AppealRefused("not_found", _("There is no such appeal."))
        refusal = handler_refusal(appeal, handler)
        if refusal is not None:
            raise refusal
        if appeal.state != "open":
            raise AppealRefused("handled", _("This appeal has already been handled."))
        if decision not in DECISIONS:
            raise AppealRefused("bad_input", _("Choose whether to uphold or change the score."))
        text = clean_text(reply)
        if not text:
            raise AppealRefused("bad_input", _("Write a reply to the employee."))
        if len(text) > MAX_REPLY_CHARS:
            raise AppealRefused("bad_input", _("The reply is too long: at most %(count)s characters.",
                                               count=f"{MAX_REPLY_CHARS:,}"))
        points = db.session.scalar(select(AttemptSlot.points).where(AttemptSlot.id == appeal.slot_id))
        new = parse_score(new_score, float(points)) if decision == "change" else None
        # Claim the open appeal first: the conditional UPDATE takes its row lock (PostgreSQL) or the
        # write lock (SQLite), so the slot read below is current and two handlers resolve it once.
        won = db.session.execute(
            update(Appeal).where(Appeal.id == appeal.id, Appeal.state == "open")
            .values(state="upheld" if decision == "uphold" else "changed", reviewer_id=handler.id, reply=text,
                    resolved_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount == 1
        if not won:
            raise AppealRefused("handled", _("This appeal has already been handled."))
        current = db.session.execute(select(AttemptSlot.score).where(AttemptSlot.id == appeal.slot_id)
                                     .with_for_update()).scalar_one()
        old = None if current is None else float(current)
        if decision == "uphold":
            new = old
        elif old is not None and abs(new - old) <= EPSILON:
            raise AppealRefused("bad_input", _("The new score is the current score: choose to uphold it instead."))
        db.session.execute(update(Appeal).where(Appeal.id == appeal.id).values(old_score=old, new_score=new)
                           .execution_options(synchronize_session=False))
        if decision == "change":
            db.session.execute(update(AttemptSlot).where(AttemptSlot.id == appeal.slot_id).values(score=new)
                               .execution_options(synchronize_session=False))
            record_score_change(attempt_id=appeal.attempt_id, slot_id=appeal.slot_id, source="appeal", old=old, new=new,
                                actor_id=handler.id, reason=text)
            update_total(appeal.attempt_id)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    db.session.expire_all()
    return db.session.get(Appeal, appeal_id)
