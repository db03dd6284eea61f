"""Helpers for the exam page tests: logging in, starting, and reading an attempt's slots."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from examengine.extensions import db
from examengine.models import Attempt, AttemptEvent, AttemptSlot, QuestionVersion
from tests.conftest import Auth, english_client
from tests.exam_builders import close_exam, option_orders, shown


def employee_client(app, username: str):
    """An English-speaking client logged in as `username` (who must exist, e.g. made by make_exam)."""
    client = english_client(app)
    assert Auth(client).login(username).status_code == 302
    return client


def start(client, exam_id: int) -> int:
    """Start (or resume) through the instructions page's button; the attempt id."""
    response = client.post(f"/exams/{exam_id}/start")
    assert response.status_code == 302, response.text
    match = re.fullmatch(r"/attempts/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def positions(app, attempt_id: int) -> dict[str, int]:
    """Question type -> slot position (papers built from ONE_OF_EACH have one slot per type)."""
    with app.app_context():
        rows = db.session.execute(
            select(QuestionVersion.qtype, AttemptSlot.position)
            .join(AttemptSlot, AttemptSlot.question_version_id == QuestionVersion.id)
            .where(AttemptSlot.attempt_id == attempt_id)
        ).all()
    return {qtype: position for qtype, position in rows}


def slot_state(app, attempt_id: int) -> dict[int, tuple]:
    """position -> (response, seq, flagged)."""
    with app.app_context():
        rows = db.session.execute(
            select(AttemptSlot.position, AttemptSlot.response, AttemptSlot.response_seq, AttemptSlot.flagged)
            .where(AttemptSlot.attempt_id == attempt_id)
        ).all()
    return {position: (response, seq, flagged) for position, response, seq, flagged in rows}


def attempt_state(app, attempt_id: int) -> dict:
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        events = db.session.scalar(
            select(func.count(AttemptEvent.id)).where(AttemptEvent.attempt_id == attempt_id))
        return {"state": attempt.state, "score": attempt.score, "deadline": attempt.deadline,
                "submitted_at": attempt.submitted_at, "events": events, "slots": slot_state(app, attempt_id)}


def save(client, attempt_id: int, *changes, headers=None):
    return client.post(f"/attempts/{attempt_id}/save", json={"changes": list(changes)}, headers=headers or {})


def posted(app, attempt_id: int, answers: dict) -> dict:
    """{qtype: answer in AUTHORED option indexes} -> the same answers as the exam page posts them (each
    chosen option's DISPLAYED position on this paper). One slot per type (ONE_OF_EACH papers)."""
    where = positions(app, attempt_id)
    with app.app_context():
        orders = option_orders(attempt_id)
    return {qtype: shown(answer, orders[where[qtype]]) for qtype, answer in answers.items() if qtype in where}


def close(app, attempt_id: int) -> None:
    """The attempt's exam closed a few minutes ago: its review may now show answers (if the exam does)."""
    with app.app_context():
        close_exam(db.session.get(Attempt, attempt_id).exam_id)
