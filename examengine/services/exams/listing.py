"""The admin's exam list: each exam's lifecycle state (`lifecycle.py`) and number of attempts."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import Attempt, Exam, ExamSection
from ...models._time import utcnow
from .lifecycle import SHOWN_STATES, latest_closes, lifecycle_state

STATUSES = SHOWN_STATES
# The list's filter: "" shows everything but archived exams, "all" everything, a state only that state.
LIST_FILTERS = ("", "all", *SHOWN_STATES)


def question_count(exam: Exam) -> int:
    return sum(len(rule.question_keys or ()) if rule.kind == "fixed" else max(rule.count, 0)
               for section in exam.sections for rule in section.rules)


def exam_status(exam: Exam, now: datetime | None = None) -> str:
    """The state shown on the exam's badge: draft, scheduled, open, closed or archived."""
    return lifecycle_state(exam, now)


@dataclass
class ExamRow:
    exam: Exam
    status: str
    attempts: int

    @property
    def locked(self) -> bool:
        return self.attempts > 0


def exam_rows(now: datetime | None = None, state: str = "") -> list[ExamRow]:
    """The exams the filter `state` (one of LIST_FILTERS) asks for, the latest opening first, with
    their state and number of attempts. An unknown filter is the default one."""
    now = now or utcnow()
    state = state if state in LIST_FILTERS else ""
    exams = db.session.scalars(
        select(Exam).options(selectinload(Exam.sections).selectinload(ExamSection.rules))
        .order_by(Exam.opens_at.desc(), Exam.id.desc())
    ).all()
    counts = dict(db.session.execute(select(Attempt.exam_id, func.count()).group_by(Attempt.exam_id)).all())
    later = latest_closes()
    rows = []
    for exam in exams:
        closes_at = max(exam.closes_at, later[exam.id]) if exam.id in later else exam.closes_at
        row = ExamRow(exam, lifecycle_state(exam, now, closes_at=closes_at), counts.get(exam.id, 0))
        if state == "all" or row.status == state or (not state and row.status != "archived"):
            rows.append(row)
    return rows
