"""The attempt service: start/resume, the frozen paper, saves, submit and grading, review, home cards, IDOR."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select
from werkzeug.datastructures import MultiDict

from examengine.core.papers import assemble_paper
from examengine.extensions import db
from examengine.models import Attempt, AttemptEvent, AttemptSlot, Exam, ExamOverride, Group, QuestionVersion, User
from examengine.models._time import utcnow
from examengine.services.attempts import AttemptRefused
from examengine.services.attempts import flow as svc
from examengine.services.attempts.submission import update_total
from examengine.services.banks.pool import candidate_pool, paper_spec
from tests.exam_builders import (
    CORRECT,
    KEY_MARKERS,
    STANDARD_BANK,
    STANDARD_POINTS,
    STANDARD_TYPES,
    WRONG,
    build_exam,
    close_exam,
    ensure_user,
    import_bank,
    objective_bank,
    option_orders,
    shown,
    standard_changes,
)

OBJECTIVE = [{"count": 1, "qtype": t} for t in ("single", "multiple", "truefalse", "fill")]


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def user(name="alice") -> User:
    return ensure_user(name)


def refused(reason, call, *args, **kwargs) -> AttemptRefused:
    with pytest.raises(AttemptRefused) as info:
        call(*args, **kwargs)
    assert info.value.reason == reason, info.value
    assert info.value.message and info.value.message != reason
    return info.value


# --- start / resume -----------------------------------------------------------------------------

def test_start_freezes_a_paper_with_every_type(ctx):
    exam = build_exam(users=["alice"])
    attempt = svc.start_or_resume(exam.id, user())
    assert attempt.state == "in_progress" and attempt.number == 1 and len(attempt.code) == 10
    slots = attempt.slots
    assert [s.position for s in slots] == list(range(6))
    types = sorted(db.session.get(QuestionVersion, s.question_version_id).qtype for s in slots)
    assert types == sorted(STANDARD_TYPES)
    assert attempt.max_score == sum(STANDARD_POINTS.values())
    assert attempt.deadline == attempt.started_at + timedelta(minutes=60)
    # The seed rebuilds the same paper.
    paper = assemble_paper(paper_spec(exam), candidate_pool(), attempt.seed)
    assert [(s.version_id, s.points, list(s.option_order) if s.option_order else None) for s in paper.slots] == [
        (s.question_version_id, float(s.points), s.option_order) for s in slots]


def test_start_twice_resumes_without_resetting_the_clock(ctx):
    exam = build_exam(users=["alice"])
    first = svc.start_or_resume(exam.id, user(), now=utcnow())
    again = svc.start_or_resume(exam.id, user(), now=utcnow() + timedelta(minutes=10))
    assert again.id == first.id and again.deadline == first.deadline
    assert db.session.scalar(select(db.func.count(Attempt.id))) == 1


def test_assignment_directly_or_through_a_group(ctx):
    exam = build_exam(users=["alice"], groups=["ops"])
    bob = user("bob")
    refused("not_assigned", svc.start_or_resume, exam.id, bob)
    assert not svc.is_assigned(exam, bob)
    bob.groups.append(db.session.scalar(select(Group).where(Group.name == "ops")))
    db.session.commit()
    assert svc.is_assigned(exam, bob)
    assert svc.start_or_resume(exam.id, bob).user_id == bob.id


@pytest.mark.parametrize("exam_id", [999, 0, -1, "1", None, True, 2**40])
def test_unknown_exam_is_not_assigned(ctx, exam_id):
    build_exam(users=["alice"])
    refused("not_assigned", svc.start_or_resume, exam_id, user())


def test_window_and_attempts(ctx):
    now = utcnow()
    upcoming = build_exam(users=["alice"], opens_at=now + timedelta(hours=1), closes_at=now + timedelta(hours=3))
    refused("not_open_yet", svc.start_or_resume, upcoming.id, user(), now=now)
    closed = build_exam(bank_md=None, users=["alice"], opens_at=now - timedelta(hours=3),
                        closes_at=now - timedelta(hours=1))
    refused("closed", svc.start_or_resume, closed.id, user(), now=now)
    once = build_exam(bank_md=None, users=["alice"], rules=OBJECTIVE)
    attempt = svc.start_or_resume(once.id, user(), now=now)
    svc.submit(attempt, now=now)
    refused("no_attempts_left", svc.start_or_resume, once.id, user(), now=now)
    db.session.add(ExamOverride(exam_id=once.id, user_id=user().id, extra_attempts=1))
    db.session.commit()
    second = svc.start_or_resume(once.id, user(), now=now)
    assert second.number == 2 and second.id != attempt.id
    svc.submit(second, now=now)
    refused("no_attempts_left", svc.start_or_resume, once.id, user(), now=now)


def test_cannot_assemble_when_the_pool_no_longer_fills_the_rules(ctx):
    exam = build_exam(users=["alice"], rules=[{"count": 3, "qtype": "single"}])
    error = refused("cannot_assemble", svc.start_or_resume, exam.id, user())
    assert "administrator" in error.message
    assert db.session.scalar(select(db.func.count(Attempt.id))) == 0


def test_paper_is_frozen_when_the_bank_changes(ctx):
    exam = build_exam(users=["alice"], rules=[{"count": 1, "qtype": "single"}])
    attempt = svc.start_or_resume(exam.id, user())
    version_id = attempt.slots[0].question_version_id
    import_bank(None, STANDARD_BANK.replace("Which **port** does HTTPS use", "Which port, by default, does HTTPS use"))
    db.session.expire_all()
    assert db.session.get(QuestionVersion, version_id).is_current is False
    view = svc.paper_view(attempt)
    assert attempt.slots[0].question_version_id == version_id
    assert "<strong>port</strong>" in view[0].context["stem_html"]


# --- the paper as the exam page sees it ------------------------------------------------------------

def test_paper_view_never_contains_key_material(ctx):
    exam = build_exam(users=["alice"])
    attempt = svc.start_or_resume(exam.id, user())
    svc.save_changes(attempt, standard_changes(attempt))
    views = svc.paper_view(attempt)
    assert sorted(v.qtype for v in views) == sorted(STANDARD_TYPES)
    dumped = json.dumps([v.__dict__ for v in views], default=str, ensure_ascii=False)
    for marker in KEY_MARKERS:
        assert marker not in dumped, marker
    for view in views:
        context = view.context
        assert context["show_key"] is False and not context.get("explanation_html")
        assert not {"answer", "blanks", "reference_html", "rubric"} & set(context)
        assert all("correct" not in option for option in context.get("options", []))
    assert '"correct"' not in dumped and "443" not in json.dumps([v.context for v in views if v.qtype == "fill"])


def test_paper_view_prefills_responses_and_reports_answered_and_flags(ctx):
    exam = build_exam(users=["alice"])
    attempt = svc.start_or_resume(exam.id, user())
    views = {v.qtype: v for v in svc.paper_view(attempt)}
    assert not any(v.answered or v.flagged for v in views.values())
    assert views["single"].context["field_name"] == f"q{views['single'].position}"
    order = option_orders(attempt.id)[views["single"].position]
    svc.save_changes(attempt, [
        {"slot": views["single"].position, "seq": 1, "response": shown(1, order), "flagged": True},
        {"slot": views["fill"].position, "seq": 1, "response": ["https", ""]},
        {"slot": views["short"].position, "seq": 1, "response": "My text"},
    ])
    views = {v.qtype: v for v in svc.paper_view(attempt)}
    assert views["single"].answered and views["single"].flagged and views["single"].seq == 1
    # Resume: the stored authored index 1 (443) is checked at its displayed position.
    options = views["single"].context["options"]
    assert [o["value"] for o in options if o["checked"]] == [shown(1, order)]
    assert "443" in next(o["html"] for o in options if o["checked"])
    assert 'value="https"' in views["fill"].context["stem_html"]
    assert views["short"].context["text"] == "My text" and views["short"].answered
    assert not views["analysis"].answered and views["analysis"].section_title == "Part 1"


# --- saves -------------------------------------------------------------------------------------

def test_newest_seq_wins(ctx):
    exam = build_exam(users=["alice"], rules=[{"count": 1, "qtype": "short"}])
    attempt = svc.start_or_resume(exam.id, user())
    assert svc.save_changes(attempt, [{"slot": 0, "seq": 5, "response": "five"}]).saved == [0]
    result = svc.save_changes(attempt, [{"slot": 0, "seq": 4, "response": "four"}])
    assert result.saved == [] and result.stale == [0]
    assert svc.save_changes(attempt, [{"slot": 0, "seq": 5, "response": "five again"}]).stale == [0]
    db.session.expire_all()
    slot = db.session.scalar(select(AttemptSlot).where(AttemptSlot.attempt_id == attempt.id))
    assert (slot.response, slot.response_seq) == ("five", 5) and slot.saved_at is not None
    assert svc.save_changes(attempt, [{"slot": 0, "seq": 6, "response": None}]).saved == [0]
    db.session.expire_all()
    assert db.session.get(AttemptSlot, slot.id).response is None


def test_save_result_counts_down_and_repeated_slots_keep_the_highest_seq(ctx):
    exam = build_exam(users=["alice"], rules=[{"count": 1, "qtype": "short"}])
    attempt = svc.start_or_resume(exam.id, user(), now=utcnow())
    result = svc.save_changes(attempt, [{"slot": 0, "seq": 2, "response": "b"},
                                        {"slot": 0, "seq": 1, "response": "a"}],
                              now=attempt.started_at + timedelta(minutes=10))
    assert result.saved == [0] and result.seconds_left == 50 * 60
    db.session.expire_all()
    assert db.session.scalar(select(AttemptSlot.response)) == "b"
    assert svc.save_changes(attempt, []).saved == []  # a heartbeat


def test_flag_only_change(ctx):
    exam = build_exam(users=["alice"], rules=[{"count": 1, "qtype": "single"}])
    attempt = svc.start_or_resume(exam.id, user())
    svc.save_changes(attempt, [{"slot": 0, "seq": 1, "response": shown(2, option_orders(attempt.id)[0])}])
    svc.save_changes(attempt, [{"slot": 0, "seq": 2, "flagged": True}])
    db.session.expire_all()
    slot = db.session.scalar(select(AttemptSlot))
    assert (slot.response, slot.flagged, slot.response_seq) == (2, True, 2)


@pytest.mark.parametrize("changes", [
    "nope", {"slot": 0}, [1], [{"seq": 1, "response": 1}], [{"slot": 0, "response": 1}],
    [{"slot": 0, "seq": 0, "response": 1}], [{"slot": 0, "seq": 2**31, "response": 1}],
    [{"slot": 0, "seq": "1", "response": 1}], [{"slot": True, "seq": 1, "response": 1}],
    [{"slot": 99, "seq": 1, "response": 1}], [{"slot": -1, "seq": 1, "response": 1}],
    [{"slot": 0, "seq": 1}], [{"slot": 0, "seq": 1, "flagged": "yes"}],
    [{"slot": 0, "seq": 1, "response": 9}], [{"slot": 0, "seq": 1, "response": [0]}],
    [{"slot": 0, "seq": n, "response": 1} for n in range(1, 502)],
])
def test_malformed_saves_are_bad_requests_and_change_nothing(ctx, changes):
    exam = build_exam(users=["alice"], rules=[{"count": 1, "qtype": "single"}])
    attempt = svc.start_or_resume(exam.id, user())
    refused("bad_request", svc.save_changes, attempt, changes)
    db.session.expire_all()
    assert db.session.scalar(select(AttemptSlot.response_seq)) == 0


def test_overlong_answer_is_refused_with_a_clear_message(ctx):
    exam = build_exam(users=["alice"], rules=[{"count": 1, "qtype": "short"}])
    attempt = svc.start_or_resume(exam.id, user())
    error = refused("bad_request", svc.save_changes, attempt, [{"slot": 0, "seq": 1, "response": "x" * 20_001}])
    assert "question 1" in error.message and "too long" in error.message


def test_save_loads_only_the_slots_it_saves(ctx):
    """A save is a few small statements whatever the paper's size: the benchmark saves at 2,000 users."""
    import_bank(None, objective_bank(60))
    exam = build_exam(bank_md=None, users=["alice"], rules=[{"count": 50, "bank_keys": ["obj"]}])
    attempt = svc.start_or_resume(exam.id, user())
    attempt = svc.own_attempt(attempt.id, user())
    _ = attempt.deadline
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        svc.save_changes(attempt, [{"slot": 3, "seq": 1, "response": 1}, {"slot": 7, "seq": 1, "response": 0}])
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) <= 5, statements  # slot types, guard, 2 conditional updates (+ nothing else)


