"""Build grading-queue situations for tests: submitted attempts of a STANDARD_BANK exam with written
answers, and the exam's reviewers.

    with app.app_context():
        exam = build_exam(users=[...])                     # tests.exam_builders
        ids = submit_attempts(exam.id, {"ann": "Check the scope.", "bob": None})   # bob left it blank
    exam_id, ids = grading_exam(app, {"ann": "x", "bob": "y"}, reviewers=["rita"])

The text goes to the short-answer slot (and, unless `analysis` says otherwise, the analysis slot);
the objective slots are answered correctly.
"""
from __future__ import annotations

from sqlalchemy import select

from examengine.extensions import db
from examengine.models import Attempt, AttemptSlot, Exam, QuestionVersion, User
from examengine.services.attempts import paper_view, save_changes, submit
from examengine.services.attempts.start import start_or_resume
from tests.exam_builders import CORRECT, build_exam, ensure_user, option_orders, shown

WRITTEN = ("short", "analysis")


def submit_attempts(exam_id: int, answers: dict, analysis: dict | None = None) -> dict[str, int]:
    """Each username in `answers` sits the exam: correct objective answers, the given text (None =
    blank) for the short answer and (from `analysis`, else the same text) the analysis. Username ->
    attempt id. The users must be assigned (or are added to the exam here)."""
    exam = db.session.get(Exam, exam_id)
    ids = {}
    for username, text in answers.items():
        user = ensure_user(username)
        if user not in exam.users:
            exam.users.append(user)
            db.session.commit()
        attempt = start_or_resume(exam_id, user)
        changes = []
        orders = option_orders(attempt.id)
        for view in paper_view(attempt):
            if view.qtype in CORRECT:
                response = shown(CORRECT[view.qtype], orders[view.position])  # as the page posts it
            elif view.qtype == "analysis" and analysis is not None:
                response = analysis.get(username)
            else:
                response = text
            changes.append({"slot": view.position, "seq": 1, "response": response})
        save_changes(attempt, changes)
        submit(attempt)
        ids[username] = attempt.id
    return ids


def add_reviewers(exam_id: int, usernames, roles=("reviewer",)) -> list[int]:
    exam = db.session.get(Exam, exam_id)
    users = [ensure_user(name, roles=roles) for name in usernames]
    for user in users:
        user.set_roles(user.roles | set(roles))  # an examinee may review too
        if user not in exam.reviewers:
            exam.reviewers.append(user)
    db.session.commit()
    return [user.id for user in users]


def grading_exam(app, answers: dict, *, reviewers=("rita",), analysis: dict | None = None,
                 **exam_fields) -> tuple[int, dict[str, int]]:
    """A STANDARD_BANK exam (one question of each type) sat by the users in `answers`, with reviewers."""
    with app.app_context():
        exam = build_exam(users=list(answers), **exam_fields)
        add_reviewers(exam.id, reviewers)
        return exam.id, submit_attempts(exam.id, answers, analysis)


def version_id(qtype: str) -> int:
    """The (current) version id of STANDARD_BANK's question of this type."""
    return db.session.scalar(select(QuestionVersion.id).where(QuestionVersion.qtype == qtype,
                                                              QuestionVersion.is_current.is_(True)))


def user_id(username: str) -> int:
    return db.session.scalar(select(User.id).where(User.username == username))


def written_slot(attempt_id: int, qtype: str = "short") -> AttemptSlot:
    return db.session.scalar(
        select(AttemptSlot).join(QuestionVersion, QuestionVersion.id == AttemptSlot.question_version_id)
        .where(AttemptSlot.attempt_id == attempt_id, QuestionVersion.qtype == qtype))


def attempt_row(attempt_id: int) -> Attempt:
    db.session.expire_all()
    return db.session.get(Attempt, attempt_id)
