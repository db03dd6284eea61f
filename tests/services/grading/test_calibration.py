"""Calibration before grading: samples only for written questions of the exam, their validation, the
gate in the queue (on and off, no samples, admins who are not reviewers), the tolerance boundaries,
retries, and practice marks that never touch real scores or marks."""
from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from examengine.extensions import db
from examengine.models import AttemptSlot, CalibrationMark, CalibrationSample, Exam, GradingMark, ScoreChange
from examengine.services.grading import (
    GradingRefused,
    add_sample,
    calibration_overview,
    calibration_status,
    next_group,
    remove_sample,
    reviewer_states,
    save_calibration_mark,
    save_mark,
    written_version,
)
from examengine.services.grading.setup import set_grading
from tests.exam_builders import ensure_user
from tests.grading_builders import add_reviewers, grading_exam, user_id, version_id, written_slot


def english(app):
    return app.test_request_context(headers={"Accept-Language": "en"})


def exam_of(exam_id) -> Exam:
    return db.session.get(Exam, exam_id)


def sample(exam_id, reference_items=("0",), adjustment="", qtype="short", **kwargs):
    """A typed sample on the short answer (5 points: rubric 2 + 3) with the given reference mark."""
    kwargs.setdefault("response", "Check the scope, then each layer.")
    return add_sample(exam_of(exam_id), version_id(qtype), actor_id=None, items=list(reference_items),
                      adjustment=adjustment, **kwargs)


def practise(exam_id, sample_id, reviewer, items=(), adjustment="", qtype="short"):
    return save_calibration_mark(exam_of(exam_id), version_id(qtype), sample_id, user_id(reviewer),
                                 items=list(items), adjustment=adjustment)


def queue_for(exam_id, reviewer, qtype="short"):
    return next_group(exam_of(exam_id), written_version(version_id(qtype)), user_id(reviewer))


@pytest.fixture
def gated(app):
    """An exam requiring calibration (tolerance 10% of 5 points = 0.5), answered by ann and bob, reviewed by rita."""
    exam_id, ids = grading_exam(app, {"ann": "Check the scope.", "bob": "Reboot it."},
                                calibration_required=True, calibration_tolerance=10)
    return exam_id, ids


def test_no_samples_no_gate_and_a_gate_once_there_is_one(app, gated):
    exam_id, _ids = gated
    with english(app):
        status = calibration_status(exam_of(exam_id), version_id("short"), user_id("rita"))
        assert (status.gated, status.state, status.blocks) == (False, "open", False)
        assert queue_for(exam_id, "rita") is not None
        db.session.rollback()
        ensure_user("rita")
        first = sample(exam_id)
        with pytest.raises(GradingRefused) as refused:
            queue_for(exam_id, "rita")
        assert refused.value.reason == "calibration"
        assert "calibration" in refused.value.message
        status = calibration_status(exam_of(exam_id), version_id("short"), user_id("rita"))
        assert (status.gated, status.state, status.next_sample.id) == (True, "pending", first.id)
        assert queue_for(exam_id, "rita", "analysis") is not None  # a question without samples stays open


def test_the_gate_is_off_unless_the_exam_requires_it(app):
    exam_id, _ids = grading_exam(app, {"ann": "Check the scope."})
    with english(app):
        sample(exam_id)
        assert queue_for(exam_id, "rita") is not None
        assert reviewer_states(exam_of(exam_id), user_id("rita")) == {}


@pytest.mark.parametrize("items, adjustment, within", [
    (["0"], "", True),  # the reference itself: 2
    (["0"], "0.5", True),  # 2.5: exactly at the tolerance (10% of 5)
    (["0"], "-0.5", True),  # 1.5
    (["0"], "0.51", False),  # just outside
    ([], "1.49", False),
    (["0", "1"], "", False),  # 5
])
def test_the_tolerance_boundaries(app, gated, items, adjustment, within):
    exam_id, _ids = gated
    with english(app):
        reference = sample(exam_id)
        mark = practise(exam_id, reference.id, "rita", items, adjustment)
        assert mark.within_tolerance is within
        state = calibration_status(exam_of(exam_id), version_id("short"), user_id("rita")).state
        assert state == ("passed" if within else "failed")


