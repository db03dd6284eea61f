"""Review of a finalized attempt, as far as the exam's release policy allows, decided on the server.

Each item of feedback has its condition (`core.release`, facts from `exams.release`): the score (total,
percentage, pass/fail), each question's marks, the answers (key, reference answers, explanations, and
the right/wrong badges) and the reviewer's feedback (the rubric with the items awarded, the comments).
Nothing hidden is put into the view: the question partials get the key only when answers are released,
and the rubric only ever reaches the page through the feedback block.

Feedback with double marking (`core.release.settled_feedback`): the deciding third mark alone, else
every mark the score stands on (both comments of two close marks). Reviewers stay anonymous.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import lazyload

from ...core import qtypes
from ...core.release import FeedbackMark, Visibility, settled_feedback
from ...extensions import db
from ...models import Attempt, AttemptSlot, Exam, GradingMark, QuestionVersion
from ..banks.rendered import version_renderers
from ..exams.access import AttemptRefused
from ..exams.release import attempt_visibility, last_close
from ..exams.scoring import official_score
from ..messages import _


def score_visible(exam: Exam, attempt: Attempt) -> bool:
    """Whether the attempt's examinee sees the total now (`exam` is the attempt's exam)."""
    return attempt_visibility(attempt).score


@dataclass
class RubricLine:
    points: float
    text: str
    awarded: bool  # by the mark(s) the feedback shows


@dataclass
class SlotFeedback:
    """A reviewer's feedback on one question, when released."""

    rubric: list[RubricLine]
    comments: list[str]
    adjustments: list[float] = field(default_factory=list)  # non-zero adjustments of the shown marks

@dataclass
class ReviewSlot:
    position: int
    qtype: str
    title: str
    points: float
    context: dict  # the type's template context: the key only when answers are released; readonly
    response: Any
    score: float | None  # only when marks are released
    correct: bool | None  # full marks? only with the badges (answers and marks released), else None
    needs_grading: bool
    explanation_html: str  # only when answers are released (the context renders it too)
    template: str = ""
    feedback: SlotFeedback | None = None  # only when feedback is released and a reviewer marked it


@dataclass
class ReviewView:
    attempt: Attempt
    score_visible: bool
    score: float | None
    max_score: float | None
    percent: float | None
    passed: bool | None
    visibility: Visibility
    slots: list[ReviewSlot]
    # Items not shown yet, with the condition they wait for: {item: condition}; and, for those waiting
    # for the close, when that is (naive UTC).
    pending: dict[str, str] = field(default_factory=dict)
    answers_after: datetime | None = None

    @property
    def show_marks(self) -> bool:
        return self.visibility.marks

    @property
    def show_answers(self) -> bool:
        return self.visibility.answers

    @property
    def show_feedback(self) -> bool:
        return self.visibility.feedback

    @property
    def show_badges(self) -> bool:
        return self.visibility.badges


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
    shown = attempt_visibility(attempt, now)
    rows = paper_rows(attempt.id)
    marks = _feedback_marks([slot.id for slot, _version in rows]) if shown.feedback else {}
    renderers = version_renderers(version for _slot, version in rows)  # the versions' stored HTML
    slots = [_slot(slot, version, shown, marks.get(slot.id, []), renderers[version.id]) for slot, version in rows]
    score, maximum, percent, passed = official_score(attempt) if shown.score else (None, None, None, None)
    pending = {item: condition for item, condition in exam.release_policy.items()
               if not getattr(shown, item) and condition != "never"}
    answers_after = last_close(exam) if pending.get("answers") == "after_close" else None
    return ReviewView(attempt=attempt, score_visible=shown.score, score=score, max_score=maximum, percent=percent,
                      passed=passed, visibility=shown, slots=slots, pending=pending, answers_after=answers_after)


def _feedback_marks(slot_ids: list[int]) -> dict[int, list[GradingMark]]:
    marks: dict[int, list[GradingMark]] = {}
    if slot_ids:
        for mark in db.session.scalars(select(GradingMark).where(GradingMark.slot_id.in_(slot_ids))
                                       .order_by(GradingMark.created_at, GradingMark.id)):
            marks.setdefault(mark.slot_id, []).append(mark)
    return marks


def _feedback(version: QuestionVersion, marks: list[GradingMark]) -> SlotFeedback | None:
    """The rubric with the items the settled mark(s) awarded, and their comments; None if unmarked."""
    by_round = {mark.round: mark for mark in marks}
    settled = settled_feedback([FeedbackMark(round=m.round, rubric_items=tuple(m.rubric_items or ()),
                                             comment=m.comment or "") for m in marks])
    if not settled:
        return None
    awarded = {index for mark in settled for index in mark.rubric_items}
    rubric = [RubricLine(points=float(item["points"]), text=item["text"], awarded=index in awarded)
              for index, item in enumerate((version.payload or {}).get("rubric") or [])]
    adjustments = [value for value in (float(by_round[m.round].adjustment or 0) for m in settled) if value]
    return SlotFeedback(rubric=rubric, comments=[m.comment.strip() for m in settled if m.comment.strip()],
                        adjustments=adjustments)


def _slot(slot: AttemptSlot, version: QuestionVersion, shown: Visibility, marks: list[GradingMark],
          render: qtypes.Renderer) -> ReviewSlot:
    qtype = qtypes.get(version.qtype)
    explanation = version.explanation if shown.answers else ""
    context = qtype.template_context(
        version.payload, stem_md=version.stem, field_name=f"q{slot.position}", response=slot.response,
        option_order=slot.option_order, show_key=shown.answers, explanation_md=explanation, render=render,
    )
    context["readonly"] = True
    context.pop("rubric", None)  # the rubric is feedback: it reaches the page only through `feedback`
    points = float(slot.points)
    score = None if slot.score is None else float(slot.score)
    correct = None
    if shown.badges and not slot.needs_grading and score is not None:
        correct = score >= points - 1e-9
    return ReviewSlot(
        position=slot.position, qtype=version.qtype, title=version.title, points=points, context=context,
        response=slot.response, score=score if shown.marks else None, correct=correct,
        needs_grading=bool(slot.needs_grading),
        explanation_html=render(explanation) if explanation else "", template=qtype.template,
        feedback=_feedback(version, marks) if shown.feedback and marks else None,
    )
