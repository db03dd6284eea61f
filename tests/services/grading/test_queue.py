"""The grading queue: rubric scoring and its bounds, grouping of equal answers, claims and their timeout
with two reviewers (also racing threads), own-attempt exclusion, double marking with and without a
third review, settings changes, the agreement figures and the audit entries."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from examengine.core.answer_groups import BLANK_KEY, text_key
from examengine.extensions import db
from examengine.models import Exam, GradingClaim, GradingMark, ScoreChange, User
from examengine.models._time import utcnow
from examengine.services.exams.admin import ExamError
from examengine.services.grading import queue
from examengine.services.grading.marks import save_mark, score_blank
from examengine.services.grading.scores import GradingRefused, item_values, parse_mark, settle
from examengine.services.grading.setup import set_grading
from tests.exam_builders import ensure_user
from tests.grading_builders import (
    add_reviewers,
    attempt_row,
    grading_exam,
    submit_attempts,
    user_id,
    version_id,
    written_slot,
)

RUBRIC = [{"points": 2.0, "text": "scope"}, {"points": 3.0, "text": "layers"}]  # STANDARD_BANK's short answer


def english(app):
    """The services' messages are translated: read them in English, as a request asking for it would."""
    return app.test_request_context(headers={"Accept-Language": "en"})


def grade_next(exam_id, reviewer, qtype="short", **kwargs):
    exam = db.session.get(Exam, exam_id)
    version = queue.written_version(version_id(qtype))
    return queue.next_group(exam, version, user_id(reviewer), **kwargs)


def mark(exam_id, group, reviewer, items=(), adjustment="", comment="", qtype="short", **kwargs):
    return save_mark(exam_id, version_id(qtype), group.slot_ids, user_id(reviewer), items=items,
                     adjustment=adjustment, comment=comment, **kwargs)


# --- rubric scoring and bounds ---

def test_checked_items_and_the_adjustment_add_up():
    assert parse_mark(["0", "1"], "", "", rubric=RUBRIC, points=5).score == 5
    assert parse_mark(["1"], "-0.5", " fine ", rubric=RUBRIC, points=5) == parse_mark(
        ["1", "1"], "-0.50", "fine", rubric=RUBRIC, points=5)
    result = parse_mark(["1", "0"], "-1.25", "ok", rubric=RUBRIC, points=5)
    assert (result.rubric_items, result.adjustment, result.comment, result.score) == ([0, 1], -1.25, "ok", 3.75)
    assert parse_mark([], "４", "", rubric=RUBRIC, points=5).score == 4  # full-width digits from an IME
    assert parse_mark([], "", "", rubric=[], points=5).score == 0


@pytest.mark.parametrize("items, adjustment", [
    (["0", "1"], "0.01"),  # above the points
    ([], "-1"),  # below zero
    (["0"], "-2.5"),
    ([], "5.006"),  # rounds to 5.01
])
def test_a_score_outside_zero_and_the_points_is_refused(items, adjustment):
    with pytest.raises(GradingRefused) as refused:
        parse_mark(items, adjustment, "", rubric=RUBRIC, points=5)
    assert refused.value.reason == "bad_mark"
    assert "between 0 and 5" in refused.value.message


@pytest.mark.parametrize("items, adjustment", [
    (["2"], ""), (["-1"], ""), (["x"], ""), (["1.0"], ""), (["٣"], ""), ([""], ""),
    ([], "nan"), ([], "NaN"), ([], "inf"), ([], "-inf"), ([], "1e999"), ([], "abc"), ([], "1,5"), ([], "0x10"),
])
def test_forged_marks_are_refused(items, adjustment):
    with pytest.raises(GradingRefused) as refused:
        parse_mark(items, adjustment, "", rubric=RUBRIC, points=5)
    assert refused.value.reason == "bad_mark"


def test_an_overlong_comment_is_refused():
    with pytest.raises(GradingRefused):
        parse_mark([], "", "x" * 5001, rubric=RUBRIC, points=5)


def test_rubric_items_scale_to_the_slots_points():
    assert item_values(RUBRIC, 10) == [4.0, 6.0]
    assert item_values(RUBRIC, 5) == [2.0, 3.0]
    three = [{"points": 1, "text": t} for t in "abc"]
    assert parse_mark(["0", "1", "2"], "", "", rubric=three, points=10).score == 10


