"""Calibration before grading (as Open edX ORA's learner training).

An admin picks a few sample answers per written question of an exam (copied from a submitted answer, or
typed) and gives each a reference mark with the grading rubric, plus an explanation. While the exam
requires calibration, an assigned reviewer gets no answers to a question that has samples
(`check_calibrated`, called by the queue and by saving a mark) until they pass: their latest practice
mark on every sample of that question is within the exam's calibration tolerance of the reference,
|score - reference| <= tolerance% x the sample's points. A failed sample may be marked again; every try
is kept. The pass is computed from the marks and the current tolerance, so a changed tolerance applies
at once.

Who is gated: the exam's assigned reviewers, admins among them included. An admin who is not assigned
(admins may grade any exam, as supervisors) is not gated. A question without samples is not gated.

Practice marks live in `calibration_marks` only: they never touch attempt scores, grading marks, the
audit log of scores, or the analysis.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import exists, func, insert, select

from ...core.answer_groups import BLANK_KEY, written_types
from ...core.text import unstorable
from ...extensions import db
from ...models import (
    Attempt,
    AttemptSlot,
    CalibrationMark,
    CalibrationSample,
    Exam,
    QuestionVersion,
    User,
    exam_reviewers,
)
from ...models._time import utcnow
from ..audit import record_admin_change
from ..messages import _, unstorable_message
from .scores import GradingRefused, parse_mark, within_tolerance

MAX_SAMPLES = 20  # per question: calibration is a few samples, not a second queue
MAX_RESPONSE_CHARS = 20_000
MAX_EXPLANATION_CHARS = 5_000
ANSWER_CHOICES = 100  # distinct submitted answers offered to pick a sample from


def is_reviewer_of(exam_id: int, user_id: int) -> bool:
    return db.session.scalar(select(exists().where(exam_reviewers.c.exam_id == exam_id,
                                                   exam_reviewers.c.user_id == user_id))) or False


# --- what a reviewer stands at ---

@dataclass
class SampleResult:
    sample: CalibrationSample
    latest: CalibrationMark | None  # the reviewer's latest practice mark on it
    tries: int
    passed: bool | None  # None: not marked yet


@dataclass
class CalibrationStatus:
    """A reviewer's calibration on one question: `state` is "open" (no gate: not required, not an
    assigned reviewer, or no samples), "passed", "pending" (samples left unmarked) or "failed" (every
    sample marked, the latest mark on some outside the tolerance)."""

    gated: bool  # calibration applies to this reviewer and question
    results: list[SampleResult] = field(default_factory=list)

    @property
    def left(self) -> list[SampleResult]:
        return [result for result in self.results if result.latest is None]

    @property
    def failed(self) -> list[SampleResult]:
        return [result for result in self.results if result.passed is False]

    @property
    def passed_count(self) -> int:
        return sum(1 for result in self.results if result.passed)

    @property
    def state(self) -> str:
        if not self.results:
            return "open"
        if self.left:
            return "pending"
        return "failed" if self.failed else "passed"

    @property
    def blocks(self) -> bool:
        """The queue stays closed for this reviewer on this question."""
        return self.gated and self.state in ("pending", "failed")

    @property
    def next_sample(self) -> CalibrationSample | None:
        """What to mark next: the first sample not marked yet, else the first one failed."""
        todo = self.left or self.failed
        return todo[0].sample if todo else None


def active_samples(exam_id: int, version_id: int) -> list[CalibrationSample]:
    return list(db.session.scalars(
        select(CalibrationSample).where(CalibrationSample.exam_id == exam_id, CalibrationSample.version_id == version_id,
                                        CalibrationSample.deleted_at.is_(None)).order_by(CalibrationSample.id)))


def _latest_marks(sample_ids: list[int], reviewer_ids: Iterable[int]) -> dict[tuple[int, int], tuple[CalibrationMark, int]]:
    """(sample, reviewer) -> (latest mark, tries)."""
    reviewer_ids = list(reviewer_ids)
    if not sample_ids or not reviewer_ids:
        return {}
    found: dict[tuple[int, int], tuple[CalibrationMark, int]] = {}
    for mark in db.session.scalars(
            select(CalibrationMark).where(CalibrationMark.sample_id.in_(sample_ids),
                                          CalibrationMark.reviewer_id.in_(reviewer_ids))
            .order_by(CalibrationMark.id)):
        key = (mark.sample_id, mark.reviewer_id)
        found[key] = (mark, found[key][1] + 1 if key in found else 1)
    return found


def _results(exam: Exam, samples: list[CalibrationSample], reviewer_id: int, latest) -> list[SampleResult]:
    tolerance = float(exam.calibration_tolerance)
    results = []
    for sample in samples:
        mark, tries = latest.get((sample.id, reviewer_id), (None, 0))
        passed = None if mark is None else within_tolerance(float(mark.score), float(sample.reference_score),
                                                            float(sample.points), tolerance)
        results.append(SampleResult(sample, mark, tries, passed))
    return results


def calibration_status(exam: Exam, version_id: int, reviewer_id: int) -> CalibrationStatus:
    samples = active_samples(exam.id, version_id)
    gated = bool(exam.calibration_required) and bool(samples) and is_reviewer_of(exam.id, reviewer_id)
    latest = _latest_marks([sample.id for sample in samples], [reviewer_id])
    return CalibrationStatus(gated, _results(exam, samples, reviewer_id, latest))


def check_calibrated(exam: Exam, version_id: int, reviewer_id: int) -> None:
    """Raise GradingRefused("calibration") when the reviewer must pass calibration on this question
    first. No query at all while the exam does not require calibration."""
    if not exam.calibration_required:
        return
    if calibration_status(exam, version_id, reviewer_id).blocks:
        raise GradingRefused("calibration", _("Pass the calibration on this question before grading it: mark "
                                              "the sample answers first."))


def reviewer_states(exam: Exam, reviewer_id: int) -> dict[int, str]:
    """For the grading home: question version id -> the reviewer's state, for the questions of the exam
    that gate them (empty when calibration is not required or they are not an assigned reviewer)."""
    if not exam.calibration_required or not is_reviewer_of(exam.id, reviewer_id):
        return {}
    samples = list(db.session.scalars(
        select(CalibrationSample).where(CalibrationSample.exam_id == exam.id, CalibrationSample.deleted_at.is_(None))
        .order_by(CalibrationSample.id)))
    latest = _latest_marks([sample.id for sample in samples], [reviewer_id])
    by_version: dict[int, list[CalibrationSample]] = {}
    for sample in samples:
        by_version.setdefault(sample.version_id, []).append(sample)
    return {version_id: CalibrationStatus(True, _results(exam, group, reviewer_id, latest)).state
            for version_id, group in by_version.items()}


# --- the admin's overview ---

@dataclass
class ReviewerCalibration:
    reviewer: User
    status: CalibrationStatus


@dataclass
class QuestionCalibration:
    version_id: int
    title: str
    samples: list[CalibrationSample]
    reviewers: list[ReviewerCalibration]


def calibration_overview(exam: Exam) -> list[QuestionCalibration]:
    """Per question with samples: each assigned reviewer's result (state, latest marks vs reference)."""
    samples = list(db.session.scalars(
        select(CalibrationSample).where(CalibrationSample.exam_id == exam.id, CalibrationSample.deleted_at.is_(None))
        .order_by(CalibrationSample.version_id, CalibrationSample.id)))
    if not samples:
        return []
    reviewers = list(exam.reviewers)
    latest = _latest_marks([sample.id for sample in samples], [user.id for user in reviewers])
    titles = dict(db.session.execute(select(QuestionVersion.id, QuestionVersion.title).where(
        QuestionVersion.id.in_({sample.version_id for sample in samples}))).all())
    by_version: dict[int, list[CalibrationSample]] = {}
    for sample in samples:
        by_version.setdefault(sample.version_id, []).append(sample)
    gated = bool(exam.calibration_required)
    return [QuestionCalibration(version_id, titles.get(version_id, ""), group, [
        ReviewerCalibration(user, CalibrationStatus(gated, _results(exam, group, user.id, latest)))
        for user in reviewers]) for version_id, group in by_version.items()]