def test_changes_from_form_reads_the_no_js_form(ctx):
    exam = build_exam(users=["alice"])
    attempt = svc.start_or_resume(exam.id, user())
    views = {v.qtype: v.position for v in svc.paper_view(attempt)}
    orders = option_orders(attempt.id)
    single, multiple = shown(1, orders[views["single"]]), shown([0, 1], orders[views["multiple"]])
    form = MultiDict([
        (f"q{views['single']}", str(single)), *[(f"q{views['multiple']}", str(p)) for p in multiple],
        (f"q{views['truefalse']}", "true"), (f"q{views['fill']}.0", "ＨＴＴＰＳ"), (f"q{views['fill']}.1", "3.14"),
        (f"q{views['short']}", "Short\r\nanswer"), (f"q{views['analysis']}", ""), (f"flag-{views['analysis']}", "1"),
    ])
    changes = svc.changes_from_form(attempt, form)
    by_slot = {c["slot"]: c for c in changes}
    assert len(changes) == 6 and all(c["seq"] == 1 for c in changes)
    # The changes are what the page's JSON save would send (displayed positions); saving maps them once.
    assert by_slot[views["multiple"]]["response"] == [str(p) for p in multiple]
    assert by_slot[views["analysis"]] == {"slot": views["analysis"], "seq": 1, "response": "", "flagged": True}
    svc.save_changes(attempt, changes)
    db.session.expire_all()
    stored = {s.position: s.response for s in db.session.get(Attempt, attempt.id).slots}
    assert stored[views["single"]] == 1 and stored[views["multiple"]] == [0, 1]  # authored indexes
    assert stored[views["analysis"]] is None
    assert svc.changes_from_form(attempt, form) == []  # nothing changed since
    form.setlist(f"q{views['single']}", [str(shown(0, orders[views["single"]]))])
    assert [c["slot"] for c in svc.changes_from_form(attempt, form)] == [views["single"]]
    form.setlist(f"q{views['single']}", ["4"])  # the question has 4 options: positions 0..3
    refused("bad_request", svc.changes_from_form, attempt, form)


