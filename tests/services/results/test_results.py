"""The results service: rows per examinee, weights and bands, filters and sorting, charts' data, the
attempt detail, the employee's released results, the scoring settings and the export tables."""
from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from examengine.extensions import db
from examengine.models import Attempt, AttemptEvent, Exam
from examengine.services.exams import scoring as exam_scoring
from examengine.services.exams.admin import ExamError
from examengine.services.results import export as results_export
from examengine.services.results import mine as results_mine
from examengine.services.results import overview as results
from examengine.services.results.detail import attempt_detail
from tests.exam_builders import build_exam, ensure_group, ensure_user
from tests.results_builders import (
    D_SERVICE,
    D_SKILL,
    D_SOLVING,
    DIMENSION_BANK,
    DIMENSION_CORRECT,
    DIMENSION_RULES,
    DIMENSION_WRONG,
    score_written,
    sit_attempt,
)

WEIGHTS = {D_SKILL: 50, D_SERVICE: 30, D_SOLVING: 20}


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def dimension_exam(**fields) -> Exam:
    fields.setdefault("users", ["alice", "bob", "carol", "dave"])
    fields.setdefault("bank_md", DIMENSION_BANK)
    return build_exam(rules=DIMENSION_RULES, **fields)


def by_user(data) -> dict:
    return {row.username: row for row in data.rows}


def test_rows_plain_sum_weighted_and_bands(ctx):
    exam = dimension_exam()
    # alice: skills 2/3 (tf wrong), service 4/5, solving 4/4 -> plain 10/12 = 83.33 % (Good)
    sit_attempt(exam.id, "alice", answers={**DIMENSION_CORRECT, "truefalse": False}, written={"short": 4})
    sit_attempt(exam.id, "bob", answers=DIMENSION_WRONG, written={"short": 1})  # 1/12
    sit_attempt(exam.id, "carol", answers=DIMENSION_CORRECT)  # short still waiting
    rows = by_user(results.exam_results(exam))
    assert set(rows) == {"alice", "bob", "carol"}
    alice = rows["alice"].result
    assert (alice.score, alice.max_score, alice.percent, alice.band, alice.passed) == (10, 12, 83.33, 1, True)
    assert rows["bob"].result.band == 3 and rows["bob"].result.passed is False
    assert rows["carol"].result.score is None and rows["carol"].result.pending == 1
    assert results.exam_results(exam).not_started == 1  # dave

    exam.dimension_weights = WEIGHTS
    exam.grade_bands = [["Top", 75], ["Rest", 0]]
    db.session.commit()
    data = results.exam_results(exam)
    alice = by_user(data)["alice"].result
    assert alice.weighted and alice.percent == round(50 * 2 / 3 + 30 * 0.8 + 20, 2)  # 77.33
    assert data.bands[alice.band].label == "Top"
    assert data.dimensions == sorted([D_SKILL, D_SERVICE, D_SOLVING])


def test_one_row_per_examinee_the_latest_finalized_attempt(ctx):
    exam = dimension_exam(attempts_allowed=3)
    sit_attempt(exam.id, "alice", answers=DIMENSION_WRONG, written={"short": 0})
    second = sit_attempt(exam.id, "alice", answers=DIMENSION_CORRECT, written={"short": 5})
    sit_attempt(exam.id, "alice", submit=False)  # a third one in progress does not replace it
    in_progress = sit_attempt(exam.id, "bob", submit=False)
    rows = by_user(results.exam_results(exam))
    assert rows["alice"].attempt_id == second and rows["alice"].number == 2
    assert rows["alice"].result.percent == 100.0
    assert rows["bob"].attempt_id == in_progress and rows["bob"].state == "in_progress"
    assert rows["bob"].result.score is None and rows["bob"].seconds_used is None
    summary = results.summary(list(rows.values()))
    assert (summary.examinees, summary.graded, summary.in_progress) == (2, 1, 1)


