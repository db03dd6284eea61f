"""Build graded attempts for the results tests.

    exam_id = make_exam(app, bank_md=DIMENSION_BANK, rules=DIMENSION_RULES, users=["alice"])
    attempt_id = sit(app, exam_id, "alice", answers={"single": 1}, written={"short": 4})

`sit` starts the attempt through the attempt service, saves the answers, submits (objective slots are
graded automatically), then scores the written slots directly (a reviewer's mark when `reviewer` is
given) and recomputes the total with `grading.update_total`. Written slots missing from `written`
stay "awaiting grading".
"""
from __future__ import annotations

from sqlalchemy import select

from examengine.extensions import db
from examengine.models import Attempt, AttemptSlot, GradingMark, QuestionVersion
from examengine.services.attempts import flow as attempt_service
from examengine.services.attempts import submission as grading
from examengine.services.audit import record_score_change
from tests.exam_builders import CORRECT, ensure_user, option_orders, shown

D_SKILL, D_SERVICE, D_SOLVING = "专业技能", "服务意识与沟通能力", "问题解决与效率"

# Three dimensions: skills (single 2 + truefalse 1), service (short 5), problem solving (multiple 4).
DIMENSION_BANK = f"""---
id: dims
title: Dimension bank
dimension: {D_SKILL}
---

# All

## [single] HTTPS port
id: d-single
difficulty: 2
points: 2

Which port does HTTPS use?

- [ ] 80
- [x] 443
- [ ] 22

## [truefalse] UDP is connectionless
id: d-tf
difficulty: 1
answer: true
points: 1

UDP is a connectionless protocol.

## [short] Calm an angry customer
id: d-short
difficulty: 3
dimension: {D_SERVICE}

What do you say first to an angry customer?

### Reference answer

Acknowledge and apologise.

### Rubric

- (2) acknowledges the feelings
- (3) states the next step

## [multiple] Transport protocols
id: d-multi
difficulty: 3
points: 4
dimension: {D_SOLVING}

Which are transport-layer protocols?

- [x] TCP
- [x] UDP
- [ ] HTTP
"""
DIMENSION_RULES = [{"question_keys": ["dims/d-single", "dims/d-tf", "dims/d-short", "dims/d-multi"]}]
DIMENSION_CORRECT = {"single": 1, "truefalse": True, "multiple": [0, 1]}
DIMENSION_WRONG = {"single": 0, "truefalse": False, "multiple": [2]}


def _changes(views, orders, answers, text):
    changes = []
    for view in views:
        if view.qtype in answers:
            response = shown(answers[view.qtype], orders[view.position])  # authored -> displayed
        elif view.qtype in ("short", "analysis"):
            response = text
        else:
            response = None
        changes.append({"slot": view.position, "seq": 1, "response": response})
    return changes


def sit_attempt(exam_id: int, username: str, *, answers=None, written=None, text: str = "My written answer.",
                reviewer: str | None = None, rubric_items=(), comment: str = "", submit: bool = True) -> int:
    """Inside an app context; the attempt id. `written`: {qtype: score} for the written slots."""
    user = ensure_user(username)
    attempt = attempt_service.start_or_resume(exam_id, user)
    views = attempt_service.paper_view(attempt)
    attempt_service.save_changes(attempt, _changes(views, option_orders(attempt.id),
                                                   CORRECT if answers is None else answers, text))
    if not submit:
        return attempt.id
    attempt_service.submit(attempt)
    if written:
        score_written(attempt.id, written, reviewer=reviewer, rubric_items=rubric_items, comment=comment)
    return attempt.id


def score_written(attempt_id: int, written: dict, *, reviewer: str | None = None, rubric_items=(),
                  comment: str = "") -> None:
    reviewer_id = ensure_user(reviewer, roles=("reviewer",)).id if reviewer else None
    rows = db.session.execute(
        select(AttemptSlot, QuestionVersion.qtype)
        .join(QuestionVersion, QuestionVersion.id == AttemptSlot.question_version_id)
        .where(AttemptSlot.attempt_id == attempt_id)
    ).all()
    for slot, qtype in rows:
        if qtype not in written:
            continue
        old, slot.score, slot.needs_grading = slot.score, float(written[qtype]), False
        if reviewer_id is not None:
            db.session.add(GradingMark(slot_id=slot.id, reviewer_id=reviewer_id, round="first",
                                       rubric_items=list(rubric_items), adjustment=0, comment=comment,
                                       score=float(written[qtype])))
        record_score_change(attempt_id=attempt_id, slot_id=slot.id, source="reviewer", old=old,
                            new=float(written[qtype]), actor_id=reviewer_id, reason="graded in a test")
    db.session.flush()
    grading.update_total(attempt_id)
    db.session.commit()


def sit(app, exam_id: int, username: str, **kwargs) -> int:
    with app.app_context():
        return sit_attempt(exam_id, username, **kwargs)


def attempt_of(app, attempt_id: int) -> dict:
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        return {"state": attempt.state, "score": attempt.score, "max_score": attempt.max_score}
