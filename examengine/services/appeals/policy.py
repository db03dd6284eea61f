"""Appeals (复核与申诉): an employee contests the score of one graded question; a reviewer who did not
grade it upholds or changes the score, with a written reply.

Rules:
- Only on the employee's own attempt, once its per-question marks are released (`exams.release`:
  the appeal is made on a mark the employee can see), for a graded question (not waiting for a
  reviewer) that did not get full marks, one appeal per question (unique slot), with a reason
  (1..MAX_REASON_CHARS characters), within `exam.appeal_days` days of the release (0 = no appeals).
- Release time: the latest of the submission, the attempt's last score change in the audit log (not
  counting changes made by appeals) and, when the marks wait for the close or the manual release,
  that moment. So with "after grading" the window opens when the last answer is graded, a regrade
  (the results changed) opens a fresh window, and an appeal's outcome does not reopen it for the
  other questions.
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
from sqlalchemy import func, select

from ...core.text import has_foreign_digits, parse_number, unstorable
from ...extensions import db
from ...models import Appeal, Attempt, AttemptSlot, Exam, GradingMark, ScoreChange, User
from ...models._time import utcnow
from ...models.grading import exam_reviewers
from ..exams.release import attempt_visibility, condition_moment
from ..messages import unstorable_message

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
    if attempt.state == "in_progress" or not attempt_visibility(attempt).marks:
        return None
    last = db.session.scalar(select(func.max(ScoreChange.created_at))
                             .where(ScoreChange.attempt_id == attempt.id, ScoreChange.source != "appeal"))
    moments = [attempt.submitted_at or attempt.started_at, last,
               condition_moment(attempt.exam, attempt.exam.release_marks)]
    return max(moment for moment in moments if moment is not None)


def has_full_marks(score: float | None, points: float) -> bool:
    """Nothing to appeal: the question scored all its points."""
    return score is not None and float(score) >= float(points) - EPSILON


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
    full_marks: bool = False  # graded with all its points: never open to an appeal


def slot_appeals(attempt: Attempt, now: datetime | None = None) -> dict[int, SlotAppeal]:
    """Position -> SlotAppeal for every slot of a finalized attempt (empty while in progress)."""
    if attempt.state == "in_progress":
        return {}
    now = now or utcnow()
    deadline = appeal_deadline(attempt)
    window_open = deadline is not None and now <= deadline
    marks_shown = release_time(attempt) is not None  # full marks are only said once the marks are shown
    appeals = {a.slot_id: a for a in db.session.scalars(select(Appeal).where(Appeal.attempt_id == attempt.id))}
    states = {}
    for slot_id, position, score, points, needs_grading in db.session.execute(
            select(AttemptSlot.id, AttemptSlot.position, AttemptSlot.score, AttemptSlot.points,
                   AttemptSlot.needs_grading).where(AttemptSlot.attempt_id == attempt.id)):
        appeal = appeals.get(slot_id)
        open_to_appeal = score is not None and not needs_grading and not has_full_marks(score, points)
        states[position] = SlotAppeal(position, appeal, appeal is None and open_to_appeal and window_open, deadline,
                                      full_marks=marks_shown and not needs_grading and has_full_marks(score, points))
    return states


def clean_text(text: str | None) -> str:
    """A typed reason or reply: line endings folded, trimmed; AppealRefused for a NUL or lone surrogate."""
    cleaned = (text if isinstance(text, str) else "").replace("\r\n", "\n").replace("\r", "\n").strip()
    kind = unstorable(cleaned)
    if kind:
        raise AppealRefused("bad_input", unstorable_message(kind))
    return cleaned


def clean_reason(text: str | None) -> str:
    reason = clean_text(text)
    if not reason:
        raise AppealRefused("bad_input", _("Write why you think the score is wrong."))
    if len(reason) > MAX_REASON_CHARS:
        raise AppealRefused("bad_input", _("The reason is too long: at most %(count)s characters.",
                                           count=f"{MAX_REASON_CHARS:,}"))
    return reason



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


def assignee(exam_id: int, slot_id: int, appellant_id: int) -> int | None:
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
    if number is None and has_foreign_digits(text or ""):
        raise AppealRefused("bad_input", _("Type the new score with the digits 0-9 (full-width digits are "
                                           "fine), e.g. 3 or 2.5."))
    if number is None or not math.isfinite(number):
        raise AppealRefused("bad_input", _("The new score must be a number, e.g. 3 or 2.5."))
    score = round(number, 2)
    if score < -EPSILON or score > points + EPSILON:
        raise AppealRefused("bad_input", _("The new score must be between 0 and %(points)s.",
                                           points=f"{points:g}"))
    return max(0.0, min(points, score))
