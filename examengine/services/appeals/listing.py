"""Reading appeals: the employee's own, the admin's list, a handler's queue and one case in full."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from ...extensions import db
from ...models import Appeal, Attempt, AttemptSlot, Exam, GradingMark, QuestionVersion, User
from ...models.grading import exam_reviewers
from ..exams.release import attempt_visibility
from .policy import graders_of


@dataclass
class AppealRow:
    appeal: Appeal
    exam_id: int
    exam_title: str
    show_marks: bool  # the examinee's own rows: whether their marks are released (else False)
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
        select(Appeal, Exam.id, Exam.title, Attempt.code, examinee.display_name,
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
        AppealRow(appeal=appeal, exam_id=exam_id, exam_title=title, show_marks=False, attempt_id=appeal.attempt_id,
                  attempt_code=code, examinee=e_name or e_user, position=position, question_title=q_title, qtype=qtype,
                  points=float(points), score=None if score is None else float(score),
                  reviewer=(r_name or r_user) if r_user else None)
        for (appeal, exam_id, title, code, e_name, e_user, position, points, score, q_title, qtype, r_name,
             r_user) in db.session.execute(query)
    ]


def my_appeals(user_id: int) -> list[AppealRow]:
    """The employee's appeals at published exams (an archived exam is hidden from its examinees); the
    old and new scores only where their marks are released."""
    rows = _rows(Appeal.user_id == user_id, Exam.status == "published")
    shown: dict[int, bool] = {}
    for row in rows:
        if row.attempt_id not in shown:
            shown[row.attempt_id] = attempt_visibility(db.session.get(Attempt, row.attempt_id)).marks
        row.show_marks = shown[row.attempt_id]
    return rows


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
