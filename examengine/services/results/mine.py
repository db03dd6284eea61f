"""An employee's own results across exams, with the breakdown by dimension (the competency report).

Per exam the user sat, the latest finalized attempt (as on their home page). Its result is computed
only when the exam's release policy shows the score (`review.score_visible`, `core.release`): e.g.
"never" keeps it hidden, "after_grading" until every answer is graded, "manual" until an admin
releases the results, "immediately" shows it at once (the total then stays open while written
answers wait). An unreleased attempt is listed without any figure.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ...core import results as core
from ...extensions import db
from ...models import Attempt, Exam, User
from ..attempts.review import score_visible
from ..exams.scoring import dimension_sums, scoring_of


@dataclass
class MyResult:
    exam: Exam
    attempt: Attempt
    released: bool  # False: finalized but the policy does not show the score (yet); nothing else is set
    result: core.Result | None
    bands: tuple[core.Band, ...]


def my_results(user: User) -> list[MyResult]:
    """Per published exam the user sat (archived ones are hidden), the latest finalized attempt; its
    result only when released."""
    attempts = db.session.scalars(
        select(Attempt).join(Exam, Exam.id == Attempt.exam_id)
        .where(Attempt.user_id == user.id, Attempt.state != "in_progress", Exam.status == "published")).all()
    latest: dict[int, Attempt] = {}
    for attempt in attempts:
        if attempt.exam_id not in latest or attempt.number > latest[attempt.exam_id].number:
            latest[attempt.exam_id] = attempt
    shown = [a for a in latest.values() if score_visible(a.exam, a)]
    sums = dimension_sums(Attempt.id.in_([a.id for a in shown])) if shown else {}
    items = []
    for attempt in sorted(latest.values(), key=lambda a: (a.submitted_at or a.started_at, a.id), reverse=True):
        exam = attempt.exam
        weights, bands = scoring_of(exam)
        released = attempt in shown
        result = core.compute(dimensions=sums.get(attempt.id, []), weights=weights, bands=bands,
                              pass_percent=exam.pass_percent) if released else None
        items.append(MyResult(exam=exam, attempt=attempt, released=released, result=result, bands=bands))
    return items
