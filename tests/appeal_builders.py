"""Build regrade and appeal situations: graded attempts of a STANDARD_BANK exam (objective answers as
given, written answers scored by a reviewer), bank corrections, and slot look-ups.

    with app.app_context():
        exam_id, ids = graded_exam({"ann": {}, "bob": {"single": 0}})   # ann all correct, bob wrong single
        correct_bank(CORRECTED_SINGLE)                                  # the single question gets version 2
"""
from __future__ import annotations

from sqlalchemy import func, select

from examengine.extensions import db
from examengine.models import Attempt, AttemptSlot, QuestionVersion, ScoreChange
from tests.exam_builders import CORRECT, STANDARD_BANK, build_exam, import_bank
from tests.grading_builders import add_reviewers
from tests.results_builders import sit_attempt

# Corrections of STANDARD_BANK's single-choice question (options 80, 443, 22, 21; 443 was right).
SINGLE_OPTIONS = "- [ ] 80\n- [x] 443\n- [ ] 22\n- [ ] 21\n"
CORRECTED_SINGLE = STANDARD_BANK.replace(SINGLE_OPTIONS, "- [x] 80\n- [ ] 443\n- [ ] 22\n- [ ] 21\n")  # key -> 80
TEXT_FIX_SINGLE = STANDARD_BANK.replace("Which **port** does", "Which **TCP port** does")  # same key
FIVE_OPTIONS = STANDARD_BANK.replace(SINGLE_OPTIONS, "- [x] 80\n- [ ] 443\n- [ ] 22\n- [ ] 21\n- [ ] 8080\n")
REORDERED = STANDARD_BANK.replace(SINGLE_OPTIONS, "- [ ] 21\n- [ ] 22\n- [x] 443\n- [ ] 80\n")  # same key, moved
TRUEFALSE_FLIPPED = STANDARD_BANK.replace("answer: true\npoints: 1", "answer: false\npoints: 1")
FILL_THREE_BLANKS = STANDARD_BANK.replace("pi is about {{3.14 ± 0.01}}.", "pi is about {{3.14 ± 0.01}} and e {{2.72}}.")

WRITTEN_SCORES = {"short": 3, "analysis": 6}


def graded_exam(answers: dict[str, dict], *, reviewers=("rita", "sam"), grader: str | None = "rita",
                written: dict | None = WRITTEN_SCORES, **exam_fields) -> tuple[int, dict[str, int]]:
    """Inside an app context: a STANDARD_BANK exam sat by each username with CORRECT objective answers
    overridden by its dict; written answers scored `written` by `grader` (None: left waiting)."""
    if not any(name.startswith("release_") for name in exam_fields):
        exam_fields.setdefault("show_correctness", True)  # appeals are made on the marks: show them
    exam = build_exam(users=list(answers), **exam_fields)
    add_reviewers(exam.id, reviewers)
    ids = {username: sit_attempt(exam.id, username, answers={**CORRECT, **given}, written=written, reviewer=grader)
           for username, given in answers.items()}
    return exam.id, ids


def correct_bank(markdown: str) -> None:
    """Re-import STANDARD_BANK changed: every changed question gets a new current version."""
    import_bank(None, markdown)


def slot(attempt_id: int, qtype: str) -> AttemptSlot:
    db.session.expire_all()
    return db.session.scalar(
        select(AttemptSlot).join(QuestionVersion, QuestionVersion.id == AttemptSlot.question_version_id)
        .where(AttemptSlot.attempt_id == attempt_id, QuestionVersion.qtype == qtype))


def scores(attempt_id: int) -> dict[str, float | None]:
    db.session.expire_all()
    return {qtype: None if score is None else float(score) for qtype, score in db.session.execute(
        select(QuestionVersion.qtype, AttemptSlot.score)
        .join(QuestionVersion, QuestionVersion.id == AttemptSlot.question_version_id)
        .where(AttemptSlot.attempt_id == attempt_id))}


def total(attempt_id: int) -> float | None:
    db.session.expire_all()
    value = db.session.get(Attempt, attempt_id).score
    return None if value is None else float(value)


def changes(source: str | None = None) -> list[ScoreChange]:
    query = select(ScoreChange).order_by(ScoreChange.id)
    if source:
        query = query.where(ScoreChange.source == source)
    return list(db.session.scalars(query))


def change_count() -> int:
    return db.session.scalar(select(func.count()).select_from(ScoreChange))