def test_passing_every_sample_opens_the_queue_and_a_retry_counts(app, gated):
    exam_id, ids = gated
    with english(app):
        one, two = sample(exam_id), sample(exam_id, reference_items=("0", "1"), response="Scope and layers.")
        practise(exam_id, one.id, "rita", ["0"])
        status = calibration_status(exam_of(exam_id), version_id("short"), user_id("rita"))
        assert status.state == "pending" and [r.sample.id for r in status.left] == [two.id]
        practise(exam_id, two.id, "rita", ["0"])  # 2 against 5: failed
        status = calibration_status(exam_of(exam_id), version_id("short"), user_id("rita"))
        assert status.state == "failed" and status.next_sample.id == two.id
        with pytest.raises(GradingRefused):
            queue_for(exam_id, "rita")
        practise(exam_id, two.id, "rita", ["0", "1"], "-0.3")  # the retry: 4.7
        status = calibration_status(exam_of(exam_id), version_id("short"), user_id("rita"))
        assert status.state == "passed" and not status.blocks
        assert [r.tries for r in status.results] == [1, 2]
        assert db.session.scalar(select(func.count()).select_from(CalibrationMark)) == 3  # the history stays
        group = queue_for(exam_id, "rita")
        assert group is not None and group.size == 1
        # A newer mark outside the tolerance closes the queue again: the latest mark counts.
        practise(exam_id, one.id, "rita", [], "0")
        assert calibration_status(exam_of(exam_id), version_id("short"), user_id("rita")).state == "failed"


def test_saving_a_mark_is_refused_while_not_calibrated(app, gated):
    exam_id, ids = gated
    with english(app):
        group = queue_for(exam_id, "rita")  # claimed before calibration applied
        sample(exam_id)
        with pytest.raises(GradingRefused) as refused:
            save_mark(exam_id, version_id("short"), group.slot_ids, user_id("rita"), items=["0"])
        assert refused.value.reason == "calibration"
        assert db.session.scalar(select(func.count()).select_from(GradingMark)) == 0


def test_admins_who_are_not_reviewers_are_not_gated_but_assigned_admins_are(app, gated):
    exam_id, _ids = gated
    with english(app):
        ensure_user("ada", roles=("admin",))
        db.session.commit()
        sample(exam_id)
        assert queue_for(exam_id, "ada") is not None
        add_reviewers(exam_id, ["ada"], roles=("admin",))
        db.session.rollback()
        with pytest.raises(GradingRefused):
            queue_for(exam_id, "ada")


def test_practice_marks_never_touch_scores_or_grading_marks(app, gated):
    exam_id, ids = gated
    with english(app):
        before = [(s.id, s.score, s.needs_grading, s.mark_count) for s in db.session.scalars(select(AttemptSlot))]
        changes = db.session.scalar(select(func.count()).select_from(ScoreChange))
        reference = sample(exam_id, slot_id=written_slot(ids["ann"]).id, response=None)
        practise(exam_id, reference.id, "rita", ["0"])
        practise(exam_id, reference.id, "rita", ["1"])
        db.session.expire_all()
        after = [(s.id, s.score, s.needs_grading, s.mark_count) for s in db.session.scalars(select(AttemptSlot))]
        assert after == before
        assert db.session.scalar(select(func.count()).select_from(GradingMark)) == 0
        assert db.session.scalar(select(func.count()).select_from(ScoreChange)) == changes


def test_a_sample_from_a_submitted_answer_copies_it(app, gated):
    exam_id, ids = gated
    with english(app):
        slot = written_slot(ids["ann"])
        copied = sample(exam_id, slot_id=slot.id, response="ignored", explanation="  Scope only.  ")
        assert (copied.response, copied.attempt_slot_id, copied.points, copied.reference_score,
                copied.reference_items, copied.explanation) == ("Check the scope.", slot.id, 5.0, 2.0, [0],
                                                                "Scope only.")
        with pytest.raises(GradingRefused) as refused:  # the analysis answer is not an answer to this question
            sample(exam_id, slot_id=written_slot(ids["ann"], "analysis").id)
        assert refused.value.reason == "not_found"


def test_samples_only_for_written_questions_of_the_exam(app, gated):
    exam_id, _ids = gated
    _other, other_ids = grading_exam(app, {"cat": "x"}, title="Other")
    with english(app):
        for qtype in ("single", "fill"):
            with pytest.raises(GradingRefused) as refused:
                sample(exam_id, reference_items=(), qtype=qtype)
            assert refused.value.reason == "not_found"
            assert "written questions" in refused.value.message
        with pytest.raises(GradingRefused) as refused:  # an answer from another exam
            sample(exam_id, slot_id=written_slot(other_ids["cat"]).id, response=None)
        assert refused.value.reason == "not_found"
        assert db.session.scalar(select(func.count()).select_from(CalibrationSample)) == 0


