"""The admin's exam list: each exam's status and number of attempts."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import Attempt, Exam, ExamSection, exam_groups, exam_users
from ...models._time import utcnow

STATUSES = ("draft", "scheduled", "open", "closed")


def question_count(exam: Exam) -> int:
    return sum(len(rule.question_keys or ()) if rule.kind == "fixed" else max(rule.count, 0)
               for section in exam.sections for rule in section.rules)


def exam_status(exam: Exam, now: datetime | None = None, *, assigned: bool | None = None) -> str:
    """"draft" until it has questions and someone to sit it, then by its window."""
    now = now or utcnow()
    if assigned is None:
        assigned = _has_assignees(exam.id)
    if not question_count(exam) or not assigned:
        return "draft"
    if now < exam.opens_at:
        return "scheduled"
    return "open" if now < exam.closes_at else "closed"


def _has_assignees(exam_id: int) -> bool:
    found = select(exam_groups.c.exam_id).where(exam_groups.c.exam_id == exam_id).union_all(
        select(exam_users.c.exam_id).where(exam_users.c.exam_id == exam_id)).limit(1)
    return db.session.execute(found).first() is not None


@dataclass
class ExamRow:
    exam: Exam
    status: str
    attempts: int

    @property
    def locked(self) -> bool:
        return self.attempts > 0


def exam_rows(now: datetime | None = None) -> list[ExamRow]:
    """Every exam, the latest opening first, with its status and number of attempts."""
    exams = db.session.scalars(
        select(Exam).options(selectinload(Exam.sections).selectinload(ExamSection.rules))
        .order_by(Exam.opens_at.desc(), Exam.id.desc())
    ).all()
    counts = dict(db.session.execute(select(Attempt.exam_id, func.count()).group_by(Attempt.exam_id)).all())
    assigned = set(db.session.scalars(select(exam_groups.c.exam_id).union(select(exam_users.c.exam_id))))
    return [ExamRow(exam, exam_status(exam, now, assigned=exam.id in assigned), counts.get(exam.id, 0))
            for exam in exams]