def test_settling_the_marks():
    assert settle({"first": 3}, 5, double=False, tolerance=20) == 3
    assert settle({"first": 3}, 5, double=True, tolerance=20) is None
    assert settle({"first": 3, "second": 4}, 5, double=True, tolerance=20) == 3.5
    assert settle({"first": 3.01, "second": 3.02}, 5, double=True, tolerance=20) == 3.02  # half up
    assert settle({"first": 2, "second": 5}, 5, double=True, tolerance=20) is None
    assert settle({"first": 2, "second": 5, "third": 4}, 5, double=True, tolerance=20) == 4
    assert settle({"first": 2, "second": 3}, 5, double=True, tolerance=20) == 2.5  # exactly 1 point: within


# --- the queue ---

def test_equal_answers_form_one_group_and_one_mark_applies_to_all(app):
    exam_id, ids = grading_exam(app, {"ann": "Check  the SCOPE first.", "bob": " Check the ＳＣＯＰＥ first. ",
                                      "cat": "Something else", "dan": None, "eve": "  "})
    with english(app):
        group = grade_next(exam_id, "rita")
        assert group.size == 2 and not group.blank and group.phase == "mark"
        assert {a.attempt_id for a in group.answers} == {ids["ann"], ids["bob"]}
        assert all(a.examinee is None and len(a.code) == 10 for a in group.answers)  # anonymous
        outcome = mark(exam_id, group, "rita", items=["0"], adjustment="0.5", comment="Only the scope.")
        assert (outcome.marked, outcome.final) == (2, 2)
        for name in ("ann", "bob"):
            slot = written_slot(ids[name])
            assert (slot.score, slot.needs_grading, slot.mark_count) == (2.5, False, 1)
        rows = db.session.execute(select(ScoreChange.slot_id, ScoreChange.source, ScoreChange.actor_id,
                                         ScoreChange.old_score, ScoreChange.new_score, ScoreChange.reason)
                                  .where(ScoreChange.source == "reviewer")).all()
        assert sorted(rows) == sorted((written_slot(ids[n]).id, "reviewer", user_id("rita"), None, 2.5,
                                       "Only the scope.") for n in ("ann", "bob"))
        saved = db.session.scalars(select(GradingMark)).all()
        assert [(m.round, m.rubric_items, m.adjustment, m.score) for m in saved] == [("first", [0], 0.5, 2.5)] * 2

        other = grade_next(exam_id, "rita")
        assert [a.attempt_id for a in other.answers] == [ids["cat"]]
        mark(exam_id, other, "rita", items=["0", "1"])
        blank = grade_next(exam_id, "rita")
        assert blank.blank and blank.size == 2 and blank.response == ""
        with pytest.raises(GradingRefused):  # only blank groups take the shortcut
            score_blank(exam_id, version_id("short"), [written_slot(ids["cat"]).id], user_id("rita"))
        assert score_blank(exam_id, version_id("short"), blank.slot_ids, user_id("rita")).final == 2
        assert written_slot(ids["dan"]).score == 0 and written_slot(ids["eve"]).score == 0
        assert grade_next(exam_id, "rita") is None
        reasons = db.session.scalars(select(ScoreChange.reason).where(ScoreChange.source == "reviewer")).all()
        assert sorted(reasons) == ["Only the scope.", "Only the scope.", "blank answer", "blank answer", "rubric"]


def test_the_attempt_is_graded_when_its_last_written_answer_is(app):
    exam_id, ids = grading_exam(app, {"ann": "An answer"})
    with english(app):
        assert attempt_row(ids["ann"]).state == "submitted" and attempt_row(ids["ann"]).score is None
        mark(exam_id, grade_next(exam_id, "rita"), "rita", items=["0", "1"])
        assert attempt_row(ids["ann"]).state == "submitted"
        outcome = mark(exam_id, grade_next(exam_id, "rita", "analysis"), "rita", items=["0"], qtype="analysis")
        assert outcome.attempts_graded == [ids["ann"]]
        attempt = attempt_row(ids["ann"])
        assert attempt.state == "graded" and attempt.score == 9 + 5 + 4


def test_keys_are_set_on_submission_and_written_slots_only(app):
    exam_id, ids = grading_exam(app, {"ann": "Hello", "bob": None})
    with english(app):
        assert written_slot(ids["ann"]).response_key == text_key("Hello")
        assert written_slot(ids["bob"], "analysis").response_key == BLANK_KEY
        slots = attempt_row(ids["ann"]).slots
        assert sum(slot.response_key is None for slot in slots) == 4  # the objective ones


