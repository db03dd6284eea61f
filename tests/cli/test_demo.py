"""`flask demo accounts` and `flask demo exam`: the demo data `make run` loads."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from examengine.extensions import db
from examengine.models import Attempt, AttemptSlot, Exam
from examengine.services.banks import import_banks

BANKS = Path(__file__).resolve().parents[2] / "question_banks"


def test_the_demo_exam_is_sat_graded_and_analysable_and_made_once(app, runner):
    with app.app_context():
        report = import_banks([(p.name, p.read_bytes()) for p in sorted(BANKS.glob("*.md"))], max_bytes=1 << 24)
        assert report.ok
    assert runner.invoke(args=["demo", "accounts"]).exit_code == 0
    result = runner.invoke(args=["demo", "exam"])
    assert result.exit_code == 0, result.output
    assert "sat by 40 simulated examinees" in result.output
    with app.app_context():
        exam = db.session.scalar(select(Exam))
        attempts = db.session.scalars(select(Attempt).where(Attempt.exam_id == exam.id)).all()
        assert len(attempts) == 40 and all(a.state != "in_progress" for a in attempts)
        waiting = db.session.scalar(select(func.count()).select_from(AttemptSlot)
                                    .where(AttemptSlot.needs_grading.is_(True)))
        assert waiting == 5  # one written answer for each of the last five examinees
        assert {group.name for group in exam.groups} >= {"技术支持部"}
        assert [reviewer.username for reviewer in exam.reviewers] == ["reviewer"]
    analysis = runner.invoke(args=["analysis", "exam", str(exam.id)])
    assert "35 attempts counted, 5 waiting for grading" in analysis.output
    again = runner.invoke(args=["demo", "exam"])
    assert again.exit_code == 0 and "exists already" in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 40