# --- submit and grading ----------------------------------------------------------------------------

def test_submit_grades_objective_and_leaves_written_open(ctx):
    exam = build_exam(users=["alice"])
    attempt = svc.start_or_resume(exam.id, user())
    svc.save_changes(attempt, standard_changes(attempt))
    svc.submit(attempt)
    assert attempt.state == "submitted" and attempt.submitted_by == "examinee" and attempt.score is None
    assert attempt.max_score == 24
    slots = {db.session.get(QuestionVersion, s.question_version_id).qtype: s for s in attempt.slots}
    for qtype in CORRECT:
        assert slots[qtype].auto_score == slots[qtype].score == STANDARD_POINTS[qtype]
        assert not slots[qtype].needs_grading
    for qtype in ("short", "analysis"):
        assert slots[qtype].needs_grading and slots[qtype].score is None and slots[qtype].auto_score is None
        assert slots[qtype].response == "My written answer."
    # A reviewer grades the written answers (next issue); the total then closes.
    slots["short"].score, slots["short"].needs_grading = 3, False
    slots["analysis"].score, slots["analysis"].needs_grading = 7.5, False
    update_total(attempt.id)
    db.session.commit()
    db.session.refresh(attempt)
    assert attempt.state == "graded" and attempt.score == 9 + 10.5


