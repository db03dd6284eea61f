"""`flask attempts close-overdue` when one attempt cannot be finalized: an answer holding a lone
surrogate, stored before the input checks refused such text (written here straight into the
database), makes grading fail with UnicodeEncodeError. That attempt is rolled back, logged and left in
progress; every other overdue attempt is still finalized; the exit code is 1 after all were processed.
Also: attempts left submitted but never graded (migration c7d1e2f3a4b5) are graded by the command."""
from __future__ import annotations

import logging
from datetime import UTC, timedelta

import time_machine
from sqlalchemy import func, select, update

from examengine.extensions import db
from examengine.models import Attempt, AttemptSlot, QuestionVersion, ScoreChange
from examengine.models._time import utcnow
from examengine.services.attempts import OverdueRun, close_overdue
from examengine.services.attempts import flow as svc
from tests.exam_builders import build_exam, ensure_user
from tests.services.attempts.test_concurrency import run_together

RULES = [{"count": 1, "qtype": "single"}, {"count": 1, "qtype": "short"}]
NAMES = ["alice", "bob", "carol", "dave"]


def sit(app, started):
    """Everyone starts a 30-minute exam at `started` and answers the short question; name -> attempt id."""
    with app.app_context():
        exam = build_exam(users=NAMES, rules=RULES, time_limit_minutes=30,
                          opens_at=started - timedelta(hours=1), closes_at=started + timedelta(days=1))
        ids = {}
        for name in NAMES:
            attempt = svc.start_or_resume(exam.id, ensure_user(name), now=started)
            ids[name] = attempt.id
            short = short_position(attempt.id)
            svc.save_changes(attempt, [{"slot": short, "seq": 1, "response": f"{name}'s answer"}], now=started)
        return ids


def short_position(attempt_id):
    return db.session.scalar(
        select(AttemptSlot.position).join(QuestionVersion, QuestionVersion.id == AttemptSlot.question_version_id)
        .where(AttemptSlot.attempt_id == attempt_id, QuestionVersion.qtype == "short"))


def poison(app, attempt_id):
    """Store a lone surrogate in the attempt's short answer, bypassing every check."""
    with app.app_context():
        db.session.execute(update(AttemptSlot).where(AttemptSlot.attempt_id == attempt_id,
                                                     AttemptSlot.position == short_position(attempt_id))
                           .values(response="答\ud800案"))
        db.session.commit()


def states(app, ids):
    with app.app_context():
        db.session.expire_all()
        return {name: (a.state, a.submitted_by) for name, a in
                ((name, db.session.get(Attempt, attempt_id)) for name, attempt_id in ids.items())}


def test_one_poisoned_attempt_does_not_stop_the_others(app, runner, caplog):
    started = utcnow() - timedelta(hours=2)
    ids = sit(app, started)
    poison(app, ids["bob"])
    with caplog.at_level(logging.ERROR):
        result = runner.invoke(args=["attempts", "close-overdue"])
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines()[0] == "Finalized 3 overdue attempts."
    assert "Failed: 1 attempt could not be processed" in result.stderr and f": {ids['bob']}." in result.stderr
    assert f"attempt {ids['bob']} could not be finalized" in caplog.text and "UnicodeEncodeError" in caplog.text
    done = ("submitted", "timeout")  # the short answers wait for a reviewer
    assert states(app, ids) == {"alice": done, "bob": ("in_progress", None), "carol": done, "dave": done}
    with app.app_context():  # nothing half-written for bob: no score, no grading key
        slots = db.session.scalars(select(AttemptSlot).where(AttemptSlot.attempt_id == ids["bob"])).all()
        assert all(slot.score is None and slot.response_key is None for slot in slots)
    again = runner.invoke(args=["attempts", "close-overdue"])  # bob fails again, alone
    assert again.exit_code == 1 and again.stdout.splitlines()[0] == "Finalized 0 overdue attempts."


def test_the_service_reports_the_failures(app):
    started = utcnow() - timedelta(hours=2)
    ids = sit(app, started)
    poison(app, ids["carol"])
    with app.app_context():
        assert close_overdue() == OverdueRun(finalized=3, graded=0, failed=[ids["carol"]])


def test_without_failures_the_exit_code_is_0(app, runner):
    ids = sit(app, utcnow() - timedelta(hours=2))
    result = runner.invoke(args=["attempts", "close-overdue"])
    assert result.exit_code == 0 and result.stdout == "Finalized 4 overdue attempts.\n" and not result.stderr
    assert set(states(app, ids).values()) == {("submitted", "timeout")}


def test_attempts_submitted_but_never_graded_are_graded(app, runner):
    """What migration c7d1e2f3a4b5 leaves when it closes a surplus attempt in progress."""
    now = utcnow()
    ids = sit(app, now)
    with app.app_context():
        db.session.execute(update(Attempt).where(Attempt.id == ids["alice"])
                           .values(state="submitted", submitted_by="timeout", submitted_at=now))
        db.session.commit()
    with time_machine.travel((now + timedelta(minutes=5)).replace(tzinfo=UTC), tick=False):  # nobody overdue
        result = runner.invoke(args=["attempts", "close-overdue"])
        assert result.exit_code == 0, result.output
        assert result.stdout.splitlines() == ["Finalized 0 overdue attempts.",
                                              "Graded 1 submitted attempt that had not been graded."]
        assert runner.invoke(args=["attempts", "close-overdue"]).stdout == "Finalized 0 overdue attempts.\n"
    with app.app_context():
        slots = {slot.version.qtype: slot for slot in
                 db.session.scalars(select(AttemptSlot).where(AttemptSlot.attempt_id == ids["alice"]))}
        assert slots["single"].auto_score is not None and slots["single"].score is not None
        assert slots["short"].needs_grading and slots["short"].response_key
        assert db.session.get(Attempt, ids["alice"]).state == "submitted"
    assert states(app, ids)["bob"] == ("in_progress", None)


def test_two_runs_at_once_grade_each_ungraded_attempt_once(app):
    now = utcnow()
    ids = sit(app, now)
    with app.app_context():
        db.session.execute(update(Attempt).where(Attempt.id.in_(ids.values()))
                           .values(state="submitted", submitted_by="timeout", submitted_at=now))
        db.session.commit()
    runs = run_together(app, 3, lambda i: close_overdue(now=now))
    assert sum(run.graded for run in runs) == len(NAMES) and not any(run.failed for run in runs)
    with app.app_context():
        audited = db.session.execute(select(ScoreChange.slot_id, func.count()).group_by(ScoreChange.slot_id)).all()
        assert len(audited) == len(NAMES) and all(count == 1 for _slot, count in audited)  # the single questions
