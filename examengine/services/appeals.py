"""Appeals (复核与申诉): an employee contests the score of one graded question; a reviewer who did not
grade it upholds or changes the score, with a written reply.

Rules:
- Only on the employee's own attempt, once its results are released (`review.score_visible`), for a
  graded question (not waiting for a reviewer), one appeal per question (unique slot), with a reason
  (1..MAX_REASON_CHARS characters), within `exam.appeal_days` days of the release (0 = no appeals).
- Release time: the later of the submission and the attempt's last score change in the audit log,
  not counting changes made by appeals. So with "after grading" the window opens when the last
  answer is graded, a regrade (the results changed) opens a fresh window, and an appeal's outcome
  does not reopen it for the other questions.
- Handlers: the exam's reviewers (holding the reviewer role) and admins, except whoever graded the
  answer (their GradingMark, or a reviewer/admin score change in the audit log; an auto-graded
  answer has no grader) and except the appellant. A new appeal is assigned to the eligible reviewer
  with the fewest open appeals (None: the admins handle it); any eligible handler may take it.
  `Appeal.reviewer_id` is the assignee while open and the handler once resolved.
- Upholding keeps the score; changing sets 0 <= new <= the slot's points, records the change in the
  audit log (source "appeal", the handler, the reply as reason) and recomputes the total
  (`grading.update_total`). Both need a reply. Resolving starts with a conditional UPDATE of the open
  appeal, so two handlers racing resolve it once, and the slot is read and written under that lock.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from ..core.text import parse_number
from ..extensions import db
from ..models import Appeal, Attempt, AttemptSlot, Exam, GradingMark, QuestionVersion, ScoreChange, User
from ..models._time import utcnow
from ..models.grading import exam_reviewers
from .audit import record_score_change
from .grading import update_total
from .review import score_visible

MAX_REASON_CHARS = 2_000
MAX_REPLY_CHARS = 5_000
DECISIONS = ("uphold", "change")
DEFAULT_APPEAL_DAYS = 7
EPSILON = 1e-9
GRADER_SOURCES = ("reviewer", "admin")


class AppealRefused(Exception):
    """`reason` and the web status: "not_found" 404, "forbidden" 403 (a grader or the appellant),
    "bad_input" 400, "not_allowed" / "exists" / "handled" 409."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


# --- when an employee may appeal ---

def appeal_days(exam: Exam) -> int:
    return DEFAULT_APPEAL_DAYS if exam.appeal_days is None else max(0, int(exam.appeal_days))


def release_time(attempt: Attempt) -> datetime | None:
    """When the attempt's results were (last) released: see the module doc. None while hidden."""
    if attempt.state == "in_progress" or not score_visible(attempt.exam, attempt):
        return None
    last = db.session.scalar(select(func.max(ScoreChange.created_at))
                             .where(ScoreChange.attempt_id == attempt.id, ScoreChange.source != "appeal"))
    submitted = attempt.submitted_at or attempt.started_at
    return max(submitted, last) if last is not None else submitted


def appeal_deadline(attempt: Attempt) -> datetime | None:
    """The end of the appeal window, None when results are not released or the exam takes no appeals."""
    released = release_time(attempt)
    days = appeal_days(attempt.exam)
    if released is None or days <= 0:
        return None
    return released + timedelta(days=days)


@dataclass
class SlotAppeal:
    """For the review page: the question's appeal, or whether one may be lodged and until when."""
    position: int
    appeal: Appeal | None
    can_appeal: bool
    deadline: datetime | None


def slot_appeals(attempt: Attempt, now: datetime | None = None) -> dict[int, SlotAppeal]:
    """Position -> SlotAppeal for every slot of a finalized attempt (empty while in progress)."""
    if attempt.state == "in_progress":
        return {}
    now = now or utcnow()
    deadline = appeal_deadline(attempt)
    window_open = deadline is not None and now <= deadline
    appeals = {a.slot_id: a for a in db.session.scalars(select(Appeal).where(Appeal.attempt_id == attempt.id))}
    states = {}
    for slot_id, position, score, needs_grading in db.session.execute(
            select(AttemptSlot.id, AttemptSlot.position, AttemptSlot.score, AttemptSlot.needs_grading)
            .where(AttemptSlot.attempt_id == attempt.id)):
        appeal = appeals.get(slot_id)
        graded = score is not None and not needs_grading
        states[position] = SlotAppeal(position, appeal, appeal is None and graded and window_open, deadline)
    return states