@pytest.mark.parametrize("scoring, multiple_response, expected", [
    ("all-or-nothing", [0, 1], 9), ("all-or-nothing", [0], 5), ("partial", [0], 7), ("partial", [0, 2], 5),
])
def test_objective_only_attempt_is_graded_at_once(ctx, scoring, multiple_response, expected):
    exam = build_exam(users=["alice"], rules=OBJECTIVE, multiple_scoring=scoring)
    attempt = svc.start_or_resume(exam.id, user())
    svc.save_changes(attempt, standard_changes(attempt, {**CORRECT, "multiple": multiple_response}))
    svc.submit(attempt)
    assert attempt.state == "graded" and attempt.score == expected and attempt.max_score == 9


def test_wrong_and_unanswered_score_zero_and_fill_takes_full_width(ctx):
    exam = build_exam(users=["alice"], rules=OBJECTIVE)
    attempt = svc.start_or_resume(exam.id, user())
    truefalse = next(v.position for v in svc.paper_view(attempt) if v.qtype == "truefalse")
    changes = standard_changes(attempt, {**WRONG, "fill": ["ＨＴＴＰＳ", "3.2"]})
    svc.save_changes(attempt, [c for c in changes if c["slot"] != truefalse])  # true/false left unanswered
    svc.submit(attempt)
    assert attempt.score == 1  # half of the fill question; the rest wrong or unanswered


