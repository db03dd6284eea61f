"""Per-user overrides of an exam: extra minutes, extra attempts, a later close.

They stay editable after attempts exist (they are how an admin helps one person) and apply to
attempts started afterwards: an attempt's deadline is fixed when it starts.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import or_, select

from ...extensions import db
from ...models import Exam, ExamOverride, User, exam_groups, exam_users, user_groups
from .access import recompute_deadlines
from .admin import ExamError, ensure_editable

EXTRA_MINUTES_MAX = 1440
EXTRA_ATTEMPTS_MAX = 100


def assigned_users(exam: Exam) -> list[User]:
    """Everyone the exam is assigned to, directly or through a group, by username."""
    direct = select(exam_users.c.user_id).where(exam_users.c.exam_id == exam.id)
    via_group = (select(user_groups.c.user_id)
                 .join(exam_groups, exam_groups.c.group_id == user_groups.c.group_id)
                 .where(exam_groups.c.exam_id == exam.id))
    return list(db.session.scalars(
        select(User).where(or_(User.id.in_(direct), User.id.in_(via_group))).order_by(User.username)))


def _is_assigned(exam: Exam, user_id: int) -> bool:
    if any(user.id == user_id for user in exam.users):
        return True
    group_ids = [group.id for group in exam.groups]
    return bool(group_ids) and db.session.scalar(
        select(user_groups.c.user_id).where(user_groups.c.user_id == user_id,
                                            user_groups.c.group_id.in_(group_ids)).limit(1)) is not None


def _errors(exam: Exam, user_id: int, extra_minutes, extra_attempts, closes_at) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if db.session.get(User, user_id) is None or not _is_assigned(exam, user_id):
        errors["user_id"] = [_("Choose a user the exam is assigned to.")]
    if not isinstance(extra_minutes, int) or not 0 <= extra_minutes <= EXTRA_MINUTES_MAX:
        errors["extra_minutes"] = [_("Extra time is from 0 to %(max)d minutes.", max=EXTRA_MINUTES_MAX)]
    if not isinstance(extra_attempts, int) or not 0 <= extra_attempts <= EXTRA_ATTEMPTS_MAX:
        errors["extra_attempts"] = [_("Extra attempts are from 0 to %(max)d.", max=EXTRA_ATTEMPTS_MAX)]
    if closes_at is not None and closes_at <= exam.closes_at:
        errors["closes_at"] = [_("The later close must be after the exam closes (%(time)s).",
                                 time=format_datetime(exam.closes_at, "yyyy-MM-dd HH:mm"))]
    return errors


def set_override(exam: Exam, user_id: int, *, extra_minutes: int = 0, extra_attempts: int = 0,
                 closes_at: datetime | None = None) -> ExamOverride | None:
    """Create or replace the user's override; one with nothing extra is removed (returns None)."""
    ensure_editable(exam)
    errors = _errors(exam, user_id, extra_minutes, extra_attempts, closes_at)
    if errors:
        raise ExamError(errors)
    try:
        override = db.session.get(ExamOverride, (exam.id, user_id))
        if not (extra_minutes or extra_attempts or closes_at):
            if override is not None:
                db.session.delete(override)
            override = None
        else:
            if override is None:
                override = ExamOverride(exam_id=exam.id, user_id=user_id)
                db.session.add(override)
            override.extra_minutes, override.extra_attempts = extra_minutes, extra_attempts
            override.closes_at = closes_at
        db.session.flush()
        recompute_deadlines(exam.id, user_id)  # attempts in progress get the new time too
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return override


def delete_override(exam: Exam, user_id: int) -> bool:
    ensure_editable(exam)
    override = db.session.get(ExamOverride, (exam.id, user_id))
    if override is None:
        return False
    db.session.delete(override)
    db.session.flush()
    recompute_deadlines(exam.id, user_id)
    db.session.commit()
    return True


def overrides_of(exam: Exam) -> list[ExamOverride]:
    return list(db.session.scalars(
        select(ExamOverride).join(ExamOverride.user).where(ExamOverride.exam_id == exam.id)
        .order_by(User.username)))

