"""Pooled figures per question version over several exams, and the analysis of a set of exams: each
figure checked against numpy on the marks read back from the database."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin
import pytest
from sqlalchemy import select

from examengine.extensions import db
from examengine.models import Attempt, AttemptSlot, Exam, QuestionVersion
from examengine.services import analysis
from examengine.services.attempts.submission import update_total
from examengine.services.audit import record_score_change
from tests.analysis_builders import KEYS, QUESTIONS, bank, make
from tests.analysis_builders import sit_at_random as sit_all
from tests.exam_builders import build_exam

TOL = 1e-6


@pytest.fixture
def two_exams(app):
    """Exam A: all six questions, 40 examinees, Q4 miskeyed; exam B: Q0–Q3, 35 examinees."""
    with app.app_context():
        rng = np.random.default_rng(7)
        first = make(KEYS, [f"a{n:02d}" for n in range(40)], title="A")
        sit_all(first, [f"a{n:02d}" for n in range(40)], rng, broken=4)
        second = make(KEYS[:4], [f"b{n:02d}" for n in range(35)], title="B")
        sit_all(second, [f"b{n:02d}" for n in range(35)], rng)
        yield first.id, second.id


def answers_read_back() -> pd.DataFrame:
    rows = db.session.execute(
        select(Attempt.id, Attempt.exam_id, AttemptSlot.question_version_id, AttemptSlot.points, AttemptSlot.score)
        .join(AttemptSlot, AttemptSlot.attempt_id == Attempt.id).where(Attempt.state != "in_progress")).all()
    table = pd.DataFrame([(a, e, v, float(p), float(s)) for a, e, v, p, s in rows],
                         columns=["attempt", "exam", "version", "points", "score"])
    table["rest"] = table.groupby("attempt")["score"].transform("sum") - table["score"]
    return table


def reference(table: pd.DataFrame, version_id: int) -> dict:
    """The documented pooling: facility and SD over every answer, the discrimination index and efficiency
    within each exam, averaged weighted by the exam's n."""
    own = table[table.version == version_id]
    index_sum = efficiency_sum = weight = 0.0
    for _exam, group in own.groupby("exam"):
        x, rest = group.score.to_numpy(), group.rest.to_numpy()
        cov = np.cov(x, rest, ddof=1)[0, 1]
        index_sum += len(x) * np.corrcoef(x, rest)[0, 1]
        efficiency_sum += len(x) * cov / np.cov(np.sort(x), np.sort(rest), ddof=1)[0, 1]
        weight += len(x)
    return {"n": len(own), "facility": own.score.sum() / own.points.sum(),
            "sd": (own.score / own.points).std(ddof=1),
            "discrimination_index": index_sum / weight, "discriminative_efficiency": efficiency_sum / weight}


def version_of(key: str) -> int:
    """The first version of sim/qN (titled QN)."""
    title = "Q" + key.rsplit("q", 1)[1]
    return db.session.scalar(select(QuestionVersion.id).where(QuestionVersion.title == title)
                             .order_by(QuestionVersion.id))


def test_pooled_figures_equal_a_numpy_computation(app, two_exams):
    with app.app_context():
        ids = [version_of(key) for key in KEYS]
        stats = analysis.version_statistics(ids)
        table = answers_read_back()
        for number, version_id in enumerate(ids):
            expected = reference(table, version_id)
            got = stats[version_id]
            assert got.n == expected["n"] == (75 if number < 4 else 40)
            assert got.exams == (2 if number < 4 else 1)
            for name in ("facility", "sd", "discrimination_index", "discriminative_efficiency"):
                assert getattr(got, name) == pytest.approx(expected[name], abs=TOL), name


