"""Appeals: only released results, within the window, own attempts only, one per question; handled by a
reviewer of the exam other than the grader (or an admin); upheld or changed within the bounds, with the
audit entry and the total."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from examengine.extensions import db
from examengine.models import Appeal, Attempt, Exam
from examengine.services import appeals
from examengine.services.appeals import AppealRefused, create_appeal, resolve_appeal
from tests.appeal_builders import changes, graded_exam, scores, slot, total
from tests.exam_builders import ensure_user
from tests.results_builders import score_written

# Objective answers short of full marks (a question with full marks cannot be appealed).
NOT_FULL = {"single": 0, "fill": ["http", "3.140"]}


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def uid(username: str, roles=("employee",)) -> int:
    return ensure_user(username, roles=roles).id


def user(username: str, roles=("reviewer",)):
    return ensure_user(username, roles=roles)


def position(attempt_id: int, qtype: str) -> int:
    return slot(attempt_id, qtype).position


def appeal_on(attempt_id: int, qtype: str, username: str = "ann", reason: str = "My answer covers the rubric.",
              **kwargs) -> Appeal:
    return create_appeal(attempt_id, position(attempt_id, qtype), uid(username), reason, **kwargs)


def refused(call, *args, **kwargs) -> AppealRefused:
    with pytest.raises(AppealRefused) as error:
        call(*args, **kwargs)
    return error.value


# --- lodging an appeal ---

def test_an_employee_appeals_a_graded_question_once(ctx):
    _exam_id, ids = graded_exam({"ann": NOT_FULL})
    appeal = appeal_on(ids["ann"], "short", reason="  I named the scope and the layers.\r\n")
    assert (appeal.state, appeal.reason, appeal.old_score) == ("open", "I named the scope and the layers.", 3.0)
    assert appeal.reviewer_id == uid("sam")  # rita graded it: it goes to the other reviewer
    again = refused(appeal_on, ids["ann"], "short")
    assert again.reason == "exists"
    assert appeal_on(ids["ann"], "single").state == "open"  # another question is fine
    assert db.session.scalar(select(Appeal.id).where(Appeal.slot_id == slot(ids["ann"], "single").id))


def test_only_own_attempts(ctx):
    _exam_id, ids = graded_exam({"ann": NOT_FULL, "bob": NOT_FULL})
    error = refused(appeal_on, ids["ann"], "short", username="bob")
    assert error.reason == "not_found"
    assert refused(create_appeal, 10**6, 0, uid("ann"), "x").reason == "not_found"
    assert refused(create_appeal, ids["ann"], 99, uid("ann"), "x").reason == "not_found"
    assert refused(create_appeal, ids["ann"], -1, uid("ann"), "x").reason == "not_found"


@pytest.mark.parametrize("reason, message", [("", "Write why"), ("   \n ", "Write why"), ("x" * 2001, "too long")])
def test_the_reason_is_required_and_bounded(ctx, reason, message):
    _exam_id, ids = graded_exam({"ann": NOT_FULL})
    error = refused(appeal_on, ids["ann"], "short", reason=reason)
    assert error.reason == "bad_input" and message in error.message
    assert appeal_on(ids["ann"], "short", reason="x" * 2000).reason == "x" * 2000


def test_only_when_results_are_released(ctx):
    _exam_id, ids = graded_exam({"ann": NOT_FULL}, show_score="never", show_correctness=False)
    assert refused(appeal_on, ids["ann"], "single").reason == "not_allowed"


def test_after_grading_waits_for_the_last_written_answer(ctx):
    _exam_id, ids = graded_exam({"ann": NOT_FULL}, show_score="after_grading", written=None)
    assert refused(appeal_on, ids["ann"], "single").reason == "not_allowed"  # results not released yet
    score_written(ids["ann"], {"short": 2, "analysis": 5}, reviewer="rita")
    assert appeal_on(ids["ann"], "single").state == "open"


def test_a_question_still_waiting_for_a_reviewer_cannot_be_appealed(ctx):
    _exam_id, ids = graded_exam({"ann": NOT_FULL}, show_score="immediately", written=None)
    error = refused(appeal_on, ids["ann"], "short")
    assert error.reason == "not_allowed" and "not been graded" in error.message
    assert appeal_on(ids["ann"], "fill").state == "open"  # released at once, auto-graded


def test_the_window_counts_from_the_last_score_change(ctx):
    exam_id, ids = graded_exam({"ann": NOT_FULL}, appeal_days=3)
    attempt = db.session.get(Attempt, ids["ann"])
    released = appeals.release_time(attempt)
    last = max(change.created_at for change in changes())
    assert released == max(last, attempt.submitted_at)
    assert appeals.appeal_deadline(attempt) == released + timedelta(days=3)
    late = released + timedelta(days=3, seconds=1)
    error = refused(appeal_on, ids["ann"], "short", now=late)
    assert error.reason == "not_allowed" and "ended" in error.message
    assert appeal_on(ids["ann"], "short", now=released + timedelta(days=3)).state == "open"
    states = appeals.slot_appeals(db.session.get(Attempt, ids["ann"]), now=late)
    assert not any(state.can_appeal for state in states.values())
    exam = db.session.get(Exam, exam_id)
    exam.appeal_days = 0  # no appeals at all
    db.session.commit()
    assert refused(appeal_on, ids["ann"], "single").reason == "not_allowed"


def test_the_review_page_states(ctx):
    _exam_id, ids = graded_exam({"ann": NOT_FULL}, written=None)
    score_written(ids["ann"], {"short": 2}, reviewer="rita")
    appeal = appeal_on(ids["ann"], "single")
    states = appeals.slot_appeals(db.session.get(Attempt, ids["ann"]))
    by_type = {qtype: states[position(ids["ann"], qtype)] for qtype in ("single", "short", "analysis", "fill")}
    assert by_type["single"].appeal.id == appeal.id and not by_type["single"].can_appeal
    assert by_type["short"].can_appeal and by_type["fill"].can_appeal
    assert not by_type["analysis"].can_appeal  # still waiting for a reviewer
    assert by_type["short"].deadline is not None


# --- handling ---

def test_the_grader_cannot_handle_another_reviewer_can(ctx):
    _exam_id, ids = graded_exam({"ann": NOT_FULL})
    appeal = appeal_on(ids["ann"], "short")
    error = refused(resolve_appeal, appeal.id, user("rita"), "uphold", None, "Fine.")
    assert error.reason == "forbidden" and "graded" in error.message
    stranger = user("vic")  # a reviewer, but not of this exam
    assert refused(resolve_appeal, appeal.id, stranger, "uphold", None, "Fine.").reason == "not_found"
    employee = ensure_user("eve")
    assert refused(resolve_appeal, appeal.id, employee, "uphold", None, "Fine.").reason == "not_found"
    assert resolve_appeal(appeal.id, user("sam"), "uphold", None, "The rubric was applied correctly.").state == "upheld"


def test_auto_graded_answers_any_reviewer_of_the_exam_or_an_admin(ctx):
    _exam_id, ids = graded_exam({"ann": NOT_FULL, "bob": NOT_FULL})
    first = appeal_on(ids["ann"], "single")
    assert resolve_appeal(first.id, user("rita"), "uphold", None, "443 is right.").reviewer_id == uid("rita")
    second = appeal_on(ids["bob"], "single", username="bob")
    boss = user("boss", roles=("admin",))
    assert resolve_appeal(second.id, boss, "uphold", None, "Checked.").reviewer_id == boss.id


def test_an_admin_who_graded_it_cannot_handle_it_nor_the_appellant(ctx):
    ensure_user("boss", roles=("admin",))
    exam_id, ids = graded_exam({"ann": NOT_FULL, "rex": NOT_FULL}, grader="boss")
    appeal = appeal_on(ids["ann"], "short")
    assert refused(resolve_appeal, appeal.id, user("boss", ("admin",)), "uphold", None, "x").reason == "forbidden"
    rex = ensure_user("rex")
    rex.set_roles({"employee", "reviewer"})
    exam = db.session.get(Exam, exam_id)
    exam.reviewers.append(rex)
    db.session.commit()
    own = appeal_on(ids["rex"], "single", username="rex")
    assert refused(resolve_appeal, own.id, rex, "uphold", None, "x").reason == "forbidden"
    assert resolve_appeal(appeal.id, rex, "uphold", None, "ok").state == "upheld"  # rex may handle ann's


def test_upholding_keeps_the_score_and_writes_no_score_change(ctx):
    _exam_id, ids = graded_exam({"ann": NOT_FULL})
    before, total_before, rows = scores(ids["ann"]), total(ids["ann"]), len(changes())
    appeal = appeal_on(ids["ann"], "short")
    done = resolve_appeal(appeal.id, user("sam"), "uphold", "4", "  The score stands.  ")
    assert (done.state, done.reply, done.old_score, done.new_score) == ("upheld", "The score stands.", 3.0, 3.0)
    assert done.resolved_at is not None and done.reviewer_id == uid("sam")
    assert scores(ids["ann"]) == before and total(ids["ann"]) == total_before and len(changes()) == rows
    assert refused(resolve_appeal, appeal.id, user("sam"), "change", "4", "again").reason == "handled"


def test_changing_the_score_updates_slot_total_and_audit(ctx):
    _exam_id, ids = graded_exam({"ann": NOT_FULL})
    total_before = total(ids["ann"])
    appeal = appeal_on(ids["ann"], "short")
    done = resolve_appeal(appeal.id, user("sam"), "change", "4.5", "You named both layers: +1.5.")
    assert (done.state, done.old_score, done.new_score) == ("changed", 3.0, 4.5)
    assert scores(ids["ann"])["short"] == 4.5
    assert total(ids["ann"]) == total_before + 1.5
    (row,) = changes("appeal")
    assert (row.attempt_id, row.slot_id, row.old_score, row.new_score, row.actor_id, row.reason) == (
        ids["ann"], slot(ids["ann"], "short").id, 3.0, 4.5, uid("sam"), "You named both layers: +1.5.")
    # an appeal's outcome does not reopen the window for the other questions
    attempt = db.session.get(Attempt, ids["ann"])
    assert appeals.release_time(attempt) < row.created_at


@pytest.mark.parametrize("decision, score, reply, message", [
    ("change", "-1", "r", "between 0 and 5"),
    ("change", "5.01", "r", "between 0 and 5"),
    ("change", "abc", "r", "must be a number"),
    ("change", "nan", "r", "must be a number"),
    ("change", "inf", "r", "must be a number"),
    ("change", "", "r", "must be a number"),
    ("change", "3", "r", "current score"),
    ("change", "4", "   ", "Write a reply"),
    ("uphold", None, "", "Write a reply"),
    ("uphold", None, "x" * 5001, "too long"),
    ("maybe", "4", "r", "uphold or change"),
    (None, "4", "r", "uphold or change"),
])
def test_bad_decisions_are_refused_and_change_nothing(ctx, decision, score, reply, message):
    _exam_id, ids = graded_exam({"ann": NOT_FULL})
    appeal = appeal_on(ids["ann"], "short")
    rows = len(changes())
    error = refused(resolve_appeal, appeal.id, user("sam"), decision, score, reply)
    assert error.reason == "bad_input" and message in error.message
    db.session.expire_all()
    assert db.session.get(Appeal, appeal.id).state == "open"
    assert scores(ids["ann"])["short"] == 3.0 and len(changes()) == rows


def test_the_bounds_are_inclusive(ctx):
    _exam_id, ids = graded_exam({"ann": NOT_FULL, "bob": NOT_FULL})
    first = appeal_on(ids["ann"], "short")
    assert resolve_appeal(first.id, user("sam"), "change", "５", "Full marks.").new_score == 5.0  # full-width
    second = appeal_on(ids["bob"], "short", username="bob")
    assert resolve_appeal(second.id, user("sam"), "change", "0", "Nothing relevant.").new_score == 0.0


def test_assignment_spreads_the_load_and_falls_back_to_admins(ctx):
    _exam_id, ids = graded_exam({"ann": NOT_FULL, "bob": NOT_FULL, "cid": NOT_FULL}, reviewers=("rita", "sam", "tom"))
    first = appeal_on(ids["ann"], "short")  # rita graded: sam or tom, sam first by name
    second = appeal_on(ids["bob"], "short", username="bob")
    assert (first.reviewer_id, second.reviewer_id) == (uid("sam"), uid("tom"))
    exam_id2, ids2 = graded_exam({"dan": NOT_FULL}, reviewers=("rita",))  # the only reviewer graded it
    assert appeal_on(ids2["dan"], "short", username="dan").reviewer_id is None


def test_lists_for_handlers_admins_and_employees(ctx):
    exam_id, ids = graded_exam({"ann": NOT_FULL, "bob": NOT_FULL})
    short = appeal_on(ids["ann"], "short")
    single = appeal_on(ids["bob"], "single", username="bob")
    rita_open, _ = appeals.handler_queue(user("rita"))
    assert [row.appeal.id for row in rita_open] == [single.id]  # not the short answer she graded
    sam_open, _ = appeals.handler_queue(user("sam"))
    assert {row.appeal.id for row in sam_open} == {short.id, single.id}
    assert appeals.handler_queue(user("vic")) == ([], [])
    resolve_appeal(short.id, user("sam"), "uphold", None, "ok")
    sam_open, sam_done = appeals.handler_queue(user("sam"))
    assert [r.appeal.id for r in sam_open] == [single.id] and [r.appeal.id for r in sam_done] == [short.id]
    assert {r.appeal.id for r in appeals.all_appeals()} == {short.id, single.id}
    assert [r.appeal.id for r in appeals.all_appeals(state="open")] == [single.id]
    assert appeals.count_appeals(state="upheld", exam_id=exam_id) == 1
    assert appeals.all_appeals(exam_id=exam_id + 1) == []
    mine = appeals.my_appeals(uid("ann"))
    assert [(r.appeal.id, r.examinee, r.question_title) for r in mine] == [(short.id, "ann", "Triage")]
    assert appeals.appeal_exams() == [(exam_id, "Test exam")]


# --- the audit history ---

def test_the_history_lists_every_change_newest_first(ctx):
    from flask import render_template_string

    from examengine.services.audit_history import history
    from examengine.services.results.regrade import apply_regrade, regrade_plan
    from tests.appeal_builders import CORRECTED_SINGLE, correct_bank

    exam_id, ids = graded_exam({"ann": {}})
    appeal = appeal_on(ids["ann"], "short")
    resolve_appeal(appeal.id, user("sam"), "change", "4", "Both layers named.")
    correct_bank(CORRECTED_SINGLE)
    apply_regrade(exam_id, user("boss", ("admin",)).id, regrade_plan(exam_id).fingerprint)
    entries = history(ids["ann"])
    assert [e.source for e in entries[:2]] == ["regrade", "appeal"]
    assert {e.source for e in entries} == {"auto", "reviewer", "appeal", "regrade"}
    regrade, appealed = entries[0], entries[1]
    assert (regrade.who, regrade.old, regrade.new, regrade.question_title) == ("boss", 2.0, 0.0, "HTTPS port")
    assert regrade.reason == "regraded against version 2 of HTTPS port"
    assert (appealed.who, appealed.old, appealed.new, appealed.reason) == ("sam", 3.0, 4.0, "Both layers named.")
    assert appealed.position == slot(ids["ann"], "short").position
    assert all(e.who is None for e in entries if e.source == "auto")
    assert [e.when for e in entries] == sorted((e.when for e in entries), reverse=True)
    with ctx.test_request_context(headers={"Accept-Language": "en"}):
        html = render_template_string(
            '{% with history = attempt_history(attempt_id) %}{% include "appeals/_history.html" %}{% endwith %}',
            attempt_id=ids["ann"])
    assert html.count('data-source="') == len(entries) and "Both layers named." in html
    assert "regraded against version 2 of HTTPS port" in html


def test_two_handlers_racing_resolve_the_appeal_once(app):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    with app.app_context():
        _exam_id, ids = graded_exam({"ann": NOT_FULL}, reviewers=("rita", "sam", "tom"))
        appeal_id = appeal_on(ids["ann"], "short").id
        total_before = total(ids["ann"])
    barrier = threading.Barrier(2)

    def work(args):
        name, score = args
        with app.app_context():
            barrier.wait()
            try:
                resolve_appeal(appeal_id, user(name), "change", score, f"{name} decided.")
                return "won"
            except AppealRefused as error:
                return error.reason
            finally:
                db.session.remove()

    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(work, [("sam", "4"), ("tom", "5")]))
    assert sorted(outcomes) == ["handled", "won"], outcomes
    with app.app_context():
        appeal = db.session.get(Appeal, appeal_id)
        assert len(changes("appeal")) == 1
        assert scores(ids["ann"])["short"] == appeal.new_score
        assert total(ids["ann"]) == total_before + appeal.new_score - 3.0
