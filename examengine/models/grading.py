"""After submission: reviewers' marks on subjective answers, claims in the queue, the audit log of
every score change, and appeals."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Index, Numeric, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._time import utcnow
from .accounts import User
from .attempts import AttemptSlot

exam_reviewers = Table(
    "exam_reviewers",
    db.metadata,
    Column("exam_id", ForeignKey("exams.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)

# Which mark a reviewer gives: the first, the second (double marking), or the deciding third.
MARK_ROUNDS = ("first", "second", "third")


class GradingMark(db.Model):
    """One reviewer's score for one subjective answer, with the rubric items applied."""

    __tablename__ = "grading_marks"
    __table_args__ = (
        Index("ix_grading_marks_slot_round", "slot_id", "round", unique=True),
        Index("ix_grading_marks_slot_reviewer", "slot_id", "reviewer_id", unique=True),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("attempt_slots.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    round: Mapped[str] = mapped_column(String(10), default="first")
    rubric_items: Mapped[list] = mapped_column(JSON, default=list)  # indexes into the rubric
    adjustment: Mapped[float] = mapped_column(Numeric(8, 2, asdecimal=False), default=0)
    comment: Mapped[str] = mapped_column(Text, default="")
    score: Mapped[float] = mapped_column(Numeric(8, 2, asdecimal=False))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    slot: Mapped[AttemptSlot] = relationship()
    reviewer: Mapped[User] = relationship()


class GradingClaim(db.Model):
    """A reviewer is looking at this answer; others skip it until the claim expires."""

    __tablename__ = "grading_claims"
    slot_id: Mapped[int] = mapped_column(ForeignKey("attempt_slots.id", ondelete="CASCADE"), primary_key=True)
    round: Mapped[str] = mapped_column(String(10), primary_key=True, default="first")
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class ScoreChange(db.Model):
    """Audit log: every change of a slot's score, by whom, when, from what to what, and why."""

    __tablename__ = "score_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), index=True)
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("attempt_slots.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(20))  # auto, reviewer, regrade, appeal, admin
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    old_score: Mapped[float | None] = mapped_column(Numeric(8, 2, asdecimal=False))
    new_score: Mapped[float | None] = mapped_column(Numeric(8, 2, asdecimal=False))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()


APPEAL_STATES = ("open", "upheld", "changed")


class Appeal(db.Model):
    """An employee contests the score of one graded question (复核与申诉)."""

    __tablename__ = "appeals"
    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("attempt_slots.id", ondelete="CASCADE"), unique=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), default="open", index=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reply: Mapped[str] = mapped_column(Text, default="")
    old_score: Mapped[float | None] = mapped_column(Numeric(8, 2, asdecimal=False))
    new_score: Mapped[float | None] = mapped_column(Numeric(8, 2, asdecimal=False))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)

    slot: Mapped[AttemptSlot] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])
