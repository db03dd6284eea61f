"""Claims in the grading queue: a reviewer holds the answers shown to them until they save, skip or the
claim expires (`EXAMENGINE_CLAIM_SECONDS`).

A claim is one `GradingClaim` row per (slot, round), its primary key. Claiming is a conditional
upsert on that key: insert, or take the row over when it is ours or expired; `RETURNING` says which
rows we got. Two reviewers racing for the same answer cannot both get it: on PostgreSQL the second
insert waits on the first one's uncommitted key and then finds it live; on SQLite the database write
lock serializes the two statements. The same statement on both databases (`ON CONFLICT ... DO UPDATE
... WHERE`), so there is no dialect-specific locking to get wrong.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import DateTime, Integer, String, any_, delete, func, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ...extensions import db
from ...models import Attempt, AttemptSlot, GradingClaim

KEEP_EXPIRED = timedelta(hours=1)  # expired claims are harmless; they are swept after this long


def ids_in(column, ids):
    """`column IN ids` for a list of ids: one array parameter (`= ANY(...)`) on PostgreSQL, so a group
    of hundreds of answers is one short statement; an expanding IN on SQLite."""
    ids = sorted(ids)
    if db.engine.dialect.name == "postgresql":
        return column == any_(literal(ids, postgresql.ARRAY(Integer)))
    return column.in_(ids)


def claim_seconds() -> int:
    return int(current_app.config.get("EXAMENGINE_CLAIM_SECONDS", 600))


def _insert():
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(GradingClaim)


def claim(seats: dict[int, str], reviewer_id: int, now: datetime) -> set[int]:
    """Claim each slot (slot id -> round) for the reviewer unless someone else holds a live claim on
    it; returns the slot ids now held. Committed."""
    if not seats:
        return set()
    expires = now + timedelta(seconds=claim_seconds())
    items = sorted(seats.items())  # a fixed order: concurrent claims never deadlock on PostgreSQL
    postgres = db.engine.dialect.name == "postgresql"
    stmt = _insert()
    if postgres:  # the rows from two array parameters: one short statement however big the group
        stmt = stmt.from_select(["slot_id", "round", "reviewer_id", "expires_at"], select(
            func.unnest(literal([slot_id for slot_id, _seat in items], postgresql.ARRAY(Integer))),
            func.unnest(literal([seat for _slot_id, seat in items], postgresql.ARRAY(String))),
            literal(reviewer_id, Integer), literal(expires, DateTime)))
    stmt = stmt.on_conflict_do_update(
        index_elements=[GradingClaim.slot_id, GradingClaim.round],
        set_={"reviewer_id": stmt.excluded.reviewer_id, "expires_at": stmt.excluded.expires_at},
        where=or_(GradingClaim.reviewer_id == reviewer_id, GradingClaim.expires_at <= now),
    ).returning(GradingClaim.slot_id)
    try:
        if postgres:
            got = set(db.session.execute(stmt).scalars())
        else:  # executemany, sent as multi-row INSERTs ("insertmanyvalues"), RETURNING included
            rows = [{"slot_id": slot_id, "round": seat, "reviewer_id": reviewer_id, "expires_at": expires}
                    for slot_id, seat in items]
            got = set(db.session.connection().execute(stmt, rows).scalars())
        _commit_keeping_loaded()
    except Exception:
        db.session.rollback()
        raise
    return got


def _commit_keeping_loaded() -> None:
    """Commit without expiring what the request has loaded (the user, the exam, the question): only
    claim rows were written, so reloading them after the commit would be wasted round trips."""
    session = db.session()
    expire = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


def hold(slot_ids: list[int], reviewer_id: int, now: datetime) -> dict[int, str]:
    """Within the caller's transaction: the reviewer's live claims on these slots (slot id -> round),
    extended. The UPDATE takes the claim rows' locks (PostgreSQL) or the write lock (SQLite) first, so
    nobody can take the claims over while the caller writes its marks."""
    if not slot_ids:
        return {}
    rows = db.session.execute(
        update(GradingClaim)
        .where(ids_in(GradingClaim.slot_id, slot_ids), GradingClaim.reviewer_id == reviewer_id,
               GradingClaim.expires_at > now)
        .values(expires_at=now + timedelta(seconds=claim_seconds()))
        .returning(GradingClaim.slot_id, GradingClaim.round)
        .execution_options(synchronize_session=False)
    ).all()
    return {slot_id: seat for slot_id, seat in rows}


def release(slot_ids: list[int], reviewer_id: int, *, commit: bool = True, now: datetime | None = None) -> None:
    """Drop the reviewer's claims on these slots (saved, skipped or left); with `now`, also sweep
    everyone's claims expired long ago (harmless, but the table stays small)."""
    if slot_ids:
        db.session.execute(
            delete(GradingClaim)
            .where(ids_in(GradingClaim.slot_id, slot_ids), GradingClaim.reviewer_id == reviewer_id)
            .execution_options(synchronize_session=False)
        )
    if now is not None:
        db.session.execute(delete(GradingClaim).where(GradingClaim.expires_at < now - KEEP_EXPIRED)
                           .execution_options(synchronize_session=False))
    if commit:
        db.session.commit()


def held_slots(exam_id: int, version_id: int, reviewer_id: int, now: datetime) -> dict[int, str]:
    """The reviewer's live claims on waiting answers to this question (to show the same group again).
    Read from the (small) claims table first, so the slots are looked up by primary key."""
    mine = dict(db.session.execute(
        select(GradingClaim.slot_id, GradingClaim.round)
        .where(GradingClaim.reviewer_id == reviewer_id, GradingClaim.expires_at > now)).all())
    if not mine:
        return {}
    ids = db.session.scalars(
        select(AttemptSlot.id).join(Attempt, Attempt.id == AttemptSlot.attempt_id)
        .where(ids_in(AttemptSlot.id, mine), AttemptSlot.question_version_id == version_id,
               AttemptSlot.needs_grading.is_(True), Attempt.exam_id == exam_id))
    return {slot_id: mine[slot_id] for slot_id in ids}


def release_question(exam_id: int, version_id: int, reviewer_id: int, now: datetime) -> None:
    """Drop every claim the reviewer holds on this question's answers."""
    release(list(held_slots(exam_id, version_id, reviewer_id, now)), reviewer_id)
