"""Question banks. A question keeps every version it ever had: attempts point at exact versions."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._time import utcnow


class Bank(db.Model):
    __tablename__ = "banks"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    source_name: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    questions: Mapped[list[Question]] = relationship(back_populates="bank", order_by="Question.position")


class Question(db.Model):
    """A question's lasting identity inside its bank (its `id:` or, without one, its content)."""

    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("bank_id", "identity"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id"), index=True)
    identity: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    retired_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    bank: Mapped[Bank] = relationship(back_populates="questions")
    versions: Mapped[list[QuestionVersion]] = relationship(
        back_populates="question", order_by="QuestionVersion.number"
    )

    @property
    def retired(self) -> bool:
        return self.retired_at is not None


class QuestionVersion(db.Model):
    """One immutable version of a question, as parsed from the bank file."""

    __tablename__ = "question_versions"
    __table_args__ = (
        UniqueConstraint("question_id", "number"),
        Index("ix_question_versions_current_type", "is_current", "qtype"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    qtype: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300), default="")
    points: Mapped[float] = mapped_column(Numeric(8, 2, asdecimal=False))
    difficulty: Mapped[int] = mapped_column(Integer)
    dimension: Mapped[str] = mapped_column(String(100), default="", index=True)
    stem: Mapped[str] = mapped_column(Text)
    explanation: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict] = mapped_column(JSON)
    fingerprint: Mapped[str] = mapped_column(String(64))
    source_line: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # The version's Markdown rendered once (`core.qtypes.render_fragments`: {"v", "nonce", "html"});
    # NULL, or another render version, until `services.banks.rendered` fills it.
    rendered: Mapped[dict | None] = mapped_column(JSON(none_as_null=True), nullable=True)

    question: Mapped[Question] = relationship(back_populates="versions")
    tag_rows: Mapped[list[QuestionTag]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="QuestionTag.position"
    )

    @property
    def tags(self) -> list[str]:
        return [row.tag for row in self.tag_rows]


class QuestionTag(db.Model):
    """Tags in their own table so the question browser can filter on them in SQL."""

    __tablename__ = "question_tags"
    version_id: Mapped[int] = mapped_column(
        ForeignKey("question_versions.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