def sample_counts(exam_id: int) -> dict[int, int]:
    """Question version id -> active samples."""
    return dict(db.session.execute(
        select(CalibrationSample.version_id, func.count()).where(CalibrationSample.exam_id == exam_id,
                                                                 CalibrationSample.deleted_at.is_(None))
        .group_by(CalibrationSample.version_id)).all())


# --- samples (admin) ---

@dataclass(frozen=True)
class AnswerChoice:
    slot_id: int
    code: str  # the attempt's anonymous code
    response: str
    points: float


def calibration_version(exam_id: int, version_id: int) -> tuple[QuestionVersion, float] | None:
    """The written question version and its points in the exam, when the exam's submitted attempts have
    it (samples are for the questions reviewers grade there); else None."""
    version = db.session.get(QuestionVersion, version_id) if 0 < version_id < 2**31 else None
    if version is None or version.qtype not in written_types():
        return None
    points = db.session.scalar(
        select(func.max(AttemptSlot.points)).join(Attempt, Attempt.id == AttemptSlot.attempt_id)
        .where(AttemptSlot.question_version_id == version_id, Attempt.exam_id == exam_id,
               Attempt.state != "in_progress"))
    return None if points is None else (version, float(points))


def answer_choices(exam_id: int, version_id: int, limit: int = ANSWER_CHOICES) -> list[AnswerChoice]:
    """Distinct non-blank submitted answers to the question (the oldest of each group of equal ones)."""
    firsts = (
        select(func.min(AttemptSlot.id)).join(Attempt, Attempt.id == AttemptSlot.attempt_id)
        .where(AttemptSlot.question_version_id == version_id, Attempt.exam_id == exam_id,
               Attempt.state != "in_progress", AttemptSlot.response_key.is_not(None),
               AttemptSlot.response_key != BLANK_KEY)
        .group_by(AttemptSlot.response_key).order_by(func.min(AttemptSlot.id)).limit(limit)
    )
    rows = db.session.execute(
        select(AttemptSlot.id, Attempt.code, AttemptSlot.response, AttemptSlot.points)
        .join(Attempt, Attempt.id == AttemptSlot.attempt_id)
        .where(AttemptSlot.id.in_(firsts)).order_by(AttemptSlot.id)).all()
    return [AnswerChoice(row.id, row.code, row.response, float(row.points)) for row in rows
            if isinstance(row.response, str)]