def test_groups_are_capped_and_the_rest_comes_back(app, monkeypatch):
    monkeypatch.setattr(queue, "MAX_GROUP", 2)
    exam_id, ids = grading_exam(app, {name: "same" for name in ("a1", "a2", "a3")})
    with english(app):
        first = grade_next(exam_id, "rita")
        assert first.size == 2
        mark(exam_id, first, "rita", items=["0"])
        rest = grade_next(exam_id, "rita")
        assert rest.size == 1 and rest.answers[0].attempt_id == ids["a3"]


def test_skipped_answers_are_left_out_until_nothing_else_is_left(app):
    exam_id, ids = grading_exam(app, {"ann": "one", "bob": "two"})
    with english(app):
        first = grade_next(exam_id, "rita")
        queue.release(first.slot_ids, user_id("rita"))
        second = grade_next(exam_id, "rita", skip_keys=(first.key,))
        assert second.slot_ids != first.slot_ids
        queue.release(second.slot_ids, user_id("rita"))
        assert grade_next(exam_id, "rita", skip_keys=(first.key, second.key)) is None


# --- claims ---

def test_a_claimed_group_is_skipped_by_others_until_the_claim_expires(app):
    app.config["EXAMENGINE_CLAIM_SECONDS"] = 60
    exam_id, ids = grading_exam(app, {"ann": "one", "bob": "two"}, reviewers=["rita", "ravi"])
    now = utcnow()
    with english(app):
        rita = grade_next(exam_id, "rita", now=now)
        ravi = grade_next(exam_id, "ravi", now=now)
        assert rita.slot_ids != ravi.slot_ids
        assert grade_next(exam_id, "rita", now=now).slot_ids == rita.slot_ids  # a reload shows the same answers
        assert grade_next(exam_id, "ravi", now=now).slot_ids == ravi.slot_ids
        # Ravi saves in time; Rita walks away and her claim expires.
        mark(exam_id, ravi, "ravi", items=["0"], now=now + timedelta(seconds=59))
        later = now + timedelta(seconds=61)
        taken = grade_next(exam_id, "ravi", now=later)
        assert taken.slot_ids == rita.slot_ids
        with pytest.raises(GradingRefused) as refused:
            mark(exam_id, rita, "rita", items=["1"], now=later)
        assert refused.value.reason == "claim" and "claimed by someone else" in refused.value.message
        assert written_slot(ids[_owner(ids, rita)]).needs_grading  # nothing written
        assert db.session.scalar(select(func.count()).select_from(GradingMark)) == 1
        mark(exam_id, taken, "ravi", items=["1"], now=later)
        assert grade_next(exam_id, "rita", now=later) is None


def test_an_expired_claim_cannot_be_saved_even_if_nobody_took_it(app):
    app.config["EXAMENGINE_CLAIM_SECONDS"] = 60
    exam_id, _ids = grading_exam(app, {"ann": "one"})
    now = utcnow()
    with english(app):
        group = grade_next(exam_id, "rita", now=now)
        with pytest.raises(GradingRefused) as refused:
            mark(exam_id, group, "rita", items=["0"], now=now + timedelta(seconds=61))
        assert "expired" in refused.value.message
        again = grade_next(exam_id, "rita", now=now + timedelta(seconds=62))
        assert mark(exam_id, again, "rita", items=["0"], now=now + timedelta(seconds=63)).final == 1


def test_saving_needs_a_claim_on_every_answer_posted(app):
    exam_id, ids = grading_exam(app, {"ann": "one", "bob": "two"}, reviewers=["rita", "ravi"])
    with english(app):
        rita = grade_next(exam_id, "rita")
        ravi = grade_next(exam_id, "ravi")
        forged = rita.slot_ids + ravi.slot_ids
        with pytest.raises(GradingRefused) as refused:
            save_mark(exam_id, version_id("short"), forged, user_id("rita"), items=["0"])
        assert refused.value.reason == "claim"
        assert db.session.scalar(select(func.count()).select_from(GradingMark)) == 0
        with pytest.raises(GradingRefused):  # a slot of another question
            save_mark(exam_id, version_id("analysis"), rita.slot_ids, user_id("rita"), items=["0"])


def test_two_reviewers_racing_for_next_never_get_the_same_answer(app):
    answers = {f"u{i}": f"answer {i}" for i in range(6)}
    exam_id, _ids = grading_exam(app, answers, reviewers=[f"r{i}" for i in range(6)])
    barrier = threading.Barrier(6)

    def work(i):
        with english(app):
            barrier.wait()
            try:
                group = grade_next(exam_id, f"r{i}")
                return group.slot_ids if group else []
            finally:
                db.session.remove()

    for _round in range(2):
        with ThreadPoolExecutor(6) as pool:
            results = list(pool.map(work, range(6)))
        claimed = [slot for ids in results for slot in ids]
        assert len(claimed) == len(set(claimed)) == 6, results
        with english(app):
            db.session.execute(GradingClaim.__table__.delete())
            db.session.commit()