def test_submit_is_idempotent(ctx):
    exam = build_exam(users=["alice"], rules=OBJECTIVE)
    attempt = svc.start_or_resume(exam.id, user())
    first = utcnow()
    svc.submit(attempt, now=first)
    svc.submit(attempt, now=first + timedelta(minutes=5), by="admin")
    assert attempt.submitted_at == first and attempt.submitted_by == "examinee"
    refused("finalized", svc.save_changes, attempt, [{"slot": 0, "seq": 1, "response": None}])


# --- review ----------------------------------------------------------------------------------------

def _finished(**exam_fields):
    exam = build_exam(users=["alice"], **exam_fields)
    attempt = svc.start_or_resume(exam.id, user())
    svc.save_changes(attempt, standard_changes(attempt))
    svc.submit(attempt)
    return exam, attempt


def test_review_refused_while_in_progress(ctx):
    exam = build_exam(users=["alice"])
    attempt = svc.start_or_resume(exam.id, user())
    refused("bad_request", svc.review_view, attempt)


def test_review_hides_everything_by_default(ctx):
    _exam, attempt = _finished(show_score="never")
    review = svc.review_view(attempt)
    assert not review.score_visible and review.score is None and review.percent is None
    assert not review.show_marks and not review.show_answers
    dumped = json.dumps([s.__dict__ for s in review.slots], default=str)
    for marker in KEY_MARKERS:
        assert marker not in dumped
    assert all(s.score is None and s.correct is None and s.context["readonly"] for s in review.slots)


def test_review_score_policies(ctx):
    _exam, attempt = _finished(show_score="immediately")
    review = svc.review_view(attempt)
    assert review.score_visible and review.score is None and review.max_score == 24  # written still open
    _exam, attempt = _finished(show_score="after_grading", rules=OBJECTIVE)
    review = svc.review_view(attempt)
    assert review.score_visible and review.score == 9 and review.percent == 100 and review.passed is True


def test_review_after_grading_waits_for_the_reviewer(ctx):
    _exam, attempt = _finished(show_score="after_grading")
    assert not svc.review_view(attempt).score_visible


