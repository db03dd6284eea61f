"""Empirical difficulty in the services: the facility aggregate, exams balanced on measured levels
frozen at the first attempt, the lock of the setting, and the plan cache per source."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from examengine.core.papers import draw_paper
from examengine.extensions import db
from examengine.models import Attempt, AttemptSlot, Exam, Question, QuestionVersion
from examengine.models._time import utcnow
from examengine.services import attempts as attempt_service
from examengine.services.banks.pool import cached_plan, paper_spec
from examengine.services.exams.admin import ExamError, ExamSettings, copy_exam, update_exam
from examengine.services.exams.difficulty import (
    current_levels,
    freeze_measured_levels,
    frozen_levels,
    version_facilities,
)
from examengine.services.exams.samples import preview
from tests.exam_admin_samples import bank_md
from tests.exam_builders import build_exam, ensure_user

MIN = 3  # graded responses a version needs here (the default is 30)
# 20 questions: author labels alternate 1 and 5 (q0 is 1, q1 is 5, ...).
BANK = bank_md("emp", [(1 if i % 2 == 0 else 5, "", None, "single") for i in range(20)])


@pytest.fixture
def ctx(app_factory):
    app = app_factory(EXAMENGINE_EMPIRICAL_DIFFICULTY_MIN_RESPONSES=MIN)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield app


def versions() -> dict[str, int]:
    """identity -> current version id."""
    return dict(db.session.execute(
        select(Question.identity, QuestionVersion.id).join(QuestionVersion, QuestionVersion.question_id == Question.id)
        .where(QuestionVersion.is_current.is_(True))).all())


_numbers = iter(range(1, 10**6))


def record(exam: Exam, scores: dict[int, list[float | None]], *, points: float = 1.0, state: str = "graded",
           needs_grading: bool = False) -> None:
    """Attempts of `exam` whose slots answer version -> the given scores (one attempt per column)."""
    user = ensure_user("history")
    for i in range(max(len(s) for s in scores.values())):
        number = next(_numbers)
        attempt = Attempt(exam_id=exam.id, user_id=user.id, number=number, code=f"H{number:09d}", seed=1,
                          state=state, deadline=utcnow() + timedelta(hours=1), max_score=0)
        db.session.add(attempt)
        db.session.flush()
        rows = [{"attempt_id": attempt.id, "position": p, "question_version_id": vid, "points": points,
                 "score": column[i], "needs_grading": needs_grading, "response_seq": 0, "flagged": False}
                for p, (vid, column) in enumerate(scores.items()) if i < len(column)]
        db.session.execute(insert(AttemptSlot), rows)
    db.session.commit()


def test_the_facility_aggregate_matches_a_hand_computation(ctx):
    past = build_exam(bank_md=BANK, rules=[{"count": 2}])
    other = build_exam(bank_md=None, rules=[{"count": 2}], title="Other")
    v = versions()
    a, b = v["q0"], v["q1"]
    record(past, {a: [1, 0, 0.5], b: [2, 0]}, points=2)
    record(other, {a: [2, 2]}, points=2)  # every exam counts
    record(other, {a: [2]}, points=2, state="in_progress")  # not finalized
    record(other, {a: [None]}, points=2, state="submitted", needs_grading=True)  # waits for a reviewer
    figures = version_facilities()
    assert (figures[a].n, figures[a].score, figures[a].max_score) == (5, 5.5, 10.0)
    assert figures[a].facility == pytest.approx(5.5 / 10)
    assert (figures[b].n, figures[b].facility) == (2, 0.5)
    assert current_levels() == {a: 3}  # b has 2 responses, fewer than MIN


def measured_history(past: Exam, hard: set[int], easy: set[int]) -> None:
    """MIN graded responses: the `hard` versions score 0 (level 5), the `easy` ones full (level 1)."""
    record(past, {vid: [0.0] * MIN for vid in hard} | {vid: [1.0] * MIN for vid in easy})


def crossing(v: dict[str, int]) -> tuple[set[int], set[int]]:
    """Measured levels that cut across the labels: q0..q9 measure hard, q10..q19 easy."""
    return {v[f"q{i}"] for i in range(10)}, {v[f"q{i}"] for i in range(10, 20)}


def start(exam: Exam, username: str) -> Attempt:
    return attempt_service.start_or_resume(exam.id, ensure_user(username))


def slot_versions(attempt: Attempt) -> list[int]:
    return list(db.session.scalars(select(AttemptSlot.question_version_id)
                                   .where(AttemptSlot.attempt_id == attempt.id)))


def test_a_measured_exam_balances_papers_on_measured_levels(ctx):
    past = build_exam(bank_md=BANK, rules=[{"count": 1}], title="Past")
    v = versions()
    hard, easy = crossing(v)
    measured_history(past, hard, easy)
    exam = build_exam(bank_md=None, rules=[{"count": 6}], difficulty_source="measured", users=["u0", "u1", "u2"])
    label = {vid: db.session.get(QuestionVersion, vid).difficulty for vid in v.values()}
    level = {vid: 5 if vid in hard else 1 for vid in v.values()}
    papers = [slot_versions(start(exam, f"u{i}")) for i in range(3)]
    assert {sum(level[vid] for vid in paper) for paper in papers} == {18}  # 3 hard + 3 easy on every paper
    assert frozen_levels(db.session.get(Exam, exam.id)) == level
    # The author's totals differ between papers (deterministic seeds over the same frozen plan).
    plan = cached_plan(paper_spec(exam), frozen_levels(exam))
    drawn = [draw_paper(plan, seed) for seed in range(40)]
    assert {paper.total_difficulty for paper in drawn} == {18}
    assert len({sum(label[s.version_id] for s in paper.slots) for paper in drawn}) > 1


def test_an_author_exam_ignores_the_measurements(ctx):
    past = build_exam(bank_md=BANK, rules=[{"count": 1}], title="Past")
    hard, easy = crossing(versions())
    measured_history(past, hard, easy)
    exam = build_exam(bank_md=None, rules=[{"count": 6}], users=["u0"])
    attempt = start(exam, "u0")
    labels = [db.session.get(QuestionVersion, vid).difficulty for vid in slot_versions(attempt)]
    assert sum(labels) == 18 and db.session.get(Exam, exam.id).measured_difficulty is None


def test_the_levels_are_frozen_once_an_attempt_exists(ctx):
    past = build_exam(bank_md=BANK, rules=[{"count": 1}], title="Past")
    v = versions()
    hard, easy = crossing(v)
    measured_history(past, hard, easy)
    exam = build_exam(bank_md=None, rules=[{"count": 6}], difficulty_source="measured", users=["u0", "u1"])
    freeze_measured_levels(exam.id)
    before = dict(db.session.get(Exam, exam.id).measured_difficulty)
    # Without attempts, a refresh follows the newest grading.
    record(past, {v["q0"]: [1.0] * (9 * MIN)})  # q0 now measures easy
    freeze_measured_levels(exam.id)
    refreshed = dict(db.session.get(Exam, exam.id).measured_difficulty)
    assert before[str(v["q0"])] == 5 and refreshed[str(v["q0"])] == 1
    start(exam, "u0")
    # Grading goes on during the exam: q1 measures easy now, but later papers keep the frozen levels.
    record(past, {v["q1"]: [1.0] * (9 * MIN)})
    assert current_levels()[v["q1"]] == 1
    later = start(exam, "u1")
    exam = db.session.get(Exam, exam.id)
    assert exam.measured_difficulty == refreshed and frozen_levels(exam)[v["q1"]] == 5
    frozen = frozen_levels(exam)
    assert sum(frozen[vid] for vid in slot_versions(later)) == 18
    assert preview(exam, seed=3).frozen


def test_the_difficulty_source_is_locked_once_attempts_exist(ctx):
    exam = build_exam(bank_md=BANK, rules=[{"count": 2}], difficulty_source="measured", users=["u0"])
    start(exam, "u0")
    settings = replace(ExamSettings.of(exam), difficulty_source="author")
    with pytest.raises(ExamError) as refused:
        update_exam(exam, settings)
    assert "balanced on this difficulty" in refused.value.errors["difficulty_source"][0]
    assert db.session.get(Exam, exam.id).difficulty_source == "measured"
    with pytest.raises(ExamError) as invalid:
        update_exam(exam, replace(settings, difficulty_source="guess"))
    assert "difficulty_source" in invalid.value.errors
    # A copy keeps the source but not the snapshot: its own first attempt freezes its levels.
    copy = copy_exam(exam)
    assert copy.difficulty_source == "measured" and copy.measured_difficulty is None


def test_switching_back_to_author_labels_drops_the_snapshot(ctx):
    exam = build_exam(bank_md=BANK, rules=[{"count": 2}], difficulty_source="measured")
    freeze_measured_levels(exam.id)
    exam = db.session.get(Exam, exam.id)
    assert exam.measured_difficulty == {}
    update_exam(exam, replace(ExamSettings.of(exam), difficulty_source="author"))
    assert db.session.get(Exam, exam.id).measured_difficulty is None


def test_the_plan_cache_keeps_sources_apart(ctx):
    past = build_exam(bank_md=BANK, rules=[{"count": 1}], title="Past")
    hard, easy = crossing(versions())
    measured_history(past, hard, easy)
    spec = paper_spec(build_exam(bank_md=None, rules=[{"count": 6}]))
    levels = current_levels()
    by_author, by_measured, by_none_yet = cached_plan(spec), cached_plan(spec, levels), cached_plan(spec, {})
    assert len({id(by_author), id(by_measured), id(by_none_yet)}) == 3
    assert cached_plan(spec) is by_author and cached_plan(spec, dict(levels)) is by_measured
    assert sorted(by_author.members) == [1, 5] and by_author.quotas == [{1: 3, 5: 3}]
    measured_paper = draw_paper(by_measured, 7)
    assert [s.difficulty for s in measured_paper.slots] == [levels[s.version_id] for s in measured_paper.slots]
    label = {vid: db.session.get(QuestionVersion, vid).difficulty for vid in levels}
    author_paper = draw_paper(by_author, 7)
    assert [s.difficulty for s in author_paper.slots] == [label[s.version_id] for s in author_paper.slots]


def test_the_preview_reports_both_difficulties_and_the_source(ctx):
    past = build_exam(bank_md=BANK, rules=[{"count": 1}], title="Past")
    v = versions()
    record(past, {v["q0"]: [0.0] * MIN, v["q1"]: [1.0]})
    exam = build_exam(bank_md=None, rules=[{"question_keys": ["emp/q0", "emp/q1"]}], difficulty_source="measured")
    sample = preview(exam, seed=1)
    assert sample.difficulty_source == "measured" and not sample.frozen and sample.min_responses == MIN
    items = {item.version.id: item for item in sample.items}
    q0, q1 = items[v["q0"]], items[v["q1"]]
    assert (q0.version.difficulty, q0.measured_level, q0.facility, q0.responses, q0.slot.difficulty) == (1, 5, 0.0, 3, 5)
    assert (q1.version.difficulty, q1.measured_level, q1.responses, q1.slot.difficulty) == (5, None, 1, 5)
    assert sample.spread.min == sample.spread.max == 10  # on the levels used: 5 (measured) + 5 (label)
    exam.difficulty_source = "author"
    db.session.commit()
    assert preview(exam, seed=1).spread.min == 6  # on the labels: 1 + 5
