"""Release of results and answers: the facts `core.release` decides on, and the admin's manual release.

`attempt_visibility(attempt)` is what every examinee page asks before it shows a total, a mark, a key or
a reviewer's feedback (the review, "My results", appeals). The facts:
- closed: the exam's latest close for anybody (every user's override included) plus the save grace
  has passed: until then a colleague could still be sent the key;
- attempts left: counted without the window (an attempt still owed would be usable if the exam
  reopened), so reopening the exam or granting an attempt hides the key again;
- manually released: `exams.results_released_at` is set.

The manual release ("Release results") records who and when on the exam, and releases at once every
item whose condition is "manual". It can be withdrawn only while nothing depends on it: no appeal was
lodged on the exam since the release (an appeal is made on marks the examinee was shown).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ...core.release import ITEMS, ReleaseFacts, Visibility, visibility
from ...core.timing import save_cutoff
from ...extensions import db
from ...models import Appeal, Attempt, Exam, ExamOverride, User
from ...models._time import utcnow
from ..messages import _
from .access import grace_seconds, window_for


class ReleaseRefused(ValueError):
    """The manual release cannot be changed now; `message` says why, in the user's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def last_close(exam: Exam) -> datetime:
    """The exam's latest close for anybody (naive UTC), any user's later override included."""
    latest_override = db.session.scalar(
        select(func.max(ExamOverride.closes_at)).where(ExamOverride.exam_id == exam.id))
    return max(exam.closes_at, latest_override) if latest_override is not None else exam.closes_at


def closed_moment(exam: Exam) -> datetime:
    """When "after the exam closes" holds: the last close plus the save grace."""
    return save_cutoff(last_close(exam), grace_seconds())


def attempts_left(exam: Exam, user_id: int) -> bool:
    used = db.session.scalar(
        select(func.count(Attempt.id)).where(Attempt.exam_id == exam.id, Attempt.user_id == user_id)) or 0
    return window_for(exam, user_id).attempts_allowed - used > 0


def release_facts(attempt: Attempt, now: datetime | None = None) -> ReleaseFacts:
    now = now or utcnow()
    exam = attempt.exam
    return ReleaseFacts(
        finalized=attempt.state != "in_progress", graded=attempt.state == "graded",
        closed=now > closed_moment(exam), attempts_left=attempts_left(exam, attempt.user_id),
        manually_released=exam.results_released_at is not None)


def attempt_visibility(attempt: Attempt, now: datetime | None = None) -> Visibility:
    """What the attempt's examinee may see now, item by item (`core.release`)."""
    if attempt.state == "in_progress":
        return Visibility()
    return visibility(attempt.exam.release_policy, release_facts(attempt, now))


def condition_moment(exam: Exam, condition: str) -> datetime | None:
    """When a condition that depends on the exam (not on the attempt) came or comes true, if known."""
    if condition == "after_close":
        return closed_moment(exam)
    if condition == "manual":
        return exam.results_released_at
    return None


# --- the admin's view and the manual release ---

@dataclass
class ItemRelease:
    item: str  # core.release.ITEMS
    condition: str
    released: bool | None  # True/False for exam-wide conditions; None: it depends on each attempt
    moment: datetime | None  # after_close: when; manual: when it was released


@dataclass
class ReleaseStatus:
    items: list[ItemRelease]
    released_at: datetime | None
    released_by: User | None
    uses_manual: bool  # some item waits for the manual release
    can_withdraw: bool


def release_status(exam: Exam, now: datetime | None = None) -> ReleaseStatus:
    """For the exam's results page: each item's condition, whether it holds exam-wide, and when."""
    now = now or utcnow()
    items = []
    for item in ITEMS:
        condition = exam.release_policy[item]
        moment = condition_moment(exam, condition)
        released = {"never": False, "manual": exam.results_released_at is not None,
                    "after_close": moment is not None and now > moment}.get(condition)
        items.append(ItemRelease(item=item, condition=condition, released=released, moment=moment))
    by = db.session.get(User, exam.results_released_by_id) if exam.results_released_by_id else None
    return ReleaseStatus(items=items, released_at=exam.results_released_at, released_by=by,
                         uses_manual=any(i.condition == "manual" for i in items),
                         can_withdraw=exam.results_released_at is not None and not _appeals_since_release(exam))


def _appeals_since_release(exam: Exam) -> bool:
    if exam.results_released_at is None:
        return False
    return db.session.scalar(
        select(Appeal.id).join(Attempt, Attempt.id == Appeal.attempt_id)
        .where(Attempt.exam_id == exam.id, Appeal.created_at >= exam.results_released_at).limit(1)) is not None


def release_results(exam: Exam, admin: User, now: datetime | None = None) -> Exam:
    """Release the items set to "manual": records who and when (ReleaseRefused if already released)."""
    try:
        if exam.results_released_at is not None:
            raise ReleaseRefused(_("The results of this exam are already released."))
        exam.results_released_at = (now or utcnow()).replace(microsecond=0)
        exam.results_released_by_id = admin.id
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return exam


def withdraw_release(exam: Exam) -> Exam:
    """Undo the manual release while nothing depends on it (see the module doc)."""
    try:
        if exam.results_released_at is None:
            raise ReleaseRefused(_("The results of this exam are not released."))
        if _appeals_since_release(exam):
            raise ReleaseRefused(_("An examinee has appealed since the results were released, so the release "
                                   "can no longer be withdrawn."))
        exam.results_released_at = None
        exam.results_released_by_id = None
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return exam
