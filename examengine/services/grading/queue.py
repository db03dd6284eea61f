"""The grading queue: reviewers grade written answers one question at a time across all attempts.

"Grade next" finds, with SQL and an index walk (`ix_attempt_slots_queue`), the oldest waiting answer
to the question that this reviewer may grade (not their own attempt, not claimed by someone else, not
already marked by them), then loads its group: the waiting answers with the same normalized text
(`response_key`, `ix_attempt_slots_group`), graded once for all. The group is claimed
(`grading_claims.claim`); what the claim did not get (someone else was faster) is left out, and when
it got nothing the search runs again. Marks are saved by `grading_marks`.

Double marking: each answer is marked blind by two different reviewers (rounds "first" and "second"),
and by a third ("third") when the two differ by more than the exam's tolerance. `AttemptSlot.mark_count`
says how far an answer is (0, 1, 2), so the walk prefers deciding marks (2), then fresh answers (0),
then second marks (1).

Calibration: while the exam requires it, an assigned reviewer gets nothing from a question with sample
answers until they have passed its calibration (`calibration.py`).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import exists, func, or_, select, union_all, update
from sqlalchemy.orm import lazyload

from ...core.answer_groups import BLANK_KEY, text_key, written_types
from ...extensions import db
from ...models import Attempt, AttemptSlot, Exam, GradingClaim, GradingMark, QuestionVersion, User, exam_reviewers
from ...models._time import utcnow
from .calibration import check_calibrated, is_reviewer_of
from .claims import claim, claim_seconds, held_slots, ids_in, release
from .stats import Agreement, QuestionProgress, agreement, question_progress, waiting_count

__all__ = ["Agreement", "GradingGroup", "GroupAnswer", "QuestionProgress", "agreement", "can_review",
           "next_group", "question_progress", "question_waiting", "release", "reviewer_exams", "waiting_count",
           "written_version"]

MAX_GROUP = 500  # answers claimed and marked in one action; a larger group comes back for the rest
STAGE_ORDER = (2, 0, 1)  # deciding third marks first, then unmarked answers, then second marks
BACKFILL_BATCH = 2_000
WAITING_CAP = 200  # "grade next" counts the answers waiting up to this many


@dataclass
class GroupAnswer:
    slot_id: int
    attempt_id: int
    code: str  # the attempt's anonymous code
    round: str  # the mark this reviewer gives: first, second or third
    examinee: str | None  # the examinee's name: only for admins
    earlier: list[float]  # for a deciding third mark: the two marks that disagreed


@dataclass
class GradingGroup:
    exam: Exam
    version: QuestionVersion
    points: float
    response: str  # the first answer's text as typed ("" when blank)
    blank: bool
    phase: str  # "mark" (first/second) or "third"
    answers: list[GroupAnswer]
    expires_at: datetime
    # Every distinct text as typed with how many gave it, most frequent first: the texts are equal
    # after normalizing, but the reviewer sees each before one mark applies to all.
    variants: list[tuple[str, int]] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.answers)

    @property
    def slot_ids(self) -> list[int]:
        return [answer.slot_id for answer in self.answers]

    @property
    def key(self) -> str:
        return BLANK_KEY if self.blank else text_key(self.response)


def can_review(exam: Exam, user: User) -> bool:
    """Assigned reviewers grade an exam; admins may grade any exam."""
    return user.has_role("admin") or (user.has_role("reviewer") and is_reviewer_of(exam.id, user.id))


def reviewer_exams(user: User) -> list[Exam]:
    """The exams the user grades: those assigned to them; for admins also any exam with answers waiting."""
    assigned = select(exam_reviewers.c.exam_id).where(exam_reviewers.c.user_id == user.id)
    query = select(Exam).where(Exam.id.in_(assigned))
    if user.has_role("admin"):
        waiting = select(Attempt.exam_id).where(Attempt.state == "submitted")
        query = select(Exam).where(Exam.id.in_(assigned) | Exam.id.in_(waiting))
    return list(db.session.scalars(query.order_by(Exam.closes_at.desc(), Exam.id.desc())))


def written_version(version_id: int) -> QuestionVersion | None:
    version = db.session.get(QuestionVersion, version_id, options=[lazyload(QuestionVersion.tag_rows)])
    return version if version is not None and version.qtype in written_types() else None


# --- grade next ---

def next_group(exam: Exam, version: QuestionVersion, reviewer_id: int, *, now: datetime | None = None,
               skip_keys: tuple[str, ...] = (), show_names: bool = False) -> GradingGroup | None:
    """The reviewer's group of answers to grade next, claimed for them; None when nothing is left for
    them (graded, claimed by others, their own attempt, or marked by them already). The group they
    already hold comes back first (a reload shows the same answers). Raises GradingRefused("calibration")
    while the reviewer has to pass the question's calibration first (`calibration.check_calibrated`)."""
    check_calibrated(exam, version.id, reviewer_id)
    now = now or utcnow()
    held = held_slots(exam.id, version.id, reviewer_id, now)
    if held:
        got = _confirm(claim(held, reviewer_id, now), held, reviewer_id)
        if got:
            return _group(exam, version, got, now, show_names)
    for _try in range(8):
        first = _first_waiting(exam.id, version.id, reviewer_id, now, skip_keys)
        if first is None:
            return None
        if first.response_key is None:  # submitted before grouping keys existed
            _backfill_keys(version.id)
            continue
        seats = _seats(_members(exam.id, version.id, reviewer_id, now, first), first.mark_count)
        got = _confirm(claim(seats, reviewer_id, now), seats, reviewer_id)
        if got:
            return _group(exam, version, got, now, show_names)
    return None


