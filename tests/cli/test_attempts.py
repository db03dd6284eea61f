"""`flask attempts close-overdue`: finalizes attempts past deadline + grace; idempotent; two at once."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, timedelta
from pathlib import Path

import time_machine
from sqlalchemy import select

from examengine.extensions import db
from examengine.models import Attempt
from examengine.models._time import utcnow
from examengine.services.attempts import flow as svc
from tests.exam_builders import build_exam, ensure_user

PROJECT_ROOT = Path(__file__).resolve().parents[2]
OBJECTIVE = [{"count": 1, "qtype": t} for t in ("single", "truefalse")]


def start_all(app, names, *, started):
    with app.app_context():
        exam = build_exam(users=names, rules=OBJECTIVE, time_limit_minutes=30,
                          opens_at=started - timedelta(hours=1), closes_at=started + timedelta(days=1))
        return [svc.start_or_resume(exam.id, ensure_user(name), now=started).id for name in names]


def states(app):
    with app.app_context():
        return sorted(db.session.execute(select(Attempt.state, Attempt.submitted_by)).all())


def test_close_overdue_command(app, runner):
    now = utcnow()
    start_all(app, ["alice", "bob"], started=now)
    with app.app_context():
        exam = build_exam(bank_md=None, users=["carol"], rules=OBJECTIVE, time_limit_minutes=90)
        svc.start_or_resume(exam.id, ensure_user("carol"), now=now)
    with time_machine.travel((now + timedelta(minutes=31, seconds=1)).replace(tzinfo=UTC), tick=False):
        result = runner.invoke(args=["attempts", "close-overdue"])
        assert result.exit_code == 0, result.output
        assert result.output.strip() == "Finalized 2 overdue attempts."
        again = runner.invoke(args=["attempts", "close-overdue"])
        assert again.output.strip() == "Finalized 0 overdue attempts."
    assert states(app) == [("graded", "timeout"), ("graded", "timeout"), ("in_progress", None)]


def test_two_commands_at_once_finalize_each_attempt_once(app, tmp_path):
    """Two real `flask attempts close-overdue` processes, as two overlapping cron runs would."""
    names = [f"user{i}" for i in range(30)]
    start_all(app, names, started=utcnow() - timedelta(hours=2))
    env = {**os.environ, "EXAMENGINE_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "EXAMENGINE_SECRET_KEY": "test", "PYTHONPATH": str(PROJECT_ROOT)}
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "attempts", "close-overdue"]
    processes = [subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [process.communicate(timeout=120) for process in processes]
    assert all(process.returncode == 0 for process in processes), outputs
    counts = [int(out.split()[1]) for out, _err in outputs]
    assert sum(counts) == len(names), outputs
    assert states(app) == [("graded", "timeout")] * len(names)