def answer_choice(exam_id: int, version_id: int, slot_id: int) -> AnswerChoice | None:
    """One submitted, non-blank answer to the question in the exam."""
    if not 0 < slot_id < 2**31:
        return None
    row = db.session.execute(
        select(AttemptSlot.id, Attempt.code, AttemptSlot.response, AttemptSlot.points)
        .join(Attempt, Attempt.id == AttemptSlot.attempt_id)
        .where(AttemptSlot.id == slot_id, AttemptSlot.question_version_id == version_id, Attempt.exam_id == exam_id,
               Attempt.state != "in_progress")).first()
    if row is None or not isinstance(row.response, str) or not row.response.strip():
        return None
    return AnswerChoice(row.id, row.code, row.response, float(row.points))


def _clean_text(value, *, limit: int, empty_message: str | None) -> str:
    text = (value if isinstance(value, str) else "").replace("\r\n", "\n").strip()
    kind = unstorable(text)
    if kind:
        raise GradingRefused("bad_mark", unstorable_message(kind))
    if not text and empty_message:
        raise GradingRefused("bad_mark", empty_message)
    if len(text) > limit:
        raise GradingRefused("bad_mark", _("The text is too long: at most %(count)s characters.",
                                           count=f"{limit:,}"))
    return text


def add_sample(exam: Exam, version_id: int, *, actor_id: int | None, slot_id: int | None = None,
               response: str | None = None, items: Iterable[str] = (), adjustment: str | None = None,
               explanation: str | None = None) -> CalibrationSample:
    """A sample answer with its reference mark: the submitted answer `slot_id`, or the typed `response`.
    Raises GradingRefused: "not_found" (not a written question of the exam's submitted papers, or not
    one of its answers), "bad_mark" (what is wrong with the form). Nothing is written then."""
    found = calibration_version(exam.id, version_id)
    if found is None:
        raise GradingRefused("not_found", _("Samples can be added only to the written questions of this exam's "
                                            "submitted papers."))
    version, points = found
    if slot_id is not None:
        choice = answer_choice(exam.id, version_id, slot_id)
        if choice is None:
            raise GradingRefused("not_found", _("That answer is not a submitted answer to this question."))
        text, points = choice.response, choice.points
    else:
        text = _clean_text(response, limit=MAX_RESPONSE_CHARS, empty_message=_("Type the sample answer."))
    note = _clean_text(explanation, limit=MAX_EXPLANATION_CHARS, empty_message=None)
    mark = parse_mark(items, adjustment, "", rubric=(version.payload or {}).get("rubric") or [], points=points)
    if len(active_samples(exam.id, version_id)) >= MAX_SAMPLES:
        raise GradingRefused("bad_mark", _("A question has at most %(count)s samples: delete one first.",
                                           count=MAX_SAMPLES))
    try:
        sample = CalibrationSample(
            exam_id=exam.id, version_id=version_id, attempt_slot_id=slot_id, response=text, points=points,
            reference_score=mark.score, reference_items=mark.rubric_items, reference_adjustment=mark.adjustment,
            explanation=note, created_by_id=actor_id, created_at=utcnow())
        db.session.add(sample)
        db.session.flush()
        record_admin_change("calibration_sample_added", actor_id=actor_id, exam_id=exam.id, sample_id=sample.id,
                            version_id=version_id, slot_id=slot_id, reference_score=mark.score)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return sample


