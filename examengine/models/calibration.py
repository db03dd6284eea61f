"""Calibration before grading (as Open edX ORA's learner training): sample answers to a written question
with an admin's reference mark, and the reviewers' practice marks on them. Practice marks are never
real marks: nothing here touches attempt scores, grading marks or the analysis."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Numeric, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._time import utcnow
from .accounts import User


class CalibrationSample(db.Model):
    """A sample answer to one question version of an exam, with the admin's reference mark.

    The answer is copied from a submitted one (`attempt_slot_id` kept for the admin's reference; the
    examinee is never shown to reviewers) or typed by the admin. `points` is what the reference is out
    of (the slot's points). Deleting a sample keeps the row (`deleted_at`), so the reviewers' marks on it
    and who removed it stay on record."""

    __tablename__ = "calibration_samples"
    __table_args__ = (Index("ix_calibration_samples_exam_version", "exam_id", "version_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id"))
    attempt_slot_id: Mapped[int | None] = mapped_column(ForeignKey("attempt_slots.id", ondelete="SET NULL"))
    response: Mapped[str] = mapped_column(Text)
    points: Mapped[float] = mapped_column(Numeric(8, 2, asdecimal=False))
    reference_score: Mapped[float] = mapped_column(Numeric(8, 2, asdecimal=False))
    reference_items: Mapped[list] = mapped_column(JSON, default=list)  # indexes into the rubric
    reference_adjustment: Mapped[float] = mapped_column(Numeric(8, 2, asdecimal=False), default=0)
    explanation: Mapped[str] = mapped_column(Text, default="")  # shown to the reviewer after they mark
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])


class CalibrationMark(db.Model):
    """One practice mark by a reviewer on a sample; one row per try (a reviewer may retry), the latest counts."""

    __tablename__ = "calibration_marks"
    __table_args__ = (Index("ix_calibration_marks_sample_reviewer", "sample_id", "reviewer_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("calibration_samples.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    rubric_items: Mapped[list] = mapped_column(JSON, default=list)
    adjustment: Mapped[float] = mapped_column(Numeric(8, 2, asdecimal=False), default=0)
    comment: Mapped[str] = mapped_column(Text, default="")
    score: Mapped[float] = mapped_column(Numeric(8, 2, asdecimal=False))
    within_tolerance: Mapped[bool] = mapped_column(Boolean)  # as told to the reviewer when they marked
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    sample: Mapped[CalibrationSample] = relationship()
