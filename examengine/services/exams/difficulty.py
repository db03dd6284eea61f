"""Empirical difficulty: each question version's measured facility, and the levels an exam's papers
are balanced on.

A graded response is a slot of a finalized attempt (any exam) that has a score and waits for no
reviewer; blank answers count (they scored 0). Facility = Σscore / Σpoints over them; the mapping to
levels 1..5 and "measured where available" are in `core/papers/difficulty.py`. The threshold is the
app setting `EXAMENGINE_EMPIRICAL_DIFFICULTY_MIN_RESPONSES` (default 30).

Fairness: every paper of one exam must be balanced on the same levels, although grading goes on
while it runs. So a "measured" exam freezes {version id: level} in `exams.measured_difficulty` when
its first attempt starts (`freeze_measured_levels`, called by the attempt start before it draws) and
uses that snapshot for every later paper; while no attempt exists, each start (and the preview) uses
the levels measured now. Freezing at the first start rather than when the setting is saved uses the
responses gathered up to the exam itself, and the snapshot can never be stale against a pool that
changed after the setting was saved.
"""
from __future__ import annotations

from collections.abc import Mapping

from flask import current_app
from sqlalchemy import Float, cast, func, select

from ...core.papers import Facility, measured_levels
from ...extensions import db
from ...models import Attempt, AttemptSlot, Exam

DEFAULT_MIN_RESPONSES = 30


def min_responses() -> int:
    return int(current_app.config.get("EXAMENGINE_EMPIRICAL_DIFFICULTY_MIN_RESPONSES", DEFAULT_MIN_RESPONSES))


def version_facilities() -> dict[int, Facility]:
    """version id -> its graded responses over every exam, in one aggregate query."""
    rows = db.session.execute(
        select(AttemptSlot.question_version_id, func.count(AttemptSlot.id),
               func.sum(cast(AttemptSlot.score, Float)), func.sum(cast(AttemptSlot.points, Float)))
        .join(Attempt, Attempt.id == AttemptSlot.attempt_id)
        .where(Attempt.state != "in_progress", AttemptSlot.needs_grading.is_(False),
               AttemptSlot.score.is_not(None), AttemptSlot.points > 0)
        .group_by(AttemptSlot.question_version_id)
    ).all()
    return {version_id: Facility(n, float(score or 0), float(points or 0)) for version_id, n, score, points in rows}


def current_levels() -> dict[int, int]:
    """The measured levels now: version id -> level, for versions with enough graded responses."""
    return measured_levels(version_facilities(), min_responses())


def _has_attempts(exam_id: int) -> bool:
    return db.session.scalar(select(Attempt.id).where(Attempt.exam_id == exam_id).limit(1)) is not None


def frozen_levels(exam: Exam) -> dict[int, int] | None:
    """What the exam's papers are balanced on: None for the author's labels, else its snapshot."""
    if exam.difficulty_source != "measured":
        return None
    return {int(version_id): int(level) for version_id, level in (exam.measured_difficulty or {}).items()}


def paper_levels(exam: Exam) -> dict[int, int] | None:
    """The levels the exam's next paper would be balanced on (the preview): the snapshot once attempts
    exist, else the levels measured now (which the first start will freeze)."""
    if exam.difficulty_source != "measured":
        return None
    return frozen_levels(exam) if _has_attempts(exam.id) else current_levels()


def freeze_measured_levels(exam_id: int) -> None:
    """Store the measured levels on a "measured" exam that has no attempt yet, and commit.

    Holds the exam row FOR UPDATE (PostgreSQL). A start reads the snapshot under a shared lock of the
    same row until it has inserted its attempt, so once a start has read it nobody can refresh it, and
    after that attempt exists it is never refreshed again.
    """
    if not _may_need_freezing(exam_id):
        return  # the common case, without a write lock: a wave of starts must not queue on the row
    try:
        exam = db.session.scalar(select(Exam).where(Exam.id == exam_id).with_for_update()
                                 .execution_options(populate_existing=True))
        if exam is not None and exam.difficulty_source == "measured" and not _has_attempts(exam.id):
            exam.measured_difficulty = _as_json(current_levels())
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


def _may_need_freezing(exam_id: int) -> bool:
    source = db.session.scalar(select(Exam.difficulty_source).where(Exam.id == exam_id))
    return source == "measured" and not _has_attempts(exam_id)


def _as_json(levels: Mapping[int, int]) -> dict[str, int]:
    return {str(version_id): level for version_id, level in sorted(levels.items())}
