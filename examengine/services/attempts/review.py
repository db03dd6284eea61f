"""Review of a finalized attempt, as far as the exam's review policy allows, decided on the server.

show_score: "immediately" (as soon as it is finalized; the total stays open while written answers
wait for a reviewer), "after_grading" (once fully graded) or "never". show_correctness adds each
question's score and right/wrong; show_answers adds the key, reference answers, rubrics and
explanations, but only once the examinee has no attempts left and the exam has closed for everybody
(`exams.access.answer_release`): until then the review says when they will be shown.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import lazyload

from ...core import qtypes
from ...core.markup import render_markdown
from ...extensions import db
from ...models import Attempt, AttemptSlot, Exam, QuestionVersion
from ..exams.access import AttemptRefused, answer_release
from ..exams.scoring import official_score
from ..messages import _


def score_visible(exam: Exam, attempt: Attempt) -> bool:
    if attempt.state == "in_progress":
        return False
    if exam.show_score == "immediately":
        return True
    if exam.show_score == "after_grading":
        return attempt.state == "graded"
    return False


@dataclass
class ReviewSlot:
    position: int
    qtype: str
    title: str
    points: float
    context: dict  # the type's template context: the key only when show_answers; readonly
    response: Any
    score: float | None  # only when show_correctness
    correct: bool | None  # full marks? None when hidden or still to be graded
    needs_grading: bool
    explanation_html: str  # only when show_answers (the context renders it too)
    template: str = ""


@dataclass
class ReviewView:
    attempt: Attempt
    score_visible: bool
    score: float | None
    max_score: float | None
    percent: float | None
    passed: bool | None
    show_correctness: bool
    show_answers: bool
    slots: list[ReviewSlot]
    # The exam shows answers, but not yet: the last close (naive UTC) the examinee is told about.
    answers_after: datetime | None = None


def paper_rows(attempt_id: int) -> list[tuple[AttemptSlot, QuestionVersion]]:
    """The attempt's slots with their question versions, in paper order (the exam and review pages)."""
    return [tuple(row) for row in db.session.execute(
        select(AttemptSlot, QuestionVersion)
        .join(QuestionVersion, AttemptSlot.question_version_id == QuestionVersion.id)
        .where(AttemptSlot.attempt_id == attempt_id)
        .order_by(AttemptSlot.position)
        .options(lazyload(QuestionVersion.tag_rows))  # tags are not shown: skip their selectin load
    )]


def review_view(attempt: Attempt, now: datetime | None = None) -> ReviewView:
    """Only for finalized attempts (an attempt in progress: AttemptRefused("bad_request"))."""
    if attempt.state == "in_progress":
        raise AttemptRefused("bad_request", _("This attempt is still in progress."))
    exam = attempt.exam
    visible = score_visible(exam, attempt)
    show_correctness, show_answers = bool(exam.show_correctness), bool(exam.show_answers)
    answers_after = None
    if show_answers:  # never while another attempt, this user's or anybody's, could use the key
        release = answer_release(exam, attempt.user_id, now)
        show_answers = release.released
        answers_after = None if release.released else release.closes_at
    rows = paper_rows(attempt.id)
    slots = [_slot(slot, version, show_correctness, show_answers) for slot, version in rows]
    score, maximum, percent, passed = official_score(attempt) if visible else (None, None, None, None)
    return ReviewView(attempt=attempt, score_visible=visible, score=score, max_score=maximum, percent=percent,
                      passed=passed, show_correctness=show_correctness,
                      show_answers=show_answers, slots=slots, answers_after=answers_after)


def _slot(slot: AttemptSlot, version: QuestionVersion, show_correctness: bool, show_answers: bool) -> ReviewSlot:
    qtype = qtypes.get(version.qtype)
    explanation = version.explanation if show_answers else ""
    context = qtype.template_context(
        version.payload, stem_md=version.stem, field_name=f"q{slot.position}", response=slot.response,
        option_order=slot.option_order, show_key=show_answers, explanation_md=explanation,
    )
    context["readonly"] = True
    points = float(slot.points)
    score = None if slot.score is None else float(slot.score)
    correct = None
    if show_correctness and not slot.needs_grading and score is not None:
        correct = score >= points - 1e-9
    return ReviewSlot(
        position=slot.position, qtype=version.qtype, title=version.title, points=points, context=context,
        response=slot.response, score=score if show_correctness else None, correct=correct,
        needs_grading=bool(slot.needs_grading),
        explanation_html=render_markdown(explanation) if explanation else "", template=qtype.template,
    )
