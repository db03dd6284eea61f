"""Races against one database (the test's SQLite file, or PostgreSQL): threads with their own app
context and session, released together by a barrier.

- two saves of one slot: the newest sequence number wins, whatever the commit order;
- saves racing the submit: the graded answers are the newest acknowledged ones, and the attempt is
  finalized exactly once;
- close-overdue twice at once: each overdue attempt finalized once;
- concurrent starts: one attempt.
"""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func, select

from examengine.core import qtypes
from examengine.extensions import db
from examengine.models import Attempt, AttemptSlot, QuestionVersion, User
from examengine.models._time import utcnow
from examengine.services.attempts import AttemptRefused
from examengine.services.attempts import flow as svc
from examengine.services.attempts import submission as grading
from tests.exam_builders import build_exam, ensure_user, import_bank, objective_bank, option_orders

THREADS = 8


def run_together(app, count, work):
    """Run work(i) in `count` threads, each in its own app context, started at the same moment."""
    barrier = threading.Barrier(count)

    def task(i):
        with app.app_context():
            barrier.wait()
            try:
                return work(i)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(task, range(count)))


def setup_attempt(app, rules, users=("alice",)):
    with app.app_context():
        import_bank(None, objective_bank(12))
        exam = build_exam(bank_md=None, users=list(users), rules=rules)
        ids = [svc.start_or_resume(exam.id, ensure_user(name)).id for name in users]
        return exam.id, ids


def load(attempt_id):
    return db.session.get(Attempt, attempt_id)


def test_racing_saves_of_one_slot_keep_the_newest_seq(app):
    _exam_id, (attempt_id,) = setup_attempt(app, [{"count": 1, "bank_keys": ["obj"]}])
    for round_ in range(3):
        base = round_ * 100

        def save(i, base=base):
            result = svc.save_changes(load(attempt_id), [{"slot": 0, "seq": base + i + 1, "response": i % 3}])
            return result.saved, result.stale

        results = run_together(app, THREADS, save)
        with app.app_context():
            slot = db.session.scalar(select(AttemptSlot).where(AttemptSlot.attempt_id == attempt_id))
            assert slot.response_seq == base + THREADS
            # Saves post displayed positions; the slot stores the authored index shown there.
            assert slot.response == slot.option_order[(THREADS - 1) % 3]
        newest = results[THREADS - 1]
        assert newest == ([0], [])  # the newest is always stored
        assert all(saved or stale for saved, stale in results)


def test_saves_racing_submit_grade_the_newest_acknowledged_answers(app):
    """Savers write slots 0..3 with rising seqs, alternating positions 1 and 0; submitters race them."""
    slots = 4
    _exam_id, (attempt_id,) = setup_attempt(app, [{"count": slots, "bank_keys": ["obj"]}])
    acknowledged: dict[int, tuple[int, int]] = {}  # slot -> (seq, response) of the newest acknowledged save
    lock = threading.Lock()

    def work(i):
        if i >= slots:  # submitters, once the saves are under way
            time.sleep(0.02 + 0.01 * (i - slots))
            return grading.finalize(attempt_id, by="examinee")
        for seq in range(1, 200):
            response = seq % 2
            try:
                result = svc.save_changes(load(attempt_id), [{"slot": i, "seq": seq, "response": response}])
            except AttemptRefused as refusal:
                assert refusal.reason == "finalized"
                return None
            assert result.saved == [i]
            with lock:
                acknowledged[i] = (seq, response)
        return None

    results = run_together(app, slots + 3, work)
    assert sum(1 for r in results[slots:] if r) == 1  # finalized exactly once
    assert acknowledged and max(seq for seq, _ in acknowledged.values()) < 199  # the race did happen
    with app.app_context():
        attempt = load(attempt_id)
        assert attempt.state == "graded" and attempt.submitted_by == "examinee"
        rows = db.session.execute(
            select(AttemptSlot, QuestionVersion)
            .join(QuestionVersion, AttemptSlot.question_version_id == QuestionVersion.id)
            .where(AttemptSlot.attempt_id == attempt_id)
        ).all()
        total = 0.0
        orders = option_orders(attempt_id)
        for slot, version in rows:
            seq, position = acknowledged.get(slot.position, (0, None))
            response = None if position is None else orders[slot.position][position]  # stored: authored index
            assert (slot.response_seq, slot.response) == (seq, response), slot.position
            grade = qtypes.get(version.qtype).grade(version.payload, slot.response, float(slot.points))
            assert slot.auto_score == slot.score == grade.score
            total += grade.score
        assert attempt.score == total


def test_close_overdue_twice_at_once(app):
    users = [f"user{i}" for i in range(12)]
    _exam_id, ids = setup_attempt(app, [{"count": 2, "bank_keys": ["obj"]}], users=users)
    later = utcnow() + timedelta(hours=3)
    counts = run_together(app, 3, lambda i: grading.close_overdue(now=later).finalized)
    assert sum(counts) == len(ids)
    with app.app_context():
        rows = db.session.execute(select(Attempt.state, Attempt.submitted_by, Attempt.score)).all()
        assert rows and all(row == ("graded", "timeout", 0) for row in rows)
        assert grading.close_overdue(now=later).finalized == 0


def test_concurrent_starts_make_one_attempt(app):
    with app.app_context():
        exam = build_exam(users=["alice"], rules=[{"count": 1, "qtype": "single"}])
        exam_id, user_id = exam.id, ensure_user("alice").id

    def start(i):
        return svc.start_or_resume(exam_id, db.session.get(User, user_id)).id

    ids = run_together(app, THREADS, start)
    assert len(set(ids)) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count(Attempt.id))) == 1
        assert db.session.scalar(select(func.count(AttemptSlot.id))) == 1
