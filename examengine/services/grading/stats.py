"""Figures of the grading queue: progress per question, what waits for a reviewer, and how well the
reviewers of a double-marked exam agree (`agreement`, also shown on the results page)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased

from ...core.answer_groups import written_types
from ...extensions import db
from ...models import Attempt, AttemptSlot, Exam, GradingMark, QuestionVersion, exam_reviewers
from .scores import EPSILON


@dataclass
class QuestionProgress:
    version_id: int
    title: str
    qtype: str
    total: int  # answers submitted
    waiting: int  # still without a score that stands

    @property
    def graded(self) -> int:
        return self.total - self.waiting

    @property
    def percent(self) -> int:
        return round(100 * self.graded / self.total) if self.total else 100


def question_progress(exam_id: int) -> list[QuestionProgress]:
    """Per written question of the exam's submitted attempts: answers in total and still waiting."""
    versions = {row.id: row for row in db.session.execute(
        select(QuestionVersion.id, QuestionVersion.title, QuestionVersion.qtype)
        .where(QuestionVersion.qtype.in_(written_types())))}
    if not versions:
        return []
    waiting = func.sum(case((AttemptSlot.needs_grading.is_(True), 1), else_=0))
    rows = db.session.execute(
        select(AttemptSlot.question_version_id, func.count(), waiting, func.min(AttemptSlot.position))
        .join(Attempt, Attempt.id == AttemptSlot.attempt_id)
        .where(AttemptSlot.question_version_id.in_(list(versions)), Attempt.exam_id == exam_id,
               Attempt.state != "in_progress")
        .group_by(AttemptSlot.question_version_id)
    ).all()
    rows.sort(key=lambda row: (row[3], row[0]))
    return [QuestionProgress(version_id, versions[version_id].title, versions[version_id].qtype, total, int(left or 0))
            for version_id, total, left, _position in rows]


def waiting_count(user) -> int:
    """Written answers waiting in the exams the user reviews (not counting their own attempts)."""
    exams = select(exam_reviewers.c.exam_id).where(exam_reviewers.c.user_id == user.id)
    return db.session.scalar(
        select(func.count()).select_from(AttemptSlot).join(Attempt, Attempt.id == AttemptSlot.attempt_id)
        .where(AttemptSlot.needs_grading.is_(True), Attempt.exam_id.in_(exams), Attempt.user_id != user.id)
    ) or 0


@dataclass
class Agreement:
    """How well two reviewers' blind marks agree on an exam's double-marked answers."""

    tolerance: float  # percent of the answer's points
    pairs: int  # answers with a first and a second mark
    within: int  # of them, pairs within the tolerance
    mean_abs_diff: float | None  # mean |first - second| in points
    mean_abs_diff_percent: float | None  # the same, as percent of the answers' points
    third_done: int  # deciding third marks given
    third_waiting: int  # answers waiting for a deciding third mark

    @property
    def share_within(self) -> float | None:
        """Percent of the pairs within the tolerance."""
        return round(100 * self.within / self.pairs, 1) if self.pairs else None


def agreement(exam_id: int) -> Agreement:
    """Inter-reviewer agreement on the exam: pairs of first and second marks compared."""
    exam = db.session.get(Exam, exam_id)
    tolerance = float(exam.double_marking_tolerance) if exam is not None else 0.0
    first, second = aliased(GradingMark), aliased(GradingMark)
    diff = func.abs(first.score - second.score)
    within = case((diff <= AttemptSlot.points * (tolerance / 100) + EPSILON, 1), else_=0)
    pairs, inside, mean_diff, mean_share = db.session.execute(
        select(func.count(), func.sum(within), func.avg(diff),
               func.avg(case((AttemptSlot.points > 0, diff * 100 / AttemptSlot.points), else_=None)))
        .select_from(first)
        .join(second, (second.slot_id == first.slot_id) & (second.round == "second"))
        .join(AttemptSlot, AttemptSlot.id == first.slot_id)
        .join(Attempt, Attempt.id == AttemptSlot.attempt_id)
        .where(first.round == "first", Attempt.exam_id == exam_id)
    ).one()
    third_done = db.session.scalar(
        select(func.count()).select_from(GradingMark).join(AttemptSlot, AttemptSlot.id == GradingMark.slot_id)
        .join(Attempt, Attempt.id == AttemptSlot.attempt_id)
        .where(GradingMark.round == "third", Attempt.exam_id == exam_id)) or 0
    third_waiting = db.session.scalar(
        select(func.count()).select_from(AttemptSlot).join(Attempt, Attempt.id == AttemptSlot.attempt_id)
        .where(Attempt.exam_id == exam_id, AttemptSlot.needs_grading.is_(True), AttemptSlot.mark_count >= 2)) or 0
    return Agreement(
        tolerance=tolerance, pairs=pairs or 0, within=int(inside or 0),
        mean_abs_diff=None if mean_diff is None else round(float(mean_diff), 2),
        mean_abs_diff_percent=None if mean_share is None else round(float(mean_share), 1),
        third_done=third_done, third_waiting=third_waiting,
    )