def test_pooled_flags_and_the_small_sample_warning(app, two_exams):
    with app.app_context():
        ids = [version_of(key) for key in KEYS]
        stats = analysis.version_statistics(ids)
        assert "negative_discrimination" in stats[ids[4]].flags and stats[ids[4]].flagged
        assert ids[4] in analysis.flagged_version_ids()
        assert analysis.flagged_version_ids() == {v for v, s in stats.items() if s.flagged}
        # Q5 changes: its new version is never used, then answered by three examinees only.
        changed = bank().replace("Question 5?", "Question five?")
        exam = build_exam(bank_md=changed, rules=[{"question_keys": KEYS[5:]}], users=["c1", "c2", "c3"])
        new_q5 = db.session.scalar(select(QuestionVersion.id).where(QuestionVersion.title == "Q5",
                                                                     QuestionVersion.is_current.is_(True)))
        assert new_q5 != ids[5] and analysis.version_statistics([new_q5]) == {}  # never used: absent
        sit_all(exam, ["c1", "c2", "c3"], np.random.default_rng(1), broken=5)
        small = analysis.version_statistics([new_q5])[new_q5]
        assert small.n == 3 and small.flags == ["small_sample"] and not small.flagged
        assert new_q5 not in analysis.flagged_version_ids()
        assert analysis.version_statistics([ids[5]])[ids[5]].n == 40  # the old version keeps its figures


def test_a_regrade_changes_the_pooled_figures_on_the_next_view(app, two_exams):
    with app.app_context():
        version_id = version_of(KEYS[0])
        before = analysis.version_statistics([version_id])[version_id]
        slot = db.session.scalars(select(AttemptSlot).where(
            AttemptSlot.question_version_id == version_id, AttemptSlot.score == 0)).first()
        old, slot.score = slot.score, float(slot.points)
        record_score_change(attempt_id=slot.attempt_id, slot_id=slot.id, source="regrade", old=old,
                            new=float(slot.points), actor_id=None, reason="test")
        update_total(slot.attempt_id)
        db.session.commit()
        after = analysis.version_statistics([version_id])[version_id]
        assert after.facility == pytest.approx(before.facility + float(slot.points) / (1 * 75), abs=TOL)
        assert after.facility == pytest.approx(reference(answers_read_back(), version_id)["facility"], abs=TOL)


def test_a_set_of_exams_with_different_papers_pools_the_items_but_not_the_test(app, two_exams):
    with app.app_context():
        exams = [db.session.get(Exam, exam_id) for exam_id in two_exams]
        result = analysis.exams_analysis(exams)
        assert result.is_set and result.exam_id is None and not result.by_position
        assert result.test_scope == "per_exam" and result.test.alpha is None
        assert "per_exam_only" in result.test.flags and result.counted == 75
        table = answers_read_back()
        for own in result.per_exam:
            totals = table[table.exam == own.exam_id].groupby("attempt").score.sum().to_numpy()
            assert own.test.attempts == len(totals)
            assert own.test.mean_points == pytest.approx(totals.mean(), abs=TOL)
            assert own.test.sd_points == pytest.approx(totals.std(ddof=1), abs=TOL)
        assert len(result.questions) == QUESTIONS
        for question in result.questions:
            own = table[table.version == question.version_id]
            x, rest = own.score.to_numpy(), own.rest.to_numpy()  # pooled (item, rest) pairs
            assert question.figures.n == len(own)
            assert question.figures.facility == pytest.approx(x.sum() / own.points.sum(), abs=TOL)
            assert question.figures.discrimination_index == pytest.approx(np.corrcoef(x, rest)[0, 1], abs=TOL)
        single = analysis.exams_analysis(exams[:1])
        assert single.exam_id == two_exams[0] and single.by_position and single.test_scope == "pooled"


def test_a_set_of_exams_with_the_same_paper_has_pooled_test_figures(app):
    with app.app_context():
        rng = np.random.default_rng(3)
        exams = []
        for name in ("x", "y"):
            users = [f"{name}{n:02d}" for n in range(20)]
            exam = make(KEYS, users, title=name)
            sit_all(exam, users, rng)
            exams.append(exam)
        result = analysis.exams_analysis(exams)
        assert result.test_scope == "pooled" and result.test.attempts == 40 and not result.per_exam
        table = answers_read_back()
        marks = table.pivot(index="attempt", columns="version", values="score").to_numpy()
        totals = marks.sum(axis=1)
        alpha, _ = pingouin.cronbach_alpha(data=pd.DataFrame(marks))
        assert result.test.alpha == pytest.approx(alpha, abs=TOL)
        assert result.test.mean_points == pytest.approx(totals.mean(), abs=TOL)
        assert "different_papers" not in result.test.flags


def test_a_set_needs_an_exam(app):
    with app.app_context():
        with pytest.raises(ValueError):
            analysis.exams_analysis([])