def clean_reason(text: str | None) -> str:
    reason = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not reason:
        raise AppealRefused("bad_input", _("Write why you think the score is wrong."))
    if len(reason) > MAX_REASON_CHARS:
        raise AppealRefused("bad_input", _("The reason is too long: at most %(count)s characters.",
                                           count=f"{MAX_REASON_CHARS:,}"))
    return reason


def create_appeal(attempt_id: int, position: int, user_id: int, reason: str | None,
                  now: datetime | None = None) -> Appeal:
    """Lodge an appeal against one graded question of the user's own attempt (AppealRefused, no write)."""
    now = now or utcnow()
    try:
        attempt = db.session.get(Attempt, attempt_id) if 0 < attempt_id < 2**31 else None
        if attempt is None or attempt.user_id != user_id:
            raise AppealRefused("not_found", _("There is no such attempt."))
        slot = db.session.scalar(select(AttemptSlot).where(AttemptSlot.attempt_id == attempt.id,
                                                           AttemptSlot.position == position)) \
            if 0 <= position < 2**31 else None
        if slot is None:
            raise AppealRefused("not_found", _("There is no such question."))
        deadline = appeal_deadline(attempt)
        if deadline is None:
            raise AppealRefused("not_allowed", _("This exam's results are not released for appeals."))
        if slot.needs_grading or slot.score is None:
            raise AppealRefused("not_allowed", _("This question has not been graded yet."))
        if db.session.scalar(select(Appeal.id).where(Appeal.slot_id == slot.id)) is not None:
            raise AppealRefused("exists", _("You have already appealed this question."))
        if now > deadline:
            raise AppealRefused("not_allowed", _("The appeal period of this exam has ended."))
        text = clean_reason(reason)
        appeal = Appeal(slot_id=slot.id, attempt_id=attempt.id, user_id=user_id, reason=text, state="open",
                        reviewer_id=_assignee(attempt.exam_id, slot.id, user_id), old_score=float(slot.score),
                        created_at=now)
        db.session.add(appeal)
        db.session.flush()
        db.session.commit()
    except IntegrityError:  # the same question appealed twice at once
        db.session.rollback()
        raise AppealRefused("exists", _("You have already appealed this question.")) from None
    except Exception:
        db.session.rollback()
        raise
    return appeal


# --- who handles an appeal ---

def graders_of(slot_ids) -> dict[int, set[int]]:
    """Slot id -> the users who graded it: their reviewer marks, and reviewer/admin score changes."""
    ids = list(slot_ids)
    graders: dict[int, set[int]] = {slot_id: set() for slot_id in ids}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for slot_id, user_id in db.session.execute(
                select(GradingMark.slot_id, GradingMark.reviewer_id).where(GradingMark.slot_id.in_(chunk))):
            graders[slot_id].add(user_id)
        for slot_id, user_id in db.session.execute(
                select(ScoreChange.slot_id, ScoreChange.actor_id)
                .where(ScoreChange.slot_id.in_(chunk), ScoreChange.source.in_(GRADER_SOURCES),
                       ScoreChange.actor_id.is_not(None))):
            graders[slot_id].add(user_id)
    return graders


def _is_reviewer_of(exam_id: int, user_id: int) -> bool:
    return db.session.scalar(select(exam_reviewers.c.user_id).where(
        exam_reviewers.c.exam_id == exam_id, exam_reviewers.c.user_id == user_id)) is not None


def _assignee(exam_id: int, slot_id: int, appellant_id: int) -> int | None:
    """The eligible reviewer with the fewest open appeals (then by username), or None."""
    excluded = graders_of([slot_id])[slot_id] | {appellant_id}
    reviewers = [user for user in db.session.scalars(
        select(User).join(exam_reviewers, exam_reviewers.c.user_id == User.id)
        .where(exam_reviewers.c.exam_id == exam_id, User.active.is_(True)).order_by(User.username))
        if user.id not in excluded and user.has_role("reviewer")]
    if not reviewers:
        return None
    load = dict(db.session.execute(
        select(Appeal.reviewer_id, func.count()).where(Appeal.state == "open",
                                                       Appeal.reviewer_id.in_([u.id for u in reviewers]))
        .group_by(Appeal.reviewer_id)).all())
    return min(reviewers, key=lambda user: load.get(user.id, 0)).id