@pytest.mark.parametrize("fields, message", [
    ({"reference_items": (), "adjustment": "6"}, "The score must be between 0 and 5"),
    ({"reference_items": ("0",), "adjustment": "-2.5"}, "The score must be between 0 and 5"),
    ({"reference_items": ("7",)}, "Unknown rubric item"),
    ({"reference_items": (), "adjustment": "abc"}, "must be a number"),
    ({"response": "   "}, "Type the sample answer."),
    ({"response": "x" * 20_001}, "The text is too long: at most 20,000 characters."),
    ({"explanation": "a\x00b"}, "NUL"),
])
def test_bad_samples_are_refused_with_a_message(app, gated, fields, message):
    exam_id, _ids = gated
    with english(app):
        with pytest.raises(GradingRefused) as refused:
            sample(exam_id, **fields)
        assert refused.value.reason == "bad_mark" and message in refused.value.message
        assert db.session.scalar(select(func.count()).select_from(CalibrationSample)) == 0


def test_messages_are_in_chinese_by_default(app, gated):
    exam_id, _ids = gated
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        with pytest.raises(GradingRefused) as refused:
            sample(exam_id, response=" ")
        assert refused.value.message != "Type the sample answer."
        assert not refused.value.message.isascii()


def test_removing_a_sample_keeps_it_on_record_and_ungates(app, gated, caplog):
    exam_id, _ids = gated
    with english(app), caplog.at_level(logging.INFO, logger="examengine.audit"):
        admin = ensure_user("ada", roles=("admin",))
        db.session.commit()
        reference = sample(exam_id)
        practise(exam_id, reference.id, "rita", [], "0")
        remove_sample(exam_of(exam_id), version_id("short"), reference.id, actor_id=admin.id)
        assert calibration_status(exam_of(exam_id), version_id("short"), user_id("rita")).state == "open"
        assert queue_for(exam_id, "rita") is not None
        row = db.session.get(CalibrationSample, reference.id)
        assert row.deleted_at is not None and row.deleted_by_id == admin.id
        assert db.session.scalar(select(func.count()).select_from(CalibrationMark)) == 1
        with pytest.raises(GradingRefused) as refused:
            remove_sample(exam_of(exam_id), version_id("short"), reference.id, actor_id=admin.id)
        assert refused.value.reason == "not_found"
        with pytest.raises(GradingRefused):  # no practice on a removed sample
            practise(exam_id, reference.id, "rita", ["0"])
    logged = [r.getMessage() for r in caplog.records if r.name == "examengine.audit"]
    assert any("calibration_sample_removed" in line and f"by user {admin.id}" in line for line in logged)


def test_settings_and_their_validation(app, caplog):
    exam_id, _ids = grading_exam(app, {"ann": "x"})
    with english(app), caplog.at_level(logging.INFO, logger="examengine.audit"):
        exam = exam_of(exam_id)
        assert (exam.calibration_required, float(exam.calibration_tolerance)) == (False, 10.0)
        reviewers = [user.id for user in exam.reviewers]
        from examengine.services.exams.admin import ExamError
        with pytest.raises(ExamError) as error:
            set_grading(exam, reviewer_ids=reviewers, double_marking=False, tolerance=20,
                        calibration_required=True, calibration_tolerance=101)
        assert "calibration_tolerance" in error.value.errors
        set_grading(exam, reviewer_ids=reviewers, double_marking=False, tolerance=20, calibration_required=True,
                    calibration_tolerance=25)
        db.session.expire_all()
        exam = exam_of(exam_id)
        assert (exam.calibration_required, float(exam.calibration_tolerance)) == (True, 25.0)
        set_grading(exam, reviewer_ids=reviewers, double_marking=False, tolerance=20)  # calibration left as is
        assert exam_of(exam_id).calibration_required is True
    assert any("calibration_settings" in r.getMessage() for r in caplog.records if r.name == "examengine.audit")


def test_a_changed_tolerance_applies_at_once_and_the_overview_shows_each_reviewer(app, gated):
    exam_id, _ids = gated
    with english(app):
        add_reviewers(exam_id, ["ravi"])
        reference = sample(exam_id)
        practise(exam_id, reference.id, "rita", ["0"], "1")  # 3 against 2: outside 10%
        assert reviewer_states(exam_of(exam_id), user_id("rita")) == {version_id("short"): "failed"}
        exam_of(exam_id).calibration_tolerance = 20
        db.session.commit()
        assert reviewer_states(exam_of(exam_id), user_id("rita")) == {version_id("short"): "passed"}
        [question] = calibration_overview(exam_of(exam_id))
        assert question.version_id == version_id("short") and [s.id for s in question.samples] == [reference.id]
        states = {row.reviewer.username: row.status.state for row in question.reviewers}
        assert states == {"ravi": "pending", "rita": "passed"}
