"""Admin: who grades an exam, and its double-marking settings."""
from __future__ import annotations

import math

from flask_babel import gettext as _
from sqlalchemy import select

from ...extensions import db
from ...models import Exam, User, UserRole
from ..exams.admin import ExamError
from .marks import resettle


def reviewer_candidates(exam: Exam) -> list[User]:
    """Active users with the reviewer role, plus whoever is assigned already (even if no longer so)."""
    reviewers = db.session.scalars(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == "reviewer", User.active.is_(True)).order_by(User.username)).all()
    extra = [user for user in exam.reviewers if user not in reviewers]
    return sorted({*reviewers, *extra}, key=lambda user: user.username)


def set_grading(exam: Exam, *, reviewer_ids: list[int], double_marking: bool, tolerance: float | None,
                actor_id: int | None = None) -> int:
    """Save the exam's reviewers and double-marking settings; answers already marked are settled by the
    new rules (returns how many scores that decided). Raises ExamError per field."""
    errors: dict[str, list[str]] = {}
    allowed = {user.id: user for user in reviewer_candidates(exam)}
    if any(user_id not in allowed for user_id in reviewer_ids):
        errors["reviewers"] = [_("Choose users with the reviewer role.")]
    if tolerance is None or not math.isfinite(tolerance) or not 0 <= tolerance <= 100:
        errors["double_marking_tolerance"] = [_("The tolerance is a percentage from 0 to 100.")]
    if errors:
        raise ExamError(errors)
    try:
        exam.reviewers = [allowed[user_id] for user_id in sorted(set(reviewer_ids))]
        exam.double_marking = bool(double_marking)
        exam.double_marking_tolerance = round(float(tolerance), 2)
        db.session.flush()
        settled = resettle(exam.id, actor_id=actor_id)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return settled
