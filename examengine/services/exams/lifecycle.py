"""An exam's lifecycle: draft → published → (closed) → archived, and the way back where it is safe.

Stored in `exams.status` (`models.EXAM_STATUSES`):

    draft       new exams; examinees never see it; everything is editable
    published   examinees who are assigned see it; what they see follows its window:
                  scheduled  before `opens_at`
                  open       while the exam's window or any user's later close (override) runs
                  closed     once the window and every override's later close are over
    archived    read-only (`admin.ensure_editable`), hidden from the default admin list and from
                examinees (their list, its page, start, their results); can be restored

The shown state (`lifecycle_state`) is one of draft, scheduled, open, closed, archived. "Closed" is
not stored: it is read off the window, so moving the close time later reopens the exam.

Transitions (each one commits once, records who and when on the exam, and logs on the
`examengine.audit` logger through `audit.record_admin_change`):

    publish     draft → published       refused while there are no rules, the pool cannot fill a
                                        rule, nobody is assigned, or the window is already over;
                                        `publish_check` is what the confirmation page shows first
    unpublish   published → draft       refused once any attempt exists
    close_now   open → closed           the exam's close becomes now and the users' later closes are
                                        removed, so the window ends for everyone; attempts in progress
                                        get the deadline "now" (`access.recompute_deadlines`) and are
                                        then finalized as a timeout is, after the save grace, by the
                                        usual overdue paths (their next request, `close_overdue`)
    archive     draft or closed → archived   refused while a published exam is scheduled or open
    restore     archived → published if it had been published, else draft

A refused transition raises `ExamError` with a message in the user's language and stores nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from ...extensions import db
from ...models import Exam, ExamOverride
from ...models._time import utcnow
from ..audit import record_admin_change
from ..messages import _
from .access import recompute_deadlines
from .admin import ExamError, attempt_count, lock_exam_row
from .overrides import assigned_users
from .rules import shortfall_messages
from .samples import Preview, preview

SHOWN_STATES = ("draft", "scheduled", "open", "closed", "archived")


def latest_close(exam: Exam) -> datetime:
    """The last moment anyone can sit the exam: its close, or a user's later close (override)."""
    later = db.session.scalar(select(func.max(ExamOverride.closes_at)).where(ExamOverride.exam_id == exam.id))
    return max(exam.closes_at, later) if later is not None else exam.closes_at


def latest_closes() -> dict[int, datetime]:
    """Exam id -> the latest override close, for the exams that have one (the list's bulk read)."""
    return dict(db.session.execute(
        select(ExamOverride.exam_id, func.max(ExamOverride.closes_at))
        .where(ExamOverride.closes_at.is_not(None)).group_by(ExamOverride.exam_id)).all())


def lifecycle_state(exam: Exam, now: datetime | None = None, *, closes_at: datetime | None = None) -> str:
    """One of SHOWN_STATES; `closes_at` is the exam's latest close when the caller has it already."""
    if exam.status != "published":
        return exam.status
    now = now or utcnow()
    if now < exam.opens_at:
        return "scheduled"
    return "open" if now < (closes_at or latest_close(exam)) else "closed"


# --- publishing ---

@dataclass
class PublishCheck:
    """What the confirmation page shows before publishing: what examinees will get, or why not."""

    problems: list[str] = field(default_factory=list)
    preview: Preview | None = None
    examinees: int = 0  # distinct users assigned directly or through a group
    question_count: int = 0
    points_min: float = 0.0
    points_max: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems


def _problems(exam: Exam, examinees: int, now: datetime) -> list[str]:
    problems = []
    if not any(section.rules for section in exam.sections):
        problems.append(_("The exam has no rules yet: add at least one section with a rule on the "
                          "“Sections & rules” tab."))
    else:
        problems += [_("The question pool cannot fill the rules: %(problem)s", problem=message)
                     for message in shortfall_messages(exam)]
    if not examinees:
        problems.append(_("Nobody is assigned: choose groups or users on the “Settings” tab."))
    if latest_close(exam) <= now:
        problems.append(_("The exam's window is already over: move its close time later first."))
    return problems