def test_filters_sorting_and_chart_data(ctx):
    exam = dimension_exam(groups=["Ops"])
    ops = ensure_group("Ops")
    for name in ("alice", "bob"):
        user = ensure_user(name)
        user.groups.append(ops)
    db.session.commit()
    sit_attempt(exam.id, "alice", answers=DIMENSION_CORRECT, written={"short": 5})  # 100 %
    sit_attempt(exam.id, "bob", answers=DIMENSION_WRONG, written={"short": 5})  # 5/12 = 41.67 %
    sit_attempt(exam.id, "carol", answers=DIMENSION_CORRECT, written={"short": 2})  # 9/12 = 75 %
    sit_attempt(exam.id, "dave", answers=DIMENSION_CORRECT)  # open
    data = results.exam_results(exam)
    assert data.groups == [(ops.id, "Ops")]
    only_ops = results.select_rows(data.rows, group_id=ops.id)
    assert [r.username for r in only_ops] == ["alice", "bob"]
    assert [r.username for r in results.select_rows(data.rows, band=0)] == ["alice"]
    assert [r.username for r in results.select_rows(data.rows, band=3)] == ["bob"]
    ordered = results.select_rows(data.rows, sort="percent", descending=True)
    assert [r.username for r in ordered] == ["alice", "carol", "bob", "dave"]  # open scores last
    ordered = results.select_rows(data.rows, sort="percent")
    assert [r.username for r in ordered] == ["bob", "carol", "alice", "dave"]
    assert results.select_rows(data.rows, sort="nonsense")[0].username == "alice"
    assert results.histogram(data.rows) == [0, 0, 0, 0, 1, 0, 0, 1, 0, 1]
    averages = {name: (value, count) for name, value, count in results.dimension_averages(data.rows, data.dimensions)}
    assert averages[D_SERVICE] == (pytest.approx((100 + 100 + 40) / 3, abs=0.01), 3)
    assert averages[D_SOLVING] == (pytest.approx(75.0), 4)  # dave's objective dimension is final


def test_attempt_detail_has_marks_rubric_history_and_events(ctx):
    exam = dimension_exam()
    attempt_id = sit_attempt(exam.id, "alice", answers=DIMENSION_CORRECT, written={"short": 3}, reviewer="rita",
                             rubric_items=[1], comment="Clear next step.")
    db.session.add(AttemptEvent(attempt_id=attempt_id, kind="hidden"))
    db.session.add(AttemptEvent(attempt_id=attempt_id, kind="visible"))
    db.session.commit()
    detail = attempt_detail(attempt_id)
    short = next(s for s in detail.slots if s.qtype == "short")
    assert short.score == 3 and not short.needs_grading and short.dimension == D_SERVICE
    [mark] = short.marks
    assert mark.reviewer == "rita" and mark.rubric == [(3.0, "states the next step")]
    assert mark.comment == "Clear next step."
    assert [(c.source, c.old, c.new, c.actor) for c in short.history] == [("reviewer", None, 3.0, "rita")]
    assert {c.source for c in detail.history} >= {"auto", "reviewer"}
    assert detail.leaves == 1 and detail.event_counts == {"hidden": 1, "visible": 1}
    assert short.context["show_key"] and short.context["readonly"]  # admins see the rubric
    assert detail.result.percent == pytest.approx(100 * 10 / 12, abs=0.01)
    assert attempt_detail(999_999) is None


def test_my_results_only_own_and_only_released(ctx):
    never = dimension_exam(title="Never shown", show_score="never")
    later = dimension_exam(title="After grading", show_score="after_grading", bank_md=None)
    now = dimension_exam(title="At once", show_score="immediately", bank_md=None)
    for exam in (never, later, now):
        sit_attempt(exam.id, "alice", answers=DIMENSION_CORRECT)  # the short answer waits
    sit_attempt(now.id, "bob", answers=DIMENSION_CORRECT, written={"short": 5})
    alice = ensure_user("alice")
    items = {item.exam.title: item for item in results_mine.my_results(alice)}
    assert set(items) == {"Never shown", "After grading", "At once"}
    assert not items["Never shown"].released and items["Never shown"].result is None
    assert not items["After grading"].released and items["After grading"].result is None
    shown = items["At once"]
    assert shown.released and shown.result.score is None and shown.result.pending == 1
    # grading completes: "after grading" is released, "never" stays hidden
    for item in items.values():
        score_written(item.attempt.id, {"short": 2})
    items = {item.exam.title: item for item in results_mine.my_results(alice)}
    assert items["After grading"].released and items["After grading"].result.percent == 75.0
    assert not items["Never shown"].released
    assert all(item.attempt.user_id == alice.id for item in items.values())


# --- scoring settings ---

def test_scoring_settings_save_and_refuse_without_half_saving(ctx):
    exam = dimension_exam()
    dims = exam_scoring.exam_dimensions(exam)
    assert dims == sorted([D_SKILL, D_SERVICE, D_SOLVING])
    good_bands = [("A", 85.0), ("B", 50.0), ("C", 0.0)]
    exam_scoring.save_scoring(exam, exam_scoring.ScoringInput(dict(WEIGHTS), good_bands, 10))
    db.session.refresh(exam)
    assert exam.dimension_weights == WEIGHTS and exam.grade_bands == [["A", 85.0], ["B", 50.0], ["C", 0.0]]
    assert exam.appeal_days == 10

    refused = [
        ({D_SKILL: 50, D_SERVICE: 50, D_SOLVING: None}, good_bands, 3, f"weight:{D_SOLVING}"),
        ({D_SKILL: 50, D_SERVICE: 30, D_SOLVING: 30}, good_bands, 3, "weights"),
        ({D_SKILL: 150, D_SERVICE: -50, D_SOLVING: 0}, good_bands, 3, f"weight:{D_SKILL}"),
        ({}, [("A", 50.0), ("B", 60.0), ("C", 0.0)], 3, "band:1"),
        ({}, [("A", 50.0), ("B", 10.0)], 3, "band:1"),
        ({}, [("", 50.0), ("B", 0.0)], 3, "band:0"),
        ({}, [("A", None), ("B", 0.0)], 3, "band:0"),
        ({}, good_bands, None, "appeal_days"),
        ({}, good_bands, 400, "appeal_days"),
        ({"Unknown": 100}, good_bands, 3, "weights"),
    ]
    for weights, bands, days, field in refused:
        with pytest.raises(ExamError) as error:
            exam_scoring.save_scoring(exam, exam_scoring.ScoringInput(weights, bands, days))
        assert field in error.value.errors, (weights, bands, days, error.value.errors)
        db.session.refresh(exam)
        assert exam.dimension_weights == WEIGHTS and exam.grade_bands[0] == ["A", 85.0]  # nothing half-saved
        assert exam.appeal_days == 10