def _owner(ids, group):
    attempt_id = group.answers[0].attempt_id
    return next(name for name, value in ids.items() if value == attempt_id)


# --- own attempts ---

def test_a_reviewer_never_grades_their_own_attempt(app):
    exam_id, ids = grading_exam(app, {"ann": "one"}, reviewers=["rita"])
    with english(app):
        rita_attempt = submit_attempts(exam_id, {"rita": "my own answer"})["rita"]
        add_reviewers(exam_id, ["ann"])  # ann is examinee and reviewer too
        group = grade_next(exam_id, "rita")
        assert [a.attempt_id for a in group.answers] == [ids["ann"]]
        queue.release(group.slot_ids, user_id("rita"))
        own = written_slot(rita_attempt).id
        db.session.add(GradingClaim(slot_id=own, round="first", reviewer_id=user_id("rita"),
                                    expires_at=utcnow() + timedelta(minutes=5)))
        db.session.commit()
        with pytest.raises(GradingRefused) as refused:  # even holding a (forged) claim
            save_mark(exam_id, version_id("short"), [own], user_id("rita"), items=["0"])
        assert "your own attempt" in refused.value.message
        db.session.execute(GradingClaim.__table__.delete())
        db.session.commit()
        theirs = grade_next(exam_id, "ann")
        assert [a.attempt_id for a in theirs.answers] == [rita_attempt]
        mark(exam_id, theirs, "ann", items=["0"])
        assert grade_next(exam_id, "ann") is None


# --- double marking ---

def test_double_marking_close_marks_give_the_mean(app):
    exam_id, ids = grading_exam(app, {"ann": "one"}, reviewers=["rita", "ravi", "rosa"], double_marking=True,
                                double_marking_tolerance=20)
    with english(app):
        first = grade_next(exam_id, "rita")
        assert first.answers[0].round == "first"
        outcome = mark(exam_id, first, "rita", items=["1"])  # 3
        assert (outcome.final, outcome.waiting_second) == (0, 1)
        slot = written_slot(ids["ann"])
        assert slot.needs_grading and slot.score is None and slot.mark_count == 1
        assert grade_next(exam_id, "rita") is None  # never twice by the same reviewer
        second = grade_next(exam_id, "ravi")
        assert second.answers[0].round == "second" and second.answers[0].earlier == []  # blind
        assert second.phase == "mark"
        mark(exam_id, second, "ravi", items=["1"], adjustment="1")  # 4: within 20% of 5
        slot = written_slot(ids["ann"])
        assert (slot.score, slot.needs_grading, slot.mark_count) == (3.5, False, 2)
        assert grade_next(exam_id, "rosa") is None
        change = db.session.scalars(select(ScoreChange).where(ScoreChange.source == "reviewer")).one()
        assert (change.old_score, change.new_score, change.actor_id) == (None, 3.5, user_id("ravi"))
        figures = queue.agreement(exam_id)
        assert (figures.pairs, figures.within, figures.share_within, figures.mean_abs_diff) == (1, 1, 100.0, 1.0)
        assert figures.mean_abs_diff_percent == 20.0 and figures.third_waiting == 0


def test_double_marking_far_apart_marks_go_to_a_third_reviewer(app):
    exam_id, ids = grading_exam(app, {"ann": "one", "bob": "one"}, reviewers=["rita", "ravi", "rosa"],
                                double_marking=True, double_marking_tolerance=20)
    with english(app):
        mark(exam_id, grade_next(exam_id, "rita"), "rita", items=["0"])  # 2 for both
        outcome = mark(exam_id, grade_next(exam_id, "ravi"), "ravi", items=["0", "1"])  # 5: too far
        assert (outcome.final, outcome.waiting_third) == (0, 2)
        assert grade_next(exam_id, "rita") is None and grade_next(exam_id, "ravi") is None
        assert attempt_row(ids["ann"]).state == "submitted"
        third = grade_next(exam_id, "rosa")
        assert third.phase == "third" and third.size == 2
        assert all(a.round == "third" and a.earlier == [2.0, 5.0] for a in third.answers)
        mark(exam_id, third, "rosa", items=["1"], comment="Layers only.")
        for name in ("ann", "bob"):
            slot = written_slot(ids[name])
            assert (slot.score, slot.needs_grading, slot.mark_count) == (3.0, False, 3)
        figures = queue.agreement(exam_id)
        assert (figures.pairs, figures.within, figures.mean_abs_diff, figures.third_done) == (2, 0, 3.0, 2)
        rounds = db.session.execute(select(GradingMark.round, func.count()).group_by(GradingMark.round)).all()
        assert dict(rounds) == {"first": 2, "second": 2, "third": 2}


