"""The reviewer pages' lookups: an exam the current user may review and a written question version,
or 404 (ids out of the database's integer range are simply unknown)."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from ...extensions import db
from ...models import Exam, QuestionVersion
from ...services import grading
from ..http import MAX_DB_ID


def exam_or_404(exam_id: int) -> Exam:
    exam = db.session.get(Exam, exam_id) if 0 < exam_id <= MAX_DB_ID else None
    if exam is None or not grading.can_review(exam, current_user):
        abort(404)
    return exam


def question_or_404(version_id: int) -> QuestionVersion:
    version = grading.written_version(version_id) if 0 < version_id <= MAX_DB_ID else None
    if version is None:
        abort(404)
    return version
