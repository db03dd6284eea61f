"""Admin: who grades an exam, its double-marking and its calibration settings."""
from __future__ import annotations

import math

from flask_babel import gettext as _
from sqlalchemy import select

from ...extensions import db
from ...models import Exam, User, UserRole
from ..audit import record_admin_change
from ..exams.admin import ExamError
from .marks import resettle


def reviewer_candidates(exam: Exam) -> list[User]:
    """Active users with the reviewer role, plus whoever is assigned already (even if no longer so)."""
    reviewers = db.session.scalars(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == "reviewer", User.active.is_(True)).order_by(User.username)).all()
    extra = [user for user in exam.reviewers if user not in reviewers]
    return sorted({*reviewers, *extra}, key=lambda user: user.username)


def _is_percent(value: float | None) -> bool:
    return value is not None and math.isfinite(value) and 0 <= value <= 100


def set_grading(exam: Exam, *, reviewer_ids: list[int], double_marking: bool, tolerance: float | None,
                actor_id: int | None = None, calibration_required: bool | None = None,
                calibration_tolerance: float | None = None) -> int:
    """Save the exam's reviewers, double-marking and calibration settings (calibration: None leaves it
    as it is); answers already marked are settled by the new rules (returns how many scores that
    decided). Raises ExamError per field."""
    errors: dict[str, list[str]] = {}
    allowed = {user.id: user for user in reviewer_candidates(exam)}
    if any(user_id not in allowed for user_id in reviewer_ids):
        errors["reviewers"] = [_("Choose users with the reviewer role.")]
    if not _is_percent(tolerance):
        errors["double_marking_tolerance"] = [_("The tolerance is a percentage from 0 to 100.")]
    if calibration_required is not None and not _is_percent(calibration_tolerance):
        errors["calibration_tolerance"] = [_("The tolerance is a percentage from 0 to 100.")]
    if errors:
        raise ExamError(errors)
    try:
        exam.reviewers = [allowed[user_id] for user_id in sorted(set(reviewer_ids))]
        exam.double_marking = bool(double_marking)
        exam.double_marking_tolerance = round(float(tolerance), 2)
        if calibration_required is not None:
            _set_calibration(exam, bool(calibration_required), round(float(calibration_tolerance), 2), actor_id)
        db.session.flush()
        settled = resettle(exam.id, actor_id=actor_id)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return settled


def _set_calibration(exam: Exam, required: bool, tolerance: float, actor_id: int | None) -> None:
    before = (bool(exam.calibration_required), float(exam.calibration_tolerance))
    if before == (required, tolerance):
        return
    exam.calibration_required = required
    exam.calibration_tolerance = tolerance
    record_admin_change("calibration_settings", actor_id=actor_id, exam_id=exam.id, required=required,
                        tolerance=tolerance, before_required=before[0], before_tolerance=before[1])