def test_review_with_correctness_and_answers(ctx):
    exam, attempt = _finished(show_score="immediately", show_correctness=True, show_answers=True)
    close_exam(exam.id)
    review = svc.review_view(attempt)
    assert review.show_answers and review.answers_after is None
    slots = {s.qtype: s for s in review.slots}
    assert slots["single"].correct is True and slots["single"].score == 2
    assert slots["short"].correct is None and slots["short"].needs_grading
    assert "SINGLE-EXPLANATION-SECRET" in slots["single"].explanation_html
    assert "SINGLE-EXPLANATION-SECRET" in slots["single"].context["explanation_html"]
    assert "SHORT-REFERENCE-SECRET" in slots["short"].context["reference_html"]
    assert any(o.get("correct") for o in slots["multiple"].context["options"])


def _sit_again(exam, **kwargs):
    attempt = svc.start_or_resume(exam.id, user(), **kwargs)
    svc.save_changes(attempt, standard_changes(attempt))
    svc.submit(attempt)
    return attempt


def _assert_key_hidden(review):
    assert not review.show_answers
    dumped = json.dumps([s.__dict__ for s in review.slots], default=str, ensure_ascii=False)
    for marker in KEY_MARKERS:
        assert marker not in dumped, marker
    for slot in review.slots:
        assert not slot.context["show_key"] and not slot.explanation_html
        assert not {"answer", "blanks", "reference_html", "rubric", "explanation_html"} & {
            k for k, v in slot.context.items() if v}
        assert all("correct" not in option for option in slot.context.get("options", []))


def test_review_withholds_answers_while_attempts_are_left_or_the_exam_is_open(ctx):
    """Attempt 1's key would answer attempt 2, and an open exam's key could be passed to a colleague."""
    exam, first = _finished(show_score="immediately", show_correctness=True, show_answers=True,
                            attempts_allowed=2)
    review = svc.review_view(first)
    _assert_key_hidden(review)
    assert review.answers_after == exam.closes_at
    # The marks still show; the right/wrong badges reveal the key, so they wait with it.
    assert review.score_visible and {s.qtype: s.score for s in review.slots}["single"] == 2
    assert all(s.correct is None for s in review.slots)
    close_exam(exam.id)
    _assert_key_hidden(svc.review_view(first))  # closed, but attempt 2 is still owed: a reopening would allow it
    exam.closes_at = utcnow() + timedelta(days=1)
    db.session.commit()
    second = _sit_again(exam)
    _assert_key_hidden(svc.review_view(second))  # no attempts left, but the exam is still open
    close_exam(exam.id)
    for attempt in (first, second):
        review = svc.review_view(attempt)
        assert review.show_answers and review.answers_after is None
        assert "SINGLE-EXPLANATION-SECRET" in {s.qtype: s for s in review.slots}["single"].explanation_html


def test_review_answers_count_overrides_of_attempts_and_of_the_close(ctx):
    exam, first = _finished(show_answers=True)
    close_exam(exam.id)
    assert svc.review_view(first).show_answers
    # An extra attempt granted to alice hides the key again, the window being closed or not.
    override = ExamOverride(exam_id=exam.id, user_id=user().id, extra_attempts=1)
    db.session.add(override)
    db.session.commit()
    _assert_key_hidden(svc.review_view(first))
    override.closes_at = utcnow() + timedelta(hours=2)  # her own later close, so she can use it
    db.session.commit()
    second = _sit_again(exam)
    _assert_key_hidden(svc.review_view(second))  # no attempt left, but her window is open
    # The later close now belongs to bob: the exam is open for him, and alice's key would help him.
    override.closes_at = None
    db.session.add(ExamOverride(exam_id=exam.id, user_id=user("bob").id, closes_at=utcnow() + timedelta(hours=2)))
    db.session.commit()
    review = svc.review_view(second)
    _assert_key_hidden(review)
    assert review.answers_after == db.session.get(ExamOverride, (exam.id, user("bob").id)).closes_at
    later = utcnow() + timedelta(hours=3)
    assert svc.review_view(second, now=later).show_answers
    assert not svc.review_view(second, now=later - timedelta(hours=1)).show_answers