def _eligible(exam_id: int, version_id: int, reviewer_id: int, now: datetime):
    """Waiting answers to the question this reviewer may take, oldest first."""
    slot = AttemptSlot
    claimed = exists().where(GradingClaim.slot_id == slot.id, GradingClaim.expires_at > now,
                             GradingClaim.reviewer_id != reviewer_id)
    marked = exists().where(GradingMark.slot_id == slot.id, GradingMark.reviewer_id == reviewer_id)
    return (
        select(slot.id, slot.response_key, slot.mark_count, slot.points)
        .join(Attempt, Attempt.id == slot.attempt_id)
        .where(slot.question_version_id == version_id, slot.needs_grading.is_(True), Attempt.exam_id == exam_id,
               Attempt.user_id != reviewer_id, ~claimed, ~marked)
        .order_by(slot.id)
    )


def _first_waiting(exam_id, version_id, reviewer_id, now, skip_keys):
    """The oldest answer the reviewer may take, by stage preference: one index walk per stage (each
    stops at its first hit), sent as one statement."""
    walks = []
    for stage in STAGE_ORDER:
        query = _eligible(exam_id, version_id, reviewer_id, now).where(AttemptSlot.mark_count == stage)
        if skip_keys:
            query = query.where(or_(AttemptSlot.response_key.not_in(list(skip_keys)),
                                    AttemptSlot.response_key.is_(None)))
        walks.append(select(query.limit(1).subquery()))
    rows = db.session.execute(union_all(*walks)).all()
    return min(rows, key=lambda row: STAGE_ORDER.index(row.mark_count), default=None)


def _members(exam_id, version_id, reviewer_id, now, first) -> list:
    """The first answer's group: the waiting answers with the same text, points and stage."""
    stage = AttemptSlot.mark_count == 2 if first.mark_count == 2 else AttemptSlot.mark_count < 2
    query = _eligible(exam_id, version_id, reviewer_id, now).where(
        AttemptSlot.response_key == first.response_key, AttemptSlot.points == first.points, stage)
    return db.session.execute(query.limit(MAX_GROUP)).all()


def _seats(members, stage: int) -> dict[int, str]:
    """The round each answer's mark goes in: third when deciding, else whichever of first/second is free."""
    if stage == 2:
        return {row.id: "third" for row in members}
    marked = [row.id for row in members if row.mark_count > 0]
    taken: dict[int, set[str]] = {}
    if marked:
        for slot_id, seat in db.session.execute(
                select(GradingMark.slot_id, GradingMark.round).where(ids_in(GradingMark.slot_id, marked))):
            taken.setdefault(slot_id, set()).add(seat)
    return {row.id: "second" if "first" in taken.get(row.id, ()) else "first" for row in members}