def test_default_bands_are_stored_as_none(ctx):
    exam = dimension_exam()
    defaults = list(zip(exam_scoring.band_labels(exam_scoring.core.DEFAULT_BANDS), [90.0, 80.0, 60.0, 0.0],
                        strict=True))
    exam_scoring.save_scoring(exam, exam_scoring.ScoringInput({}, defaults, 7))
    db.session.refresh(exam)
    assert exam.grade_bands is None and exam.dimension_weights == {}


# --- export tables ---

def test_export_tables_csv_bom_and_formula_neutralising(app, ctx):
    exam = dimension_exam(title="=HYPERLINK(\"x\")")
    user = ensure_user("alice")
    user.display_name = "=cmd|' /C calc'!A0"
    db.session.commit()
    sit_attempt(exam.id, "alice", answers=DIMENSION_CORRECT, written={"short": 5})
    sit_attempt(exam.id, "bob", answers=DIMENSION_WRONG)
    data = results.exam_results(exam)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        headers, lines = results_export.results_table(data, data.rows)
        body = results_export.to_csv(headers, lines)
        assert body.startswith(b"\xef\xbb\xbf")
        table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        assert table[0][:3] == ["Name", "Username", "Groups"]
        assert f"{D_SKILL} (%)" in table[0]
        alice = next(line for line in table if line[1] == "alice")
        assert alice[0] == "'=cmd|' /C calc'!A0"
        assert alice[5:8] == ["12", "12", "100"]
        bob = next(line for line in table if line[1] == "bob")
        assert bob[4] == "Awaiting grading" and bob[5] == ""
        headers, lines = results_export.question_scores_table(data, data.rows)
        rows = list(lines)
        assert len(headers) == 5 + 4 and "HTTPS port [dims/d-single]" in headers
        column = headers.index("Calm an angry customer [dims/d-short]")
        assert {row[1]: row[column] for row in rows} == {"alice": 5.0, "bob": "pending"}
    assert results_export.neutralize("-1+1") == "'-1+1"
    assert results_export.neutralize("@SUM(A1)") == "'@SUM(A1)"
    assert results_export.neutralize(-5) == -5
    assert results_export.neutralize("plain") == "plain"


def test_the_aggregate_is_one_query_whatever_the_number_of_attempts(ctx):
    exam = dimension_exam(users=[f"user{i}" for i in range(6)])
    for i in range(6):
        sit_attempt(exam.id, f"user{i}", answers=DIMENSION_CORRECT, written={"short": i % 6})
    statements = []
    from sqlalchemy import event
    engine = db.engine

    def count(*args, **kwargs):
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        data = results.exam_results(exam)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(data.rows) == 6
    assert len(statements) <= 5, statements
    assert db.session.scalar(select(func.count()).select_from(AttemptEvent)) == 0


def test_review_page_and_home_card_show_the_weighted_result_too(ctx):
    """Every page shows one figure: with weights, the review page and the home card agree with results."""
    from examengine.services.attempts.home import exam_cards
    from examengine.services.attempts.review import review_view

    exam = dimension_exam(show_score="immediately")
    attempt_id = sit_attempt(exam.id, "alice", answers={**DIMENSION_CORRECT, "truefalse": False}, written={"short": 4})
    exam.dimension_weights = WEIGHTS
    db.session.commit()
    expected = by_user(results.exam_results(exam))["alice"].result
    assert expected.weighted and expected.percent == 77.33
    view = review_view(db.session.get(Attempt, attempt_id))
    assert (view.score, view.max_score, view.percent, view.passed) == (77.33, 100.0, 77.33, True)
    card = next(c for c in exam_cards(ensure_user("alice")) if c.exam.id == exam.id)
    assert (card.score, card.max_score, card.percent) == (77.33, 100.0, 77.33)