def test_review_correctness_without_answers(ctx):
    _exam, attempt = _finished(show_correctness=True, show_answers=False)
    review = svc.review_view(attempt)
    fill = {s.qtype: s for s in review.slots}["fill"]
    assert fill.score == fill.points and fill.correct is None  # the mark, without the key's badge
    dumped = json.dumps([s.__dict__ for s in review.slots], default=str)
    for marker in KEY_MARKERS:
        assert marker not in dumped


# --- the home page cards ---------------------------------------------------------------------------

def test_exam_cards_statuses(ctx):
    now = utcnow()
    alice = user()
    upcoming = build_exam(title="Upcoming", users=["alice"], opens_at=now + timedelta(days=1),
                          closes_at=now + timedelta(days=2))
    closed = build_exam(bank_md=None, title="Closed", users=["alice"], opens_at=now - timedelta(days=2),
                        closes_at=now - timedelta(days=1))
    running = build_exam(bank_md=None, title="Running", users=["alice"], rules=OBJECTIVE)
    graded = build_exam(bank_md=None, title="Graded", users=["alice"], rules=OBJECTIVE, show_score="immediately")
    pending = build_exam(bank_md=None, title="Pending", users=["alice"], show_score="after_grading")
    build_exam(bank_md=None, title="Open", users=["alice"], rules=OBJECTIVE)
    build_exam(bank_md=None, title="Someone else's", users=["bob"])
    attempt = svc.start_or_resume(running.id, alice, now=now)
    done = svc.start_or_resume(graded.id, alice, now=now)
    svc.save_changes(done, standard_changes(done), now=now)
    svc.submit(done, now=now)
    waiting = svc.start_or_resume(pending.id, alice, now=now)
    svc.submit(waiting, now=now)
    cards = {c.exam.title: c for c in svc.exam_cards(alice, now=now + timedelta(minutes=1))}
    assert set(cards) == {"Upcoming", "Closed", "Running", "Graded", "Pending", "Open"}
    assert cards["Upcoming"].status == "upcoming" and cards["Closed"].status == "closed"
    assert cards["Open"].status == "open" and cards["Open"].attempt is None and cards["Open"].attempts_allowed == 1
    run = cards["Running"]
    assert run.status == "in_progress" and run.attempt.id == attempt.id and run.seconds_left == 59 * 60
    g = cards["Graded"]
    assert (g.status, g.score_visible, g.score, g.max_score, g.percent, g.passed) == ("graded", True, 9, 9, 100, True)
    assert g.review_attempt.id == done.id and g.attempts_used == 1
    p = cards["Pending"]
    assert (p.status, p.score_visible, p.score) == ("submitted", False, None)
    assert upcoming.id == cards["Upcoming"].exam.id and closed.id == cards["Closed"].exam.id


def test_exam_card_uses_the_override_close(ctx):
    now = utcnow()
    exam = build_exam(users=["alice"], opens_at=now - timedelta(days=2), closes_at=now - timedelta(days=1),
                      overrides={"alice": {"closes_at": now + timedelta(hours=2)}})
    card = svc.exam_cards(user(), now=now)[0]
    assert card.status == "open" and card.closes_at == now + timedelta(hours=2)
    assert svc.start_or_resume(exam.id, user(), now=now).deadline == now + timedelta(minutes=60)


# --- IDOR and events ---------------------------------------------------------------------------------

def test_own_attempt_only(ctx):
    exam = build_exam(users=["alice", "bob"])
    mine = svc.start_or_resume(exam.id, user("alice"))
    theirs = svc.start_or_resume(exam.id, user("bob"))
    assert svc.own_attempt(mine.id, user("alice")).id == mine.id
    assert svc.own_attempt(theirs.id, user("alice")) is None
    for bad in (None, "1", 0, -5, 10**20, 999, True):
        assert svc.own_attempt(bad, user("alice")) is None


