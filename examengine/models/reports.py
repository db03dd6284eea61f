"""Question reports: an examinee says a question of their paper seems wrong; the bank's admins resolve it."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._time import utcnow
from .accounts import User
from .attempts import AttemptSlot
from .banks import QuestionVersion

REPORT_STATES = ("open", "resolved")

# At most one open report per slot (so per examinee and question of their paper): two reports sent at
# once cannot both insert one; the service then updates the winner's comment.
ONE_OPEN_REPORT = "uq_question_reports_one_open"
OPEN_WHERE = "state = 'open'"


class QuestionReport(db.Model):
    """"This question seems wrong": one examinee's comment on the exact version on their paper."""

    __tablename__ = "question_reports"
    __table_args__ = (
        Index(ONE_OPEN_REPORT, "slot_id", unique=True,
              sqlite_where=text(OPEN_WHERE), postgresql_where=text(OPEN_WHERE)),
        # The admin's list: open reports first, newest first.
        Index("ix_question_reports_state_created", "state", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("attempt_slots.id", ondelete="CASCADE"), index=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), index=True)
    # The version the examinee saw, and its question (the question page lists the reports of all versions).
    version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    comment: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # A second report of the same question while this one is open replaces the comment.
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolution_note: Mapped[str] = mapped_column(Text, default="")

    slot: Mapped[AttemptSlot] = relationship()
    version: Mapped[QuestionVersion] = relationship()
    reporter: Mapped[User] = relationship(foreign_keys=[user_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])