def test_an_admin_can_give_the_deciding_mark(app):
    exam_id, ids = grading_exam(app, {"ann": "one"}, reviewers=["rita", "ravi"], double_marking=True)
    with english(app):
        mark(exam_id, grade_next(exam_id, "rita"), "rita", items=[])
        mark(exam_id, grade_next(exam_id, "ravi"), "ravi", items=["0", "1"])
        ensure_user("boss", roles=("admin",))  # not assigned: admins may grade any exam
        db.session.commit()
        group = grade_next(exam_id, "boss", show_names=True)
        assert group.phase == "third" and group.answers[0].examinee == "ann"
        mark(exam_id, group, "boss", items=["0"])
        assert written_slot(ids["ann"]).score == 2


def test_blank_answers_are_settled_at_once_even_with_double_marking(app):
    exam_id, ids = grading_exam(app, {"ann": None, "bob": ""}, reviewers=["rita", "ravi"], double_marking=True)
    with english(app):
        group = grade_next(exam_id, "rita")
        assert group.blank and group.size == 2
        score_blank(exam_id, version_id("short"), group.slot_ids, user_id("rita"))
        assert written_slot(ids["ann"]).score == 0 and not written_slot(ids["bob"]).needs_grading
        assert grade_next(exam_id, "ravi") is None


def test_changing_the_settings_settles_what_is_marked(app):
    exam_id, ids = grading_exam(app, {"ann": "one", "bob": "two"}, reviewers=["rita", "ravi"],
                                double_marking=True, double_marking_tolerance=10)
    with english(app):
        mark(exam_id, grade_next(exam_id, "rita"), "rita", items=["0"])  # ann (or bob): 2
        mark(exam_id, grade_next(exam_id, "ravi"), "ravi", items=["0", "1"])  # the other one: 5, first mark
        mark(exam_id, grade_next(exam_id, "ravi"), "ravi", items=["1"])  # second mark on rita's: 3, too far at 10%
        exam = db.session.get(Exam, exam_id)
        reviewers = [user_id("rita"), user_id("ravi")]
        assert set_grading(exam, reviewer_ids=reviewers, double_marking=True, tolerance=20, actor_id=None) == 1
        scores = sorted(written_slot(ids[n]).score or -1 for n in ("ann", "bob"))
        assert scores == [-1, 2.5]  # within 20% now: the mean; the other still waits for a second mark
        assert set_grading(exam, reviewer_ids=reviewers, double_marking=False, tolerance=20) == 1
        assert sorted(written_slot(ids[n]).score for n in ("ann", "bob")) == [2.5, 5]
        assert attempt_row(ids["ann"]).state == "submitted"  # the analysis is still waiting


def test_grading_settings_are_validated(app):
    exam_id, _ids = grading_exam(app, {"ann": "one"})
    with english(app):
        exam = db.session.get(Exam, exam_id)
        with pytest.raises(ExamError) as refused:
            set_grading(exam, reviewer_ids=[user_id("ann")], double_marking=True, tolerance=float("nan"))
        assert set(refused.value.errors) == {"reviewers", "double_marking_tolerance"}
        for bad in (-1, 100.5, float("inf"), None):
            with pytest.raises(ExamError):
                set_grading(exam, reviewer_ids=[], double_marking=True, tolerance=bad)


def test_progress_per_question(app):
    exam_id, _ids = grading_exam(app, {"ann": "one", "bob": "two"})
    with english(app):
        mark(exam_id, grade_next(exam_id, "rita"), "rita", items=["0"])
        progress = {p.qtype: (p.total, p.waiting, p.graded, p.percent) for p in queue.question_progress(exam_id)}
        assert progress == {"short": (2, 1, 1, 50), "analysis": (2, 2, 0, 0)}
        rita = db.session.get(User, user_id("rita"))
        assert queue.waiting_count(rita) == 3
        assert queue.agreement(exam_id).pairs == 0 and queue.agreement(exam_id).share_within is None
