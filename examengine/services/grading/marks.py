"""Recording reviewers' marks: one mark for a whole group of equal answers, in one transaction.

Saving needs a live claim on every answer of the group (`grading_claims.hold`, which also locks them).
Per answer it writes a `GradingMark` in the claimed round; once the score that stands is known
(`grading_scores.settle`: the single mark; with double marking the mean of two close marks or the
deciding third) it sets the slot's score, clears `needs_grading`, records the change in the audit log
and recomputes the attempt (`grading.update_total`), which turns "graded" when nothing is left.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from ...core.answer_groups import BLANK_KEY
from ...extensions import db
from ...models import Attempt, AttemptSlot, Exam, GradingMark, QuestionVersion
from ...models._time import utcnow
from ..attempts.start import MAX_DB_INT
from ..attempts.submission import update_total
from ..audit import record_score_changes
from .calibration import check_calibrated
from .claims import hold, ids_in, release
from .scores import GradingRefused, Mark, parse_mark, settle

MAX_SLOTS_PER_SAVE = 1_000


@dataclass
class SaveOutcome:
    marked: int = 0  # answers that got this mark
    score: float = 0.0  # the mark given
    final: int = 0  # of them, answers whose score now stands
    waiting_second: int = 0  # double marking: waiting for another reviewer
    waiting_third: int = 0  # double marking: the two marks differ too much
    attempts_graded: list[int] = field(default_factory=list)


def clean_slot_ids(raw: Iterable) -> list[int]:
    """Posted slot ids: whole numbers from 1 to 2**31 - 1 (an Integer column; larger ones would make
    PostgreSQL fail), duplicates folded, at most MAX_SLOTS_PER_SAVE; anything else is a forged form
    (GradingRefused("bad_mark"), the web's 400)."""
    ids: list[int] = []
    for value in raw:
        text = value.strip() if isinstance(value, str) else str(value) if isinstance(value, int) else ""
        if not (text.isascii() and text.isdigit()) or len(text) > 10 or not 0 < int(text) <= MAX_DB_INT:
            raise GradingRefused("bad_mark", _("The form was not valid: reload the page and try again."))
        ids.append(int(text))
    ids = sorted(set(ids))
    if not ids or len(ids) > MAX_SLOTS_PER_SAVE:
        raise GradingRefused("bad_mark", _("The form was not valid: reload the page and try again."))
    return ids


def save_mark(exam_id: int, version_id: int, slot_ids: list[int], reviewer_id: int, *,
              items: Iterable[str] = (), adjustment: str | None = None, comment: str | None = None,
              now: datetime | None = None) -> SaveOutcome:
    """Give one mark to the reviewer's claimed group of answers. Raises GradingRefused (no write)."""
    return _record(exam_id, version_id, slot_ids, reviewer_id, now or utcnow(),
                   lambda rubric, points: parse_mark(items, adjustment, comment, rubric=rubric, points=points))


def score_blank(exam_id: int, version_id: int, slot_ids: list[int], reviewer_id: int, *,
                now: datetime | None = None) -> SaveOutcome:
    """Score a claimed group of blank answers 0 in one action; it stands at once, double marking or not."""
    return _record(exam_id, version_id, slot_ids, reviewer_id, now or utcnow(),
                   lambda rubric, points: Mark([], 0.0, "blank answer", 0.0), blank=True)


def _record(exam_id, version_id, slot_ids, reviewer_id, now, make_mark, *, blank=False) -> SaveOutcome:
    exam = db.session.get(Exam, exam_id)
    version = db.session.get(QuestionVersion, version_id)
    if exam is None or version is None:
        raise GradingRefused("not_found", _("This question is not in the grading queue."))
    check_calibrated(exam, version_id, reviewer_id)  # claims taken before calibration was required
    try:
        seats = hold(slot_ids, reviewer_id, now)  # locks first, then reads under the lock
        if len(seats) != len(slot_ids):
            raise GradingRefused("claim", _("These answers were claimed by someone else, or your claim expired: "
                                            "nothing was saved. Take the next answer."))
        rows = db.session.execute(
            select(AttemptSlot.id, AttemptSlot.attempt_id, AttemptSlot.points, AttemptSlot.score,
                   AttemptSlot.needs_grading, AttemptSlot.response_key, Attempt.exam_id, Attempt.user_id,
                   AttemptSlot.question_version_id)
            .join(Attempt, Attempt.id == AttemptSlot.attempt_id)
            .where(ids_in(AttemptSlot.id, slot_ids))
        ).all()
        _check_rows(rows, len(slot_ids), exam_id, version_id, reviewer_id, blank)
        points = float(rows[0].points)
        mark = make_mark((version.payload or {}).get("rubric") or [], points)
        outcome = _write(exam, rows, seats, mark, reviewer_id, now, blank)
        db.session.commit()
    except GradingRefused:
        db.session.rollback()
        raise
    except IntegrityError:
        db.session.rollback()
        raise GradingRefused("graded", _("These answers were graded by someone else meanwhile: nothing was "
                                         "saved. Take the next answer.")) from None
    except Exception:
        db.session.rollback()
        raise
    return outcome


def _check_rows(rows, expected: int, exam_id: int, version_id: int, reviewer_id: int, blank: bool) -> None:
    if len(rows) != expected or any(row.exam_id != exam_id or row.question_version_id != version_id
                                    for row in rows):
        raise GradingRefused("not_found", _("This question is not in the grading queue."))
    if any(row.user_id == reviewer_id for row in rows):
        raise GradingRefused("not_found", _("You cannot grade your own attempt."))
    if not all(row.needs_grading for row in rows):
        raise GradingRefused("graded", _("These answers were graded by someone else meanwhile: nothing was "
                                         "saved. Take the next answer."))
    if len({float(row.points) for row in rows}) != 1:
        raise GradingRefused("bad_mark", _("The form was not valid: reload the page and try again."))
    if blank and any(row.response_key != BLANK_KEY for row in rows):
        raise GradingRefused("bad_mark", _("Only blank answers can be scored 0 all at once."))


def _write(exam: Exam, rows, seats: dict[int, str], mark: Mark, reviewer_id: int, now: datetime,
           blank: bool) -> SaveOutcome:
    ids = [row.id for row in rows]
    marks: dict[int, dict[str, float]] = defaultdict(dict)
    for slot_id, seat, score in db.session.execute(
            select(GradingMark.slot_id, GradingMark.round, GradingMark.score).where(ids_in(GradingMark.slot_id, ids))):
        marks[slot_id][seat] = float(score)
    # Blank answers: the one mark stands, so it goes in the round that decides.
    new_marks = []
    for row in rows:
        seat = seats[row.id]
        if seat in marks[row.id]:
            raise GradingRefused("graded", _("These answers were graded by someone else meanwhile: nothing was "
                                             "saved. Take the next answer."))
        marks[row.id][seat] = mark.score
        new_marks.append({"slot_id": row.id, "reviewer_id": reviewer_id, "round": seat,
                          "rubric_items": mark.rubric_items, "adjustment": mark.adjustment,
                          "comment": mark.comment, "score": mark.score, "created_at": now})
    db.session.execute(insert(GradingMark), new_marks)
    outcome = SaveOutcome(marked=len(rows), score=mark.score)
    finals = _settle_rows(exam, rows, marks, outcome, force=mark.score if blank else None)
    reason = mark.comment or ("rubric" if not blank else "blank answer")
    _apply(finals, reviewer_id, reason, outcome)
    release(ids, reviewer_id, commit=False, now=now)
    return outcome


def _settle_rows(exam: Exam, rows, marks, outcome: SaveOutcome, force: float | None = None) -> list[dict]:
    """The slot updates for these rows given their marks; counts what is still waiting."""
    updates = []
    for row in rows:
        points = float(row.points)
        final = force if force is not None else settle(
            marks[row.id], points, double=exam.double_marking, tolerance=float(exam.double_marking_tolerance))
        values = {"id": row.id, "mark_count": len(marks[row.id]), "attempt_id": row.attempt_id,
                  "old": None if row.score is None else float(row.score)}
        if final is not None:
            values.update(score=final, needs_grading=False)
            outcome.final += 1
        elif len(marks[row.id]) >= 2:
            outcome.waiting_third += 1
        else:
            outcome.waiting_second += 1
        updates.append(values)
    return updates


def _apply(updates: list[dict], actor_id: int | None, reason: str, outcome: SaveOutcome | None = None) -> None:
    """Write the slot updates, audit the scores that now stand, recompute the attempts affected."""
    if not updates:
        return
    db.session.execute(update(AttemptSlot), [
        {key: value for key, value in row.items() if key not in ("attempt_id", "old")} for row in updates
    ])
    finals = [row for row in updates if "score" in row]
    record_score_changes([{"attempt_id": row["attempt_id"], "slot_id": row["id"], "old": row["old"],
                           "new": row["score"]} for row in finals], source="reviewer", actor_id=actor_id,
                         reason=reason)
    attempt_ids = sorted({row["attempt_id"] for row in finals})
    for attempt_id in attempt_ids:
        update_total(attempt_id)
    if outcome is not None and attempt_ids:
        graded = db.session.scalars(select(Attempt.id).where(ids_in(Attempt.id, attempt_ids), Attempt.state == "graded"))
        outcome.attempts_graded = list(graded)


def resettle(exam_id: int, *, actor_id: int | None = None) -> int:
    """After the exam's double-marking settings changed: settle every waiting answer that already has
    marks by the new rules (a lone mark stands once double marking is off; two marks now within the
    tolerance -> their mean). Within the caller's transaction; returns how many scores now stand."""
    exam = db.session.get(Exam, exam_id)
    rows = db.session.execute(
        select(AttemptSlot.id, AttemptSlot.attempt_id, AttemptSlot.points, AttemptSlot.score)
        .join(Attempt, Attempt.id == AttemptSlot.attempt_id)
        .where(Attempt.exam_id == exam_id, AttemptSlot.needs_grading.is_(True), AttemptSlot.mark_count > 0)
    ).all()
    if not rows:
        return 0
    marks: dict[int, dict[str, float]] = defaultdict(dict)
    for start in range(0, len(rows), 500):
        chunk = [row.id for row in rows[start:start + 500]]
        for slot_id, seat, score in db.session.execute(
                select(GradingMark.slot_id, GradingMark.round, GradingMark.score)
                .where(ids_in(GradingMark.slot_id, chunk))):
            marks[slot_id][seat] = float(score)
    updates = [row for row in _settle_rows(exam, rows, marks, SaveOutcome()) if "score" in row]
    _apply(updates, actor_id, "double-marking settings changed")
    return len(updates)