def handler_refusal(appeal: Appeal, user: User, exam_id: int | None = None) -> AppealRefused | None:
    """Why `user` may not handle (or open) this appeal, else None."""
    exam_id = exam_id if exam_id is not None else db.session.scalar(
        select(Attempt.exam_id).where(Attempt.id == appeal.attempt_id))
    if not (user.has_role("admin") or (user.has_role("reviewer") and _is_reviewer_of(exam_id, user.id))):
        return AppealRefused("not_found", _("There is no such appeal."))
    if user.id == appeal.user_id:
        return AppealRefused("forbidden", _("This is your own appeal: another reviewer handles it."))
    if user.id in graders_of([appeal.slot_id])[appeal.slot_id]:
        return AppealRefused("forbidden", _("You graded this answer, so another reviewer handles the appeal."))
    return None


def parse_score(text: str | None, points: float) -> float:
    number = parse_number(text or "")
    if number is None or not math.isfinite(number):
        raise AppealRefused("bad_input", _("The new score must be a number, e.g. 3 or 2.5."))
    score = round(number, 2)
    if score < -EPSILON or score > points + EPSILON:
        raise AppealRefused("bad_input", _("The new score must be between 0 and %(points)s.",
                                           points=f"{points:g}"))
    return max(0.0, min(points, score))


