"""The item analysis of an exam stored in the database: a simulated exam with known properties, every
figure checked against an independent computation (numpy, scipy, pingouin) of the marks read back."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin
import pytest
from sqlalchemy import select

from examengine.extensions import db
from examengine.models import Attempt, AttemptSlot
from examengine.services import analysis
from examengine.services.attempts import start_or_resume, submit
from examengine.services.attempts.submission import update_total
from examengine.services.audit import record_score_change
from tests.exam_builders import build_exam, ensure_user

QUESTIONS = 6
BROKEN = 4  # its key is right for the weak examinees only: a miskeyed question
EXAMINEES = 40
TOL = 1e-6


def bank() -> str:
    parts = ["---\nid: sim\ntitle: Simulated\n---\n"]
    for i in range(QUESTIONS):
        parts.append(f"## [single] Q{i}\nid: q{i}\ndifficulty: 3\n\nQuestion {i}?\n\n"
                     f"- [x] right {i}\n- [ ] wrong {i}\n- [ ] other {i}\n- [ ] never {i}\n")
    return "\n".join(parts)


def answer_index(rng, ability: float, question: int) -> int:
    """0 (right), or 1/2 (wrong); option 3 ("never …") is never chosen: an unused distractor."""
    p = 1 / (1 + np.exp(-(ability - (question - 2) * 0.4) * 2))
    if question == BROKEN:
        p = 1 - p
    return 0 if rng.random() < p else int(rng.choice([1, 2]))


@pytest.fixture
def simulated(app):
    with app.app_context():
        exam = build_exam(bank_md=bank(), rules=[{"question_keys": [f"sim/q{i}" for i in range(QUESTIONS)]}],
                          shuffle_questions=False, attempts_allowed=2, show_score="immediately",
                          users=[f"u{number:02d}" for number in range(EXAMINEES)])
        rng = np.random.default_rng(42)
        for number in range(EXAMINEES):
            ability = rng.normal()
            attempt = start_or_resume(exam.id, ensure_user(f"u{number:02d}"))
            for slot in attempt.slots:
                slot.response = answer_index(rng, ability, slot.position)
            db.session.commit()
            submit(attempt)
        yield exam.id


def marks_read_back(exam_id: int) -> np.ndarray:
    """The attempts × positions matrix of marks as fractions of their points, read independently of the
    service (last attempt per user; every question here is worth the same)."""
    rows = db.session.execute(
        select(Attempt.user_id, Attempt.number, AttemptSlot.position, AttemptSlot.score / AttemptSlot.points)
        .join(AttemptSlot, AttemptSlot.attempt_id == Attempt.id).where(Attempt.exam_id == exam_id)).all()
    last = {}
    for user_id, number, _pos, _score in rows:
        last[user_id] = max(last.get(user_id, 0), number)
    table = pd.DataFrame([(u, p, float(s)) for u, n, p, s in rows if n == last[u]], columns=["user", "pos", "score"])
    return table.pivot(index="user", columns="pos", values="score").to_numpy()


def test_every_figure_equals_an_independent_reference(app, simulated):
    with app.app_context():
        from examengine.models import Exam

        result = analysis.exam_analysis(db.session.get(Exam, simulated))
        marks = marks_read_back(simulated)
        totals = marks.sum(axis=1)
        assert result.test.attempts == EXAMINEES and result.waiting == 0
        assert result.test.fraction(result.test.mean_points) == pytest.approx(totals.mean() / QUESTIONS, abs=TOL)
        assert result.test.fraction(result.test.sd_points) == pytest.approx(totals.std(ddof=1) / QUESTIONS, abs=TOL)
        alpha, _ = pingouin.cronbach_alpha(data=pd.DataFrame(marks))
        assert result.test.alpha == pytest.approx(alpha, abs=TOL)
        assert result.test.fraction(result.test.sem_points) == pytest.approx(
            np.sqrt(1 - alpha) * totals.std(ddof=1) / QUESTIONS, abs=TOL)
        assert [q.number for q in result.questions] == list(range(1, QUESTIONS + 1))
        for column, question in enumerate(result.questions):
            x = marks[:, column]
            assert question.figures.n == EXAMINEES
            assert question.figures.facility == pytest.approx(x.mean(), abs=TOL)
            assert question.figures.discrimination_index == pytest.approx(
                np.corrcoef(x, totals - x)[0, 1], abs=TOL)
            assert question.version_id is not None and len(question.versions) == 1


def test_the_broken_question_and_the_unused_distractors_are_flagged(app, simulated):
    with app.app_context():
        from examengine.models import Exam

        result = analysis.exam_analysis(db.session.get(Exam, simulated))
        broken = result.questions[BROKEN]
        assert broken.figures.discrimination_index < 0 and "negative_discrimination" in broken.flags
        assert "negative_discrimination" not in result.questions[1].flags
        for question in result.questions:
            by_text = {option.text: option for option in question.options}
            position = question.first_position
            assert by_text[f"right {position}"].correct
            assert by_text[f"never {position}"].share == 0
            assert by_text[f"never {position}"].flags == ["unused_distractor"]
            assert sum(option.share for option in question.options) == pytest.approx(1.0)
            assert "unused_distractor" in question.flags


def test_a_changed_score_changes_the_analysis_on_the_next_view(app, simulated):
    with app.app_context():
        from examengine.models import Exam

        exam = db.session.get(Exam, simulated)
        before = analysis.exam_analysis(exam)
        assert analysis.exam_analysis(exam) is before  # cached while nothing changed
        slot = db.session.scalars(select(AttemptSlot).join(Attempt).where(
            Attempt.exam_id == simulated, AttemptSlot.position == 0, AttemptSlot.score == 0)).first()
        old, slot.score = slot.score, float(slot.points)  # what an upheld appeal or a regrade does: audited score change
        record_score_change(attempt_id=slot.attempt_id, slot_id=slot.id, source="appeal", old=old, new=float(slot.points),
                            actor_id=None, reason="test")
        update_total(slot.attempt_id)
        db.session.commit()
        after = analysis.exam_analysis(exam)
        assert after is not before
        assert after.questions[0].figures.facility == pytest.approx(
            before.questions[0].figures.facility + 1 / EXAMINEES)  # one more right answer


def test_which_attempts_count(app, simulated):
    with app.app_context():
        from examengine.models import Exam

        exam = db.session.get(Exam, simulated)
        user = ensure_user("u00")
        second = start_or_resume(exam.id, user)
        for slot in second.slots:
            slot.response = 0  # all right
        db.session.commit()
        submit(second)
        assert analysis.exam_analysis(exam, attempts="all").test.attempts == EXAMINEES + 1
        assert analysis.exam_analysis(exam, attempts="last").test.attempts == EXAMINEES
        best = analysis.exam_analysis(exam, attempts="best").test.mean_points
        first = analysis.exam_analysis(exam, attempts="first").test.mean_points
        assert best >= first
        with pytest.raises(ValueError):
            analysis.exam_analysis(exam, attempts="median")


def test_shuffled_papers_are_analysed_per_question_version(app):
    """A shuffled position holds a different question on each paper: the rows are then the versions."""
    with app.app_context():
        exam = build_exam(bank_md=bank(), rules=[{"question_keys": [f"sim/q{i}" for i in range(QUESTIONS)]}],
                          shuffle_questions=True, users=["s1", "s2", "s3"])
        for username in ("s1", "s2", "s3"):
            attempt = start_or_resume(exam.id, ensure_user(username))
            for slot in attempt.slots:
                slot.response = 0 if slot.version.title == "Q0" else 1  # only Q0 answered right
            db.session.commit()
            submit(attempt)
        result = analysis.exam_analysis(exam)
        assert not result.by_position and len(result.questions) == QUESTIONS
        by_title = {question.title: question for question in result.questions}
        assert by_title["Q0"].figures.facility == 1.0
        assert all(by_title[f"Q{i}"].figures.facility == 0.0 for i in range(1, QUESTIONS))
        assert all(len(question.versions) == 1 and question.figures.n == 3 for question in result.questions)


def test_reviewer_agreement_severity_and_time(app):
    from datetime import timedelta

    from examengine.models import GradingMark
    from examengine.models._time import utcnow
    from tests.exam_builders import STANDARD_BANK

    with app.app_context():
        exam = build_exam(bank_md=STANDARD_BANK, rules=[{"count": 1, "qtype": "short"}], users=["w1", "w2", "w3"],
                          double_marking=True, double_marking_tolerance=20)
        strict, kind = ensure_user("strict", roles=("reviewer",)), ensure_user("kind", roles=("reviewer",))
        start = utcnow()
        for number, username in enumerate(("w1", "w2", "w3")):
            attempt = start_or_resume(exam.id, ensure_user(username))
            attempt.slots[0].response = "an answer"
            db.session.commit()
            submit(attempt)
            slot = attempt.slots[0]
            points = float(slot.points)
            for reviewer, round_, share, minutes in ((strict, "first", 0.4, 2 * number),
                                                     (kind, "second", 0.6, 2 * number + 1)):
                db.session.add(GradingMark(slot_id=slot.id, reviewer_id=reviewer.id, round=round_,
                                           score=points * share, created_at=start + timedelta(minutes=minutes)))
        db.session.commit()
        result = analysis.reviewer_analysis(exam)
        assert result.overall.pairs == 3 and result.overall.exact == 0
        assert result.overall.within_tolerance == 1.0  # 20 points of 100 apart: at the tolerance
        assert result.overall.mean_absolute_difference == pytest.approx(0.2)
        by_name = {r.name: r for r in result.reviewers}
        assert by_name["strict"].relative_mean == pytest.approx(-0.2)
        assert by_name["kind"].relative_mean == pytest.approx(0.2)
        assert by_name["strict"].marked == 3 and by_name["strict"].seconds_per_answer == 120
        assert len(result.questions) == 1 and result.questions[0].figures.pairs == 3
