"""How alike the reviewers of an exam mark: agreement of blind first and second marks (per exam and per
question), and per reviewer the answers marked, the mean mark relative to the other reviewers of the
same answers (severity or leniency) and the typical time per answer."""
from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from ...core import statistics as st
from ...extensions import db
from ...models import Attempt, AttemptSlot, Exam, GradingMark, QuestionVersion, User

OVERALL_STEP = 0.05  # across questions marks are compared as shares of the points, in 5 % steps
QUESTION_STEP = 0.5  # within a question, in half points
GAP_CAP_SECONDS = 30 * 60  # a longer pause between two marks is a break, not time spent on an answer


@dataclass
class QuestionAgreement:
    version_id: int
    title: str
    points: float
    figures: st.AgreementFigures


@dataclass
class ReviewerFigures:
    user_id: int
    name: str
    marked: int
    relative_mean: float | None  # mean of (own mark - mean of the others' marks), as a share of the points
    compared: int  # answers that another reviewer marked too
    seconds_per_answer: float | None  # median gap between consecutive marks


@dataclass
class ReviewerAnalysis:
    tolerance: float  # percent of the points
    overall: st.AgreementFigures
    questions: list[QuestionAgreement]
    reviewers: list[ReviewerFigures]


def _marks(exam_id: int):
    return db.session.execute(
        select(GradingMark.slot_id, GradingMark.reviewer_id, GradingMark.round, GradingMark.score,
               GradingMark.created_at, AttemptSlot.points, AttemptSlot.question_version_id)
        .join(AttemptSlot, AttemptSlot.id == GradingMark.slot_id)
        .join(Attempt, Attempt.id == AttemptSlot.attempt_id)
        .where(Attempt.exam_id == exam_id).order_by(GradingMark.id)).all()


def reviewer_analysis(exam: Exam) -> ReviewerAnalysis:
    tolerance = float(exam.double_marking_tolerance or 0)
    marks = _marks(exam.id)
    by_slot: dict[int, list] = defaultdict(list)
    for mark in marks:
        by_slot[mark.slot_id].append(mark)
    pairs = [(rounds["first"], rounds["second"]) for rounds in
             ({m.round: m for m in slot_marks} for slot_marks in by_slot.values())
             if "first" in rounds and "second" in rounds]
    overall = st.marker_agreement(
        [_share(a) for a, _ in pairs], [_share(b) for _, b in pairs], tolerance=tolerance / 100, step=OVERALL_STEP)
    return ReviewerAnalysis(tolerance, overall, _per_question(pairs, tolerance), _per_reviewer(marks, by_slot))


def _share(mark) -> float:
    return float(mark.score) / float(mark.points) if mark.points else 0.0


def _per_question(pairs, tolerance: float) -> list[QuestionAgreement]:
    grouped: dict[int, list] = defaultdict(list)
    for first, second in pairs:
        grouped[first.question_version_id].append((first, second))
    if not grouped:
        return []
    titles = dict(db.session.execute(select(QuestionVersion.id, QuestionVersion.title)
                                     .where(QuestionVersion.id.in_(list(grouped)))).all())
    result = []
    for version_id, version_pairs in sorted(grouped.items()):
        points = float(version_pairs[0][0].points)
        result.append(QuestionAgreement(version_id, titles.get(version_id, ""), points, st.marker_agreement(
            [float(a.score) for a, _ in version_pairs], [float(b.score) for _, b in version_pairs],
            tolerance=points * tolerance / 100, step=QUESTION_STEP)))
    return result


def _per_reviewer(marks, by_slot) -> list[ReviewerFigures]:
    own: dict[int, list] = defaultdict(list)
    for mark in marks:
        own[mark.reviewer_id].append(mark)
    names = {user.id: user.name for user in db.session.scalars(select(User).where(User.id.in_(list(own))))} \
        if own else {}
    result = []
    for reviewer_id, reviewer_marks in own.items():
        deviations = []
        for mark in reviewer_marks:
            others = [_share(m) for m in by_slot[mark.slot_id] if m.reviewer_id != reviewer_id]
            if others:
                deviations.append(_share(mark) - sum(others) / len(others))
        times = sorted(m.created_at for m in reviewer_marks if m.created_at is not None)
        gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:])]
        gaps = [gap for gap in gaps if 0 < gap <= GAP_CAP_SECONDS]
        result.append(ReviewerFigures(
            user_id=reviewer_id, name=names.get(reviewer_id, str(reviewer_id)), marked=len(reviewer_marks),
            relative_mean=sum(deviations) / len(deviations) if deviations else None, compared=len(deviations),
            seconds_per_answer=statistics.median(gaps) if gaps else None))
    return sorted(result, key=lambda r: (-r.marked, r.name))