def resolve_appeal(appeal_id: int, handler: User, decision: str | None, new_score: str | None,
                   reply: str | None, now: datetime | None = None) -> Appeal:
    """Uphold or change the score of an open appeal (AppealRefused, no write)."""
    now = now or utcnow()
    try:
        appeal = db.session.get(Appeal, appeal_id) if 0 < appeal_id < 2**31 else None
        if appeal is None:
            raise AppealRefused("not_found", _("There is no such appeal."))
        refusal = handler_refusal(appeal, handler)
        if refusal is not None:
            raise refusal
        if appeal.state != "open":
            raise AppealRefused("handled", _("This appeal has already been handled."))
        if decision not in DECISIONS:
            raise AppealRefused("bad_input", _("Choose whether to uphold or change the score."))
        text = (reply or "").replace("\r\n", "\n").replace("\r", "\n").strip()
        if not text:
            raise AppealRefused("bad_input", _("Write a reply to the employee."))
        if len(text) > MAX_REPLY_CHARS:
            raise AppealRefused("bad_input", _("The reply is too long: at most %(count)s characters.",
                                               count=f"{MAX_REPLY_CHARS:,}"))
        points = db.session.scalar(select(AttemptSlot.points).where(AttemptSlot.id == appeal.slot_id))
        new = parse_score(new_score, float(points)) if decision == "change" else None
        # Claim the open appeal first: the conditional UPDATE takes its row lock (PostgreSQL) or the
        # write lock (SQLite), so the slot read below is current and two handlers resolve it once.
        won = db.session.execute(
            update(Appeal).where(Appeal.id == appeal.id, Appeal.state == "open")
            .values(state="upheld" if decision == "uphold" else "changed", reviewer_id=handler.id, reply=text,
                    resolved_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount == 1
        if not won:
            raise AppealRefused("handled", _("This appeal has already been handled."))
        current = db.session.execute(select(AttemptSlot.score).where(AttemptSlot.id == appeal.slot_id)
                                     .with_for_update()).scalar_one()
        old = None if current is None else float(current)
        if decision == "uphold":
            new = old
        elif old is not None and abs(new - old) <= EPSILON:
            raise AppealRefused("bad_input", _("The new score is the current score: choose to uphold it instead."))
        db.session.execute(update(Appeal).where(Appeal.id == appeal.id).values(old_score=old, new_score=new)
                           .execution_options(synchronize_session=False))
        if decision == "change":
            db.session.execute(update(AttemptSlot).where(AttemptSlot.id == appeal.slot_id).values(score=new)
                               .execution_options(synchronize_session=False))
            record_score_change(attempt_id=appeal.attempt_id, slot_id=appeal.slot_id, source="appeal", old=old, new=new,
                                actor_id=handler.id, reason=text)
            update_total(appeal.attempt_id)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    db.session.expire_all()
    return db.session.get(Appeal, appeal_id)


# --- lists ---

@dataclass
class AppealRow:
    appeal: Appeal
    exam_id: int
    exam_title: str
    show_correctness: bool
    attempt_id: int
    attempt_code: str
    examinee: str
    position: int
    question_title: str
    qtype: str
    points: float
    score: float | None  # the question's score now
    reviewer: str | None  # assignee while open, the handler once resolved


def _rows(*conditions, limit: int | None = None, offset: int = 0) -> list[AppealRow]:
    examinee, reviewer = aliased(User), aliased(User)
    query = (
        select(Appeal, Exam.id, Exam.title, Exam.show_correctness, Attempt.code, examinee.display_name,
               examinee.username, AttemptSlot.position, AttemptSlot.points, AttemptSlot.score,
               QuestionVersion.title, QuestionVersion.qtype, reviewer.display_name, reviewer.username)
        .join(Attempt, Attempt.id == Appeal.attempt_id)
        .join(Exam, Exam.id == Attempt.exam_id)
        .join(examinee, examinee.id == Appeal.user_id)
        .join(AttemptSlot, AttemptSlot.id == Appeal.slot_id)
        .join(QuestionVersion, QuestionVersion.id == AttemptSlot.question_version_id)
        .outerjoin(reviewer, reviewer.id == Appeal.reviewer_id)
        .where(*conditions)
        .order_by(Appeal.created_at.desc(), Appeal.id.desc())
    )
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return [
        AppealRow(appeal=appeal, exam_id=exam_id, exam_title=title, show_correctness=bool(show), attempt_id=appeal.attempt_id,
                  attempt_code=code, examinee=e_name or e_user, position=position, question_title=q_title, qtype=qtype,
                  points=float(points), score=None if score is None else float(score),
                  reviewer=(r_name or r_user) if r_user else None)
        for (appeal, exam_id, title, show, code, e_name, e_user, position, points, score, q_title, qtype, r_name,
             r_user) in db.session.execute(query)
    ]


def my_appeals(user_id: int) -> list[AppealRow]:
    return _rows(Appeal.user_id == user_id)


def count_appeals(*, state: str | None = None, exam_id: int | None = None) -> int:
    query = select(func.count()).select_from(Appeal)
    if exam_id is not None:
        query = query.join(Attempt, Attempt.id == Appeal.attempt_id).where(Attempt.exam_id == exam_id)
    if state is not None:
        query = query.where(Appeal.state == state)
    return db.session.scalar(query) or 0


def all_appeals(*, state: str | None = None, exam_id: int | None = None, limit: int | None = None,
                offset: int = 0) -> list[AppealRow]:
    conditions = []
    if state is not None:
        conditions.append(Appeal.state == state)
    if exam_id is not None:
        conditions.append(Attempt.exam_id == exam_id)
    return _rows(*conditions, limit=limit, offset=offset)


def appeal_exams() -> list[tuple[int, str]]:
    """(id, title) of the exams that have appeals (the admin's filter)."""
    return [tuple(row) for row in db.session.execute(
        select(Exam.id, Exam.title).where(Exam.id.in_(
            select(Attempt.exam_id).join(Appeal, Appeal.attempt_id == Attempt.id))).order_by(Exam.title, Exam.id))]


def handler_queue(user: User) -> tuple[list[AppealRow], list[AppealRow]]:
    """(open appeals the user may handle - those assigned to them first -, appeals they resolved)."""
    conditions = []
    if not user.has_role("admin"):
        reviewed = select(exam_reviewers.c.exam_id).where(exam_reviewers.c.user_id == user.id)
        conditions.append(Attempt.exam_id.in_(reviewed))
    open_rows = _rows(Appeal.state == "open", Appeal.user_id != user.id, *conditions)
    graders = graders_of({row.appeal.slot_id for row in open_rows})
    mine = [row for row in open_rows if user.id not in graders[row.appeal.slot_id]]
    mine.sort(key=lambda row: (row.appeal.reviewer_id != user.id, row.appeal.created_at, row.appeal.id))
    done = _rows(Appeal.state != "open", Appeal.reviewer_id == user.id, limit=200)
    return mine, done


@dataclass
class AppealCase:
    """What the handler sees: the appeal, the question (with the key) and the answer, the marks."""
    appeal: Appeal
    attempt: Attempt
    slot: AttemptSlot
    version: QuestionVersion
    marks: list[GradingMark]


def appeal_case(appeal_id: int) -> AppealCase | None:
    appeal = db.session.get(Appeal, appeal_id) if 0 < appeal_id < 2**31 else None
    if appeal is None:
        return None
    slot = db.session.get(AttemptSlot, appeal.slot_id)
    marks = list(db.session.scalars(select(GradingMark).where(GradingMark.slot_id == slot.id)
                                    .order_by(GradingMark.created_at, GradingMark.id)))
    return AppealCase(appeal=appeal, attempt=slot.attempt, slot=slot, version=slot.version, marks=marks)
