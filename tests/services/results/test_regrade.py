"""Regrade after a bank correction: the dry run lists exactly the scores that would change and writes
nothing; applying changes them, writes audit rows and totals and leaves reviewers' scores alone; a
stale plan is refused; answers whose options changed are not regraded."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from examengine.extensions import db
from examengine.models import Attempt, AttemptSlot, Exam, GradingMark, User
from examengine.models._time import utcnow
from examengine.services import appeals
from examengine.services.results.regrade import RegradeRefused, apply_regrade, regrade_plan
from tests.appeal_builders import (
    CORRECTED_SINGLE,
    FILL_THREE_BLANKS,
    FIVE_OPTIONS,
    REORDERED,
    TEXT_FIX_SINGLE,
    TRUEFALSE_FLIPPED,
    change_count,
    changes,
    correct_bank,
    graded_exam,
    scores,
    slot,
    total,
)
from tests.exam_builders import CORRECT, STANDARD_BANK, ensure_user
from tests.results_builders import sit_attempt


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def admin_id() -> int:
    return ensure_user("boss", roles=("admin",)).id


def snapshot():
    db.session.expire_all()
    slots = sorted((s.id, s.score, s.auto_score, s.question_version_id) for s in db.session.scalars(select(AttemptSlot)))
    attempts = sorted((a.id, a.score, a.state) for a in db.session.scalars(select(Attempt)))
    return slots, attempts, change_count()


def test_without_a_correction_there_is_nothing_to_check(ctx):
    exam_id, _ids = graded_exam({"ann": {}})
    plan = regrade_plan(exam_id)
    assert (plan.checked, plan.changes, plan.skipped) == (0, [], [])
    correct_bank(TEXT_FIX_SINGLE)  # a new version with the same key: checked, nothing changes
    plan = regrade_plan(exam_id)
    assert (plan.checked, plan.changes, plan.skipped) == (1, [], [])


def test_the_dry_run_lists_exactly_the_changed_scores_and_writes_nothing(ctx):
    exam_id, ids = graded_exam({"ann": {}, "bob": {"single": 0}, "cat": {"single": 2}})
    correct_bank(CORRECTED_SINGLE)  # the key moves from 443 (index 1) to 80 (index 0)
    before = snapshot()
    plan = regrade_plan(exam_id)
    assert snapshot() == before
    assert plan.checked == 3  # every attempt's single-choice slot; cat's stays 0
    listed = {(c.attempt_id, c.old_score, c.new_score) for c in plan.changes}
    assert listed == {(ids["ann"], 2.0, 0.0), (ids["bob"], 0.0, 2.0)}
    change = next(c for c in plan.changes if c.attempt_id == ids["ann"])
    assert (change.user_name, change.old_version, change.new_version, change.points) == ("ann", 1, 2, 2.0)
    assert change.question_title == "HTTPS port" and change.attempt_code
    assert plan.attempts == 2 and plan.skipped == []
    assert [(q.title, q.old_versions, q.new_version, q.checked, q.changed) for q in plan.questions] == [
        ("HTTPS port", (1,), 2, 3, 2)]
    assert regrade_plan(exam_id).fingerprint == plan.fingerprint  # deterministic


def test_apply_changes_scores_totals_and_audit_but_not_reviewer_scores(ctx):
    exam_id, ids = graded_exam({"ann": {}, "bob": {"single": 0}})
    before = {name: scores(attempt_id) for name, attempt_id in ids.items()}
    totals = {name: total(attempt_id) for name, attempt_id in ids.items()}
    frozen = slot(ids["ann"], "single").question_version_id
    marks_before = sorted((m.slot_id, m.score) for m in db.session.scalars(select(GradingMark)))
    correct_bank(CORRECTED_SINGLE)
    plan = regrade_plan(exam_id)
    result = apply_regrade(exam_id, admin_id(), plan.fingerprint)
    assert (result.changed, result.attempts) == (2, 2)
    after = {name: scores(attempt_id) for name, attempt_id in ids.items()}
    assert after["ann"] == {**before["ann"], "single": 0.0}
    assert after["bob"] == {**before["bob"], "single": 2.0}
    assert total(ids["ann"]) == totals["ann"] - 2 and total(ids["bob"]) == totals["bob"] + 2
    for name in ids:  # reviewers' scores and marks untouched
        assert (after[name]["short"], after[name]["analysis"]) == (3.0, 6.0)
    assert sorted((m.slot_id, m.score) for m in db.session.scalars(select(GradingMark))) == marks_before
    ann_slot = slot(ids["ann"], "single")
    assert ann_slot.question_version_id == frozen  # the version sat stays frozen
    assert float(ann_slot.auto_score) == 0.0
    rows = changes("regrade")
    assert len(rows) == 2
    boss = db.session.scalar(select(User.id).where(User.username == "boss"))
    assert {(r.attempt_id, r.old_score, r.new_score, r.actor_id) for r in rows} == {
        (ids["ann"], 2.0, 0.0, boss), (ids["bob"], 0.0, 2.0, boss)}
    assert all(r.reason == "regraded against version 2 of HTTPS port" for r in rows)
    # applied: a second dry run lists nothing, and applying it changes nothing
    again = regrade_plan(exam_id)
    assert again.checked == 2 and again.changes == []
    assert apply_regrade(exam_id, admin_id(), again.fingerprint).changed == 0
    assert len(changes("regrade")) == 2


def test_a_stale_plan_is_refused_and_shows_the_new_one(ctx):
    exam_id, ids = graded_exam({"ann": {}, "bob": {"single": 0}})
    correct_bank(CORRECTED_SINGLE)
    seen = regrade_plan(exam_id)
    correct_bank(TRUEFALSE_FLIPPED.replace("- [ ] 80\n- [x] 443", "- [x] 80\n- [ ] 443"))  # another import
    before = snapshot()
    with pytest.raises(RegradeRefused) as refused:
        apply_regrade(exam_id, admin_id(), seen.fingerprint)
    assert refused.value.reason == "stale" and "no longer" in refused.value.message
    assert snapshot() == before  # nothing written
    new = refused.value.plan
    assert new.fingerprint != seen.fingerprint and new.checked == 4  # single and truefalse of both
    assert {c.question_title for c in new.changes} == {"HTTPS port", "UDP is connectionless"}
    assert apply_regrade(exam_id, admin_id(), new).changed == 4  # the plan object itself is accepted


def test_someone_elses_regrade_makes_the_plan_stale(ctx):
    exam_id, _ids = graded_exam({"ann": {}})
    correct_bank(CORRECTED_SINGLE)
    plan = regrade_plan(exam_id)
    apply_regrade(exam_id, admin_id(), plan.changes)  # the list of changes is accepted too
    with pytest.raises(RegradeRefused) as refused:
        apply_regrade(exam_id, admin_id(), plan.fingerprint)
    assert refused.value.plan.changes == []
    assert len(changes("regrade")) == 1


def test_a_changed_option_count_is_not_regraded(ctx):
    exam_id, ids = graded_exam({"ann": {}, "bob": {"single": 0}})
    correct_bank(FIVE_OPTIONS)  # the key changed AND an option was added
    before = snapshot()
    plan = regrade_plan(exam_id)
    assert plan.changes == [] and plan.checked == 2
    assert {(s.attempt_id, s.reason) for s in plan.skipped} == {(ids["ann"], "options_changed"),
                                                               (ids["bob"], "options_changed")}
    assert apply_regrade(exam_id, admin_id(), plan.fingerprint).changed == 0
    assert snapshot() == before


def test_reordered_options_follow_their_text(ctx):
    exam_id, ids = graded_exam({"ann": {}, "bob": {"single": 0}})
    correct_bank(REORDERED)  # 443 is still right, now at index 2: ann's "1" (443) must stay right
    plan = regrade_plan(exam_id)
    assert plan.checked == 2 and plan.changes == [] and plan.skipped == []


def test_blank_count_changes_and_hand_set_scores_are_not_regraded(ctx):
    exam_id, ids = graded_exam({"ann": {}, "bob": {"single": 0}})
    bob_single = slot(ids["bob"], "single")
    bob_single.score = 1.5  # set by hand (an appeal): the regrade must not overwrite it
    db.session.commit()
    correct_bank(FILL_THREE_BLANKS.replace("- [ ] 80\n- [x] 443", "- [x] 80\n- [ ] 443"))
    plan = regrade_plan(exam_id)
    skipped = {(s.attempt_id, s.question_title, s.reason) for s in plan.skipped}
    assert skipped == {(ids["ann"], "Protocols and numbers", "blanks_changed"),
                       (ids["bob"], "Protocols and numbers", "blanks_changed"),
                       (ids["bob"], "HTTPS port", "manual_score")}
    assert [(c.attempt_id, c.new_score) for c in plan.changes] == [(ids["ann"], 0.0)]


def test_multiple_choice_uses_the_exams_scoring_and_attempts_in_progress_wait(ctx):
    exam_id, ids = graded_exam({"ann": {"multiple": [0]}}, multiple_scoring="partial")  # half of TCP+UDP
    bob = ensure_user("bob")
    exam = db.session.get(Exam, exam_id)
    exam.users.append(bob)
    db.session.commit()
    sit_attempt(exam_id, "bob", answers=CORRECT, submit=False)  # still in progress
    assert scores(ids["ann"])["multiple"] == 2.0
    correct_bank(STANDARD_BANK.replace("- [x] UDP", "- [ ] UDP"))  # now only TCP is right: ann's answer is complete
    plan = regrade_plan(exam_id)
    assert plan.checked == 1
    assert [(c.attempt_id, c.old_score, c.new_score) for c in plan.changes] == [(ids["ann"], 2.0, 4.0)]


def test_written_answers_are_never_in_the_plan(ctx):
    exam_id, ids = graded_exam({"ann": {}})
    correct_bank(STANDARD_BANK.replace("- (2) SHORT-RUBRIC-SECRET scope", "- (2) SHORT-RUBRIC-SECRET the scope"))
    plan = regrade_plan(exam_id)
    assert (plan.checked, plan.changes, plan.skipped) == (0, [], [])


def test_a_regrade_opens_a_fresh_appeal_window(ctx):
    exam_id, ids = graded_exam({"ann": {}})
    attempt = db.session.get(Attempt, ids["ann"])
    first = appeals.release_time(attempt)
    correct_bank(CORRECTED_SINGLE)
    apply_regrade(exam_id, admin_id(), regrade_plan(exam_id).fingerprint)
    db.session.expire_all()
    assert appeals.release_time(db.session.get(Attempt, ids["ann"])) >= first
    assert appeals.appeal_deadline(db.session.get(Attempt, ids["ann"])) > utcnow() + timedelta(days=6)


def test_unknown_exam(ctx):
    with pytest.raises(RegradeRefused) as refused:
        apply_regrade(999, admin_id(), "x")
    assert refused.value.reason == "not_found"


def test_two_admins_applying_at_once_regrade_once(app):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    with app.app_context():
        exam_id, ids = graded_exam({"ann": {}, "bob": {"single": 0}, "cid": {}})
        correct_bank(CORRECTED_SINGLE)
        fingerprint = regrade_plan(exam_id).fingerprint
        boss = admin_id()
    barrier = threading.Barrier(2)

    def work(_i):
        with app.app_context():
            barrier.wait()
            try:
                return apply_regrade(exam_id, boss, fingerprint).changed
            except RegradeRefused as error:
                return error.reason
            finally:
                db.session.remove()

    for _round in range(3):
        with app.app_context():
            fingerprint = regrade_plan(exam_id).fingerprint
        with ThreadPoolExecutor(2) as pool:
            outcomes = sorted(map(str, pool.map(work, range(2))))
        assert outcomes in (["3", "stale"], ["0", "0"], ["0", "stale"]), outcomes
        with app.app_context():
            assert len(changes("regrade")) == 3
            assert scores(ids["bob"])["single"] == 2.0 and scores(ids["ann"])["single"] == 0.0
