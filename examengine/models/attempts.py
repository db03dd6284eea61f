"""Attempts: a frozen paper per examinee, raw responses per slot, and what happened during the exam."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, Numeric, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._time import utcnow
from .accounts import User
from .banks import QuestionVersion
from .exams import Exam

# in_progress -> submitted (finalized; waits for reviewers while any slot needs grading) -> graded
ATTEMPT_STATES = ("in_progress", "submitted", "graded")


# At most one attempt in progress per (exam, user): parallel starts cannot both insert one.
ONE_IN_PROGRESS = "uq_attempts_one_in_progress"
IN_PROGRESS_WHERE = "state = 'in_progress'"


class Attempt(db.Model):
    __tablename__ = "attempts"
    __table_args__ = (
        UniqueConstraint("exam_id", "user_id", "number"), UniqueConstraint("code"),
        Index(ONE_IN_PROGRESS, "exam_id", "user_id", unique=True,
              sqlite_where=text(IN_PROGRESS_WHERE), postgresql_where=text(IN_PROGRESS_WHERE)),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    number: Mapped[int] = mapped_column(Integer, default=1)
    # Shown to reviewers instead of the examinee's name.
    code: Mapped[str] = mapped_column(String(16))
    seed: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20), default="in_progress", index=True)
    # The clock: `started_at` and `deadline` are set when the attempt is created and set again when its
    # paper is first served (`paper_served_at`), so time spent waiting for a busy server is not counted.
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    paper_served_at: Mapped[datetime | None] = mapped_column(DateTime)
    deadline: Mapped[datetime] = mapped_column(DateTime, index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    # "examinee", "timeout" (finalized after the deadline), "admin" or "leave_limit" (the exam's limit of
    # leaving the page was reached: services/attempts/evidence.py).
    submitted_by: Mapped[str | None] = mapped_column(String(20))
    score: Mapped[float | None] = mapped_column(Numeric(10, 2, asdecimal=False))
    max_score: Mapped[float] = mapped_column(Numeric(10, 2, asdecimal=False), default=0)

    exam: Mapped[Exam] = relationship()
    user: Mapped[User] = relationship()
    slots: Mapped[list[AttemptSlot]] = relationship(
        back_populates="attempt", order_by="AttemptSlot.position", cascade="all, delete-orphan"
    )
    events: Mapped[list[AttemptEvent]] = relationship(
        order_by="AttemptEvent.id", cascade="all, delete-orphan"
    )


class AttemptSlot(db.Model):
    """One question of a frozen paper: exact version, points and option order, plus the raw response."""

    __tablename__ = "attempt_slots"
    __table_args__ = (
        UniqueConstraint("attempt_id", "position"),
        # The grading queue: the oldest waiting answer to a question, and its group of equal answers.
        Index("ix_attempt_slots_queue", "question_version_id", "needs_grading", "mark_count", "id"),
        Index("ix_attempt_slots_group", "question_version_id", "needs_grading", "response_key", "mark_count"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    section: Mapped[int] = mapped_column(Integer, default=0)
    question_version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id"), index=True)
    points: Mapped[float] = mapped_column(Numeric(8, 2, asdecimal=False))
    option_order: Mapped[list | None] = mapped_column(JSON)
    response: Mapped[object | None] = mapped_column(JSON)
    # The newest save wins: a save carrying an older sequence number than this is ignored.
    response_seq: Mapped[int] = mapped_column(Integer, default=0)
    saved_at: Mapped[datetime | None] = mapped_column(DateTime)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    auto_score: Mapped[float | None] = mapped_column(Numeric(8, 2, asdecimal=False))
    needs_grading: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    score: Mapped[float | None] = mapped_column(Numeric(8, 2, asdecimal=False))
    # Written answers: a hash of the normalized text ("" when blank), so equal answers are graded
    # as one group; set on submission (services.grading_keys). None for auto-graded slots.
    response_key: Mapped[str | None] = mapped_column(String(40))
    # Reviewers' marks recorded so far (double marking: 1 waits for a second, 2 for a deciding third).
    mark_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    attempt: Mapped[Attempt] = relationship(back_populates="slots")
    version: Mapped[QuestionVersion] = relationship()


class AttemptEvent(db.Model):
    """Evidence recorded by the exam page (tab switch, window blur); it never ends the attempt."""

    __tablename__ = "attempt_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    client_time: Mapped[datetime | None] = mapped_column(DateTime)
    server_time: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    detail: Mapped[dict | None] = mapped_column(JSON)


class StartQueueEntry(db.Model):
    """An examinee waiting to start an exam while the server was saturated (services/attempts/admission.py).

    Kept in the database, not in a process, so the order holds whichever server a retry reaches. A row
    whose examinee stopped retrying (`polled_at` old) no longer counts; admission deletes the row.
    """

    __tablename__ = "start_queue"
    __table_args__ = (Index("ix_start_queue_order", "exam_id", "queued_at"),)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    queued_at: Mapped[datetime] = mapped_column(DateTime)
    polled_at: Mapped[datetime] = mapped_column(DateTime)