def test_record_events(ctx):
    exam = build_exam(users=["alice"], rules=OBJECTIVE)
    attempt = svc.start_or_resume(exam.id, user())
    stored = svc.record_events(attempt, [
        {"kind": "blur", "at": "2026-03-01T10:00:00+08:00"}, {"kind": "focus", "at": "2026-03-01T02:00:05Z"},
        {"kind": "hidden", "at": "garbage"}, {"kind": "visible"},
    ])
    assert stored.recorded == 4
    rows = db.session.scalars(select(AttemptEvent).order_by(AttemptEvent.id)).all()
    assert [r.kind for r in rows] == ["blur", "focus", "hidden", "visible"]
    assert rows[0].client_time.isoformat() == "2026-03-01T02:00:00" and rows[2].client_time is None
    # All or nothing: an unknown kind, a non-object or too many events refuse the whole request.
    for bad in ([{"kind": "blur"}, {"kind": "explode"}], [{"kind": "blur"}, "x"], [{"kind": "blur"}] * 51,
                {"kind": "blur"}, [{"kind": "blur", "page": "no spaces"}], [{"kind": "blur", "at": "x" * 41}]):
        refused("bad_request", svc.record_events, attempt, bad)
    assert db.session.scalar(select(func.count(AttemptEvent.id))) == 4
    svc.submit(attempt)
    assert svc.record_events(attempt, [{"kind": "blur"}]).recorded == 0


def test_recompute_deadlines_after_an_override(ctx):
    exam = build_exam(users=["alice"])
    attempt = svc.start_or_resume(exam.id, user())
    db.session.add(ExamOverride(exam_id=exam.id, user_id=user().id, extra_minutes=15))
    db.session.flush()
    assert svc.recompute_deadlines(exam.id) == 1
    db.session.commit()
    db.session.refresh(attempt)
    assert attempt.deadline == attempt.started_at + timedelta(minutes=75)
    assert db.session.get(Exam, exam.id) is not None


def test_an_override_saved_by_the_admin_reaches_the_attempt_in_progress(ctx):
    from examengine.services.exams.overrides import delete_override, set_override

    exam = build_exam(users=["alice"])
    attempt = svc.start_or_resume(exam.id, user())
    set_override(exam, user().id, extra_minutes=20)
    db.session.refresh(attempt)
    assert attempt.deadline == attempt.started_at + timedelta(minutes=80)
    delete_override(exam, user().id)
    db.session.refresh(attempt)
    assert attempt.deadline == attempt.started_at + timedelta(minutes=60)


def test_automatic_grading_is_recorded_in_the_audit_log(ctx):
    from examengine.models import ScoreChange

    exam = build_exam(users=["alice"])
    attempt = svc.start_or_resume(exam.id, user())
    svc.save_changes(attempt, standard_changes(attempt, CORRECT))
    svc.submit(attempt)
    rows = db.session.scalars(select(ScoreChange).where(ScoreChange.attempt_id == attempt.id)).all()
    graded = [slot for slot in attempt.slots if slot.score is not None]
    assert graded and len(rows) == len(graded)
    assert {row.source for row in rows} == {"auto"}
    by_slot = {row.slot_id: row for row in rows}
    for slot in graded:
        assert by_slot[slot.id].old_score is None and by_slot[slot.id].new_score == slot.score


def test_papers_follow_a_bank_reimport_despite_the_plan_cache(ctx):
    """Starts reuse a cached plan; an import that changes the pool must invalidate it."""
    from examengine.services.banks.pool import cached_plan, paper_spec

    exam = build_exam(users=["alice", "bob"])
    first = cached_plan(paper_spec(exam))
    assert cached_plan(paper_spec(exam)) is first  # same pool: the same plan object
    import_bank(None, STANDARD_BANK.replace("Which **port** does HTTPS use", "Which TCP port does HTTPS use"))
    second = cached_plan(paper_spec(exam))
    assert second is not first
    attempt = svc.start_or_resume(exam.id, user("bob"))
    current = {v.id for v in db.session.scalars(select(QuestionVersion).where(QuestionVersion.is_current))}
    assert {slot.question_version_id for slot in attempt.slots} <= current
