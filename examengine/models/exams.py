"""Exams: their settings, sections and draw rules, who sits them, and per-user overrides."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Column, DateTime, ForeignKey, Integer, Numeric, String, Table, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._time import utcnow
from .accounts import Group, User

MULTIPLE_SCORING_CHOICES = ("all-or-nothing", "partial")
# What papers are balanced on: the author's labels, or the measured difficulty where enough responses
# exist (services/exams/difficulty.py).
DIFFICULTY_SOURCE_CHOICES = ("author", "measured")
# The stored lifecycle of an exam; "scheduled", "open" and "closed" are read off a published exam's
# window (services/exams/lifecycle.py holds the state machine).
EXAM_STATUSES = ("draft", "published", "archived")

exam_groups = Table(
    "exam_groups",
    db.metadata,
    Column("exam_id", ForeignKey("exams.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
)
exam_users = Table(
    "exam_users",
    db.metadata,
    Column("exam_id", ForeignKey("exams.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Exam(db.Model):
    __tablename__ = "exams"
    id: Mapped[int] = mapped_column(primary_key=True)
    # The stable name of an exam kept as a file (`flask exams apply|export`, services/exams/files.py);
    # None for exams made on the web.
    key: Mapped[str | None] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    instructions: Mapped[str] = mapped_column(Text, default="")
    time_limit_minutes: Mapped[int] = mapped_column(Integer)
    # Naive UTC, like every stored time; forms convert from and to the site's time zone.
    opens_at: Mapped[datetime] = mapped_column(DateTime)
    closes_at: Mapped[datetime] = mapped_column(DateTime)
    attempts_allowed: Mapped[int] = mapped_column(Integer, default=1)
    pass_percent: Mapped[float] = mapped_column(Numeric(5, 2, asdecimal=False), default=60)
    multiple_scoring: Mapped[str] = mapped_column(String(20), default="all-or-nothing")
    shuffle_questions: Mapped[bool] = mapped_column(Boolean, default=True)
    shuffle_options: Mapped[bool] = mapped_column(Boolean, default=True)
    difficulty_source: Mapped[str] = mapped_column(String(20), default="author", server_default="author")
    # "measured" exams: {version id (as text): level} frozen when the first attempt starts, so every
    # paper of the exam is balanced on the same levels while grading goes on. None until then.
    measured_difficulty: Mapped[dict | None] = mapped_column(JSON)
    # Total-difficulty points a paper may differ from the exam's target (core/papers/exposure.py).
    difficulty_tolerance: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Grading and results (issue 4).
    double_marking: Mapped[bool] = mapped_column(Boolean, default=False)
    # Two marks further apart than this share of the slot's points go to a third reviewer.
    double_marking_tolerance: Mapped[float] = mapped_column(Numeric(5, 2, asdecimal=False), default=20)
    # Calibration (issue 10): assigned reviewers first mark the question's sample answers within this
    # share of the points of the admin's reference marks (only for questions that have samples).
    calibration_required: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    calibration_tolerance: Mapped[float] = mapped_column(Numeric(5, 2, asdecimal=False), default=10,
                                                         server_default="10")
    # Leave-page evidence (issue 9): tell the examinee leaving is recorded, with a live count; submit the
    # attempt after that many leaves (None: no limit); ask for full screen on start (advisory).
    leave_notice: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    leave_limit: Mapped[int | None] = mapped_column(Integer)
    fullscreen_on_start: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    dimension_weights: Mapped[dict] = mapped_column(JSON, default=dict)  # {dimension: percent}, sums to 100
    grade_bands: Mapped[list | None] = mapped_column(JSON)  # [[label, min_percent], ...]; None = defaults
    appeal_days: Mapped[int] = mapped_column(Integer, default=7)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Lifecycle (issue 9): new exams are drafts; who last published, closed early or archived, and when.
    status: Mapped[str] = mapped_column(String(20), default="draft", server_default="draft")
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_early_at: Mapped[datetime | None] = mapped_column(DateTime)  # "close now"
    closed_early_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    archived_at: Mapped[datetime | None] = mapped_column(DateTime)
    archived_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    sections: Mapped[list[ExamSection]] = relationship(
        back_populates="exam", order_by="ExamSection.position", cascade="all, delete-orphan"
    )
    groups: Mapped[list[Group]] = relationship(secondary=exam_groups, order_by=Group.name)
    users: Mapped[list[User]] = relationship(secondary=exam_users, order_by=User.username)
    overrides: Mapped[list[ExamOverride]] = relationship(
        back_populates="exam", cascade="all, delete-orphan"
    )
    reviewers: Mapped[list[User]] = relationship(secondary="exam_reviewers", order_by=User.username)

    # Release of results and answers (issue 9, core/release.py): per item of feedback, when the examinee
    # sees it ("immediately", "after_close", "after_grading", "manual", "never"); and the admin's manual
    # release of the results (who and when; None while not released).
    release_score: Mapped[str] = mapped_column(String(20), default="after_grading", server_default="after_grading")
    release_marks: Mapped[str] = mapped_column(String(20), default="after_grading", server_default="after_grading")
    release_answers: Mapped[str] = mapped_column(String(20), default="after_close", server_default="after_close")
    release_feedback: Mapped[str] = mapped_column(String(20), default="after_grading",
                                                  server_default="after_grading")
    results_released_at: Mapped[datetime | None] = mapped_column(DateTime)
    results_released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def release_policy(self) -> dict[str, str]:
        """{item: condition} for core.release (the columns above)."""
        return {"score": self.release_score, "marks": self.release_marks, "answers": self.release_answers,
                "feedback": self.release_feedback}


class ExamSection(db.Model):
    __tablename__ = "exam_sections"
    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200), default="")

    exam: Mapped[Exam] = relationship(back_populates="sections")
    rules: Mapped[list[ExamRule]] = relationship(
        back_populates="section", order_by="ExamRule.position", cascade="all, delete-orphan"
    )


class ExamRule(db.Model):
    """Draw `count` questions matching the filters, or the fixed questions listed in `question_keys`."""

    __tablename__ = "exam_rules"
    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("exam_sections.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(10), default="draw")  # "draw" or "fixed"
    count: Mapped[int] = mapped_column(Integer, default=0)
    bank_keys: Mapped[list] = mapped_column(JSON, default=list)
    qtype: Mapped[str | None] = mapped_column(String(20))
    tags: Mapped[list] = mapped_column(JSON, default=list)
    dimension: Mapped[str | None] = mapped_column(String(100))
    difficulty_min: Mapped[int] = mapped_column(Integer, default=1)
    difficulty_max: Mapped[int] = mapped_column(Integer, default=5)
    points: Mapped[float | None] = mapped_column(Numeric(8, 2, asdecimal=False))
    question_keys: Mapped[list] = mapped_column(JSON, default=list)

    section: Mapped[ExamSection] = relationship(back_populates="rules")


class ExamOverride(db.Model):
    """Per-user exceptions: extra time, extra attempts, a later close."""

    __tablename__ = "exam_overrides"
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    extra_minutes: Mapped[int] = mapped_column(Integer, default=0)
    extra_attempts: Mapped[int] = mapped_column(Integer, default=0)
    closes_at: Mapped[datetime | None] = mapped_column(DateTime)

    exam: Mapped[Exam] = relationship(back_populates="overrides")
    user: Mapped[User] = relationship()