def _confirm(got: set[int], seats: dict[int, str], reviewer_id: int) -> dict[int, str]:
    """Of the claimed answers, those still waiting for the claimed round (an answer graded between the
    search and the claim is let go)."""
    if not got:
        return {}
    ids = sorted(got)
    seen, gone = set(), set()
    for slot_id, needs_grading, seat, marker in db.session.execute(
            select(AttemptSlot.id, AttemptSlot.needs_grading, GradingMark.round, GradingMark.reviewer_id)
            .outerjoin(GradingMark, GradingMark.slot_id == AttemptSlot.id).where(ids_in(AttemptSlot.id, ids))):
        seen.add(slot_id)
        if not needs_grading or seat == seats[slot_id] or marker == reviewer_id:
            gone.add(slot_id)
    waiting = seen - gone
    lost = [slot_id for slot_id in ids if slot_id not in waiting]
    if lost:
        release(lost, reviewer_id)
    return {slot_id: seats[slot_id] for slot_id in ids if slot_id in waiting}


def _group(exam, version, seats: dict[int, str], now: datetime, show_names: bool) -> GradingGroup:
    ids = sorted(seats)
    columns = [AttemptSlot.id, AttemptSlot.attempt_id, Attempt.code, AttemptSlot.response]
    query = select(*columns).join(Attempt, Attempt.id == AttemptSlot.attempt_id)
    if show_names:
        query = select(*columns, User.username, User.display_name).join(
            Attempt, Attempt.id == AttemptSlot.attempt_id).join(User, User.id == Attempt.user_id)
    rows = db.session.execute(query.where(ids_in(AttemptSlot.id, ids)).order_by(Attempt.code)).all()
    # The answers are equal after normalizing: show the oldest one's text as typed.
    first = db.session.execute(select(AttemptSlot.response, AttemptSlot.points, AttemptSlot.response_key)
                               .where(AttemptSlot.id == ids[0])).one()
    earlier: dict[int, list[float]] = {}
    third = [slot_id for slot_id in ids if seats[slot_id] == "third"]
    if third:
        for slot_id, score in db.session.execute(
                select(GradingMark.slot_id, GradingMark.score).where(ids_in(GradingMark.slot_id, third))
                .order_by(GradingMark.slot_id, GradingMark.round)):
            earlier.setdefault(slot_id, []).append(float(score))
    answers = [GroupAnswer(row.id, row.attempt_id, row.code, seats[row.id],
                           (row.display_name or row.username) if show_names else None, earlier.get(row.id, []))
               for row in rows]
    typed = Counter(row.response if isinstance(row.response, str) else "" for row in rows)
    return GradingGroup(
        exam=exam, version=version, points=float(first.points),
        response=first.response if isinstance(first.response, str) else "",
        blank=first.response_key == BLANK_KEY, phase="third" if third else "mark", answers=answers,
        expires_at=now + timedelta(seconds=claim_seconds()),
        variants=sorted(typed.items(), key=lambda item: (-item[1], item[0])),
    )


def _backfill_keys(version_id: int) -> None:
    """Waiting answers submitted before grouping keys existed get theirs (a no-op normally)."""
    while True:
        rows = db.session.execute(
            select(AttemptSlot.id, AttemptSlot.response)
            .where(AttemptSlot.question_version_id == version_id, AttemptSlot.needs_grading.is_(True),
                   AttemptSlot.response_key.is_(None))
            .limit(BACKFILL_BATCH)
        ).all()
        if not rows:
            return
        db.session.execute(update(AttemptSlot), [{"id": row.id, "response_key": text_key(row.response)}
                                                 for row in rows])
        db.session.commit()


def question_waiting(exam_id: int, version_id: int, cap: int = WAITING_CAP) -> int:
    """Answers to this question still waiting for a score, counted up to `cap` (the count joins each
    answer to its attempt, so it is capped to keep "grade next" fast; the overview has the full count)."""
    waiting = (
        select(AttemptSlot.id).join(Attempt, Attempt.id == AttemptSlot.attempt_id)
        .where(AttemptSlot.question_version_id == version_id, AttemptSlot.needs_grading.is_(True),
               Attempt.exam_id == exam_id)
        .limit(cap).subquery()
    )
    return db.session.scalar(select(func.count()).select_from(waiting)) or 0