def publish_check(exam: Exam, now: datetime | None = None) -> PublishCheck:
    """The checks `publish` makes, and (when they pass) a sample paper with the difficulty spread."""
    now = now or utcnow()
    examinees = len(assigned_users(exam))
    check = PublishCheck(problems=_problems(exam, examinees, now), examinees=examinees)
    if exam.status != "draft":
        check.problems.insert(0, _("Only a draft can be published; this exam is not a draft."))
    if check.problems:
        return check
    sample = preview(exam)
    check.preview = sample
    if sample.shortfalls:  # a race with a bank change since the feasibility check
        check.problems = [_("The question pool cannot fill the rules: %(problem)s", problem=message)
                          for message in sample.shortfalls]
        return check
    check.question_count = len(sample.items)
    spread = sample.spread
    check.points_min = spread.points_min if spread else sample.total_points
    check.points_max = spread.points_max if spread else sample.total_points
    return check


def publish(exam: Exam, *, actor_id: int | None, now: datetime | None = None) -> Exam:
    now = now or utcnow()

    def change():
        if exam.status != "draft":
            raise ExamError(_("Only a draft can be published; this exam is not a draft."))
        problems = _problems(exam, len(assigned_users(exam)), now)
        if problems:
            raise ExamError({"": problems})
        exam.status, exam.published_at, exam.published_by_id = "published", now, actor_id

    return _transition(exam, "publish", change, actor_id)


def unpublish(exam: Exam, *, actor_id: int | None) -> Exam:
    def change():
        if exam.status != "published":
            raise ExamError(_("Only a published exam can be unpublished."))
        lock_exam_row(exam)  # no attempt can start between the count and the change (PostgreSQL)
        if attempt_count(exam.id):
            raise ExamError(_("Attempts exist, so the exam cannot go back to draft. Close it now or "
                              "archive it once it is closed."))
        exam.status, exam.published_at, exam.published_by_id = "draft", None, None

    return _transition(exam, "unpublish", change, actor_id)


def close_now(exam: Exam, *, actor_id: int | None, now: datetime | None = None) -> Exam:
    """End the window for everyone now; see the module docstring for the attempts in progress."""
    now = now or utcnow()

    def change():
        lock_exam_row(exam)
        if lifecycle_state(exam, now) != "open":
            raise ExamError(_("Only an open exam can be closed now."))
        exam.closes_at = max(now.replace(microsecond=0), exam.opens_at)
        for override in exam.overrides:
            override.closes_at = None  # an override only extends the window: no later close is left
        exam.closed_early_at, exam.closed_early_by_id = now, actor_id
        db.session.flush()
        recompute_deadlines(exam.id)  # every attempt in progress now ends at the new close

    return _transition(exam, "close_now", change, actor_id)


def archive(exam: Exam, *, actor_id: int | None, now: datetime | None = None) -> Exam:
    now = now or utcnow()

    def change():
        state = lifecycle_state(exam, now)
        if state == "archived":
            raise ExamError(_("The exam is archived already."))
        if state in ("scheduled", "open"):
            raise ExamError(_("A published exam can be archived once it is closed: close it now, or "
                              "unpublish it while nobody has started it."))
        exam.status, exam.archived_at, exam.archived_by_id = "archived", now, actor_id

    return _transition(exam, "archive", change, actor_id)


def restore(exam: Exam, *, actor_id: int | None) -> Exam:
    def change():
        if exam.status != "archived":
            raise ExamError(_("Only an archived exam can be restored."))
        exam.status = "published" if exam.published_at is not None else "draft"
        exam.archived_at, exam.archived_by_id = None, None

    return _transition(exam, "restore", change, actor_id)


def _transition(exam: Exam, action: str, change, actor_id: int | None) -> Exam:
    before = exam.status
    try:
        change()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    record_admin_change(f"exam_{action}", actor_id=actor_id, exam_id=exam.id, status_before=before,
                        status_after=exam.status)
    return exam