def sample_of(exam: Exam, version_id: int, sample_id: int) -> CalibrationSample | None:
    """An active sample of this exam and question."""
    sample = db.session.get(CalibrationSample, sample_id) if 0 < sample_id < 2**31 else None
    if sample is None or sample.exam_id != exam.id or sample.version_id != version_id or sample.deleted_at:
        return None
    return sample


def remove_sample(exam: Exam, version_id: int, sample_id: int, *, actor_id: int | None) -> None:
    """Take a sample out of calibration. The row stays (with who removed it and when), and so do the
    reviewers' marks on it; it no longer counts for anyone's pass."""
    sample = sample_of(exam, version_id, sample_id)
    if sample is None:
        raise GradingRefused("not_found", _("This sample does not exist or was deleted."))
    try:
        sample.deleted_at = utcnow()
        sample.deleted_by_id = actor_id
        record_admin_change("calibration_sample_removed", actor_id=actor_id, exam_id=exam.id, sample_id=sample.id,
                            version_id=version_id)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


# --- practice marks (reviewer) ---

def save_calibration_mark(exam: Exam, version_id: int, sample_id: int, reviewer_id: int, *,
                          items: Iterable[str] = (), adjustment: str | None = None,
                          comment: str | None = None) -> CalibrationMark:
    """Record a practice mark on a sample (a new try each time). Raises GradingRefused: "not_found" (no
    such active sample), "bad_mark" (the mark is not valid, as in grading)."""
    sample = sample_of(exam, version_id, sample_id)
    version = db.session.get(QuestionVersion, version_id)
    if sample is None or version is None:
        raise GradingRefused("not_found", _("This sample does not exist or was deleted."))
    points = float(sample.points)
    mark = parse_mark(items, adjustment, comment, rubric=(version.payload or {}).get("rubric") or [], points=points)
    within = within_tolerance(mark.score, float(sample.reference_score), points, float(exam.calibration_tolerance))
    try:
        mark_id = db.session.execute(insert(CalibrationMark).values(
            sample_id=sample.id, reviewer_id=reviewer_id, rubric_items=mark.rubric_items, adjustment=mark.adjustment,
            comment=mark.comment, score=mark.score, within_tolerance=within, created_at=utcnow(),
        ).returning(CalibrationMark.id)).scalar_one()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return db.session.get(CalibrationMark, mark_id)


def own_mark(exam: Exam, version_id: int, mark_id: int, reviewer_id: int) -> CalibrationMark | None:
    """The reviewer's practice mark on a sample of this exam and question (others' marks are None)."""
    mark = db.session.get(CalibrationMark, mark_id) if 0 < mark_id < 2**31 else None
    if mark is None or mark.reviewer_id != reviewer_id:
        return None
    sample = mark.sample
    return mark if sample.exam_id == exam.id and sample.version_id == version_id else None
