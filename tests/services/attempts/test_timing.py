"""The server's clock rules, with a frozen and moved clock (time_machine): deadline, grace, overdue."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from examengine.extensions import db
from examengine.models import Attempt, AttemptSlot, ExamOverride
from examengine.services.attempts import AttemptRefused, OverdueRun
from examengine.services.attempts import flow as svc
from tests.exam_builders import CORRECT, build_exam, ensure_user, option_orders, shown, standard_changes

T0 = datetime(2026, 3, 2, 1, 0, 0)  # naive UTC: 09:00 in Shanghai
OBJECTIVE = [{"count": 1, "qtype": t} for t in ("single", "multiple", "truefalse", "fill")]


@pytest.fixture
def clock(app):
    """A frozen clock at T0 inside an app context; `clock.move_to(naive_utc)` moves it."""
    with app.app_context(), time_machine.travel(T0.replace(tzinfo=UTC), tick=False) as traveller:
        yield traveller


def at(moment: datetime):
    return moment.replace(tzinfo=UTC)


def alice():
    return ensure_user("alice")


def reason(call, *args, **kwargs) -> str:
    with pytest.raises(AttemptRefused) as info:
        call(*args, **kwargs)
    return info.value.reason


def test_deadline_is_start_plus_limit(clock):
    exam = build_exam(users=["alice"], time_limit_minutes=30)
    attempt = svc.start_or_resume(exam.id, alice())
    assert attempt.started_at == T0 and attempt.deadline == T0 + timedelta(minutes=30)
    assert svc.seconds_left(attempt) == 1800


def test_restart_does_not_reset_the_clock(clock):
    exam = build_exam(users=["alice"], time_limit_minutes=30)
    first = svc.start_or_resume(exam.id, alice())
    clock.move_to(at(T0 + timedelta(minutes=20)))
    again = svc.start_or_resume(exam.id, alice())
    assert again.id == first.id and again.deadline == T0 + timedelta(minutes=30)
    assert svc.seconds_left(again) == 600
    assert svc.save_changes(again, []).seconds_left == 600


def test_close_time_cuts_the_time_limit_short(clock):
    exam = build_exam(users=["alice"], time_limit_minutes=60, opens_at=T0 - timedelta(hours=1),
                      closes_at=T0 + timedelta(minutes=20))
    attempt = svc.start_or_resume(exam.id, alice())
    assert attempt.deadline == T0 + timedelta(minutes=20)
    assert svc.exam_cards(alice())[0].seconds_left == 1200


def test_save_accepted_within_grace_and_rejected_after(clock, app):
    grace = app.config["EXAMENGINE_GRACE_SECONDS"]
    assert grace == 60
    exam = build_exam(users=["alice"], time_limit_minutes=30, rules=OBJECTIVE)
    attempt = svc.start_or_resume(exam.id, alice())
    views = svc.paper_view(attempt)
    single = next(v.position for v in views if v.qtype == "single")
    deadline = attempt.deadline
    clock.move_to(at(deadline + timedelta(seconds=grace)))
    right = shown(CORRECT["single"], option_orders(attempt.id)[single])
    result = svc.save_changes(attempt, [{"slot": single, "seq": 1, "response": right}])
    assert result.saved == [single] and result.seconds_left == 0
    clock.move_to(at(deadline + timedelta(seconds=grace, milliseconds=1)))
    with pytest.raises(AttemptRefused) as info:
        svc.save_changes(attempt, [{"slot": single, "seq": 2, "response": (right + 1) % 4}])
    assert info.value.reason == "too_late" and "Time is up" in info.value.message
    # The late save was not stored; the attempt is finalized as it stood, and graded.
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt.id)
    assert attempt.state == "graded" and attempt.submitted_by == "timeout" and attempt.score == 2
    assert db.session.scalar(select(AttemptSlot.response).where(AttemptSlot.position == single)) == 1
    # Later requests keep saying "too late" rather than a confusing "finalized".
    assert reason(svc.save_changes, attempt, [{"slot": single, "seq": 3, "response": 0}]) == "too_late"


def test_overdue_attempt_is_finalized_on_access(clock):
    exam = build_exam(users=["alice"], time_limit_minutes=30, rules=OBJECTIVE)
    attempt = svc.start_or_resume(exam.id, alice())
    svc.save_changes(attempt, standard_changes(attempt))
    clock.move_to(at(T0 + timedelta(minutes=30, seconds=59)))
    assert svc.own_attempt(attempt.id, alice()).state == "in_progress"  # within grace
    clock.move_to(at(T0 + timedelta(minutes=31, seconds=1)))
    found = svc.own_attempt(attempt.id, alice())
    assert found.state == "graded" and found.submitted_by == "timeout" and found.score == 9
    assert found.submitted_at == T0 + timedelta(minutes=31, seconds=1)


def test_overdue_attempt_is_finalized_by_the_home_page(clock):
    exam = build_exam(users=["alice"], time_limit_minutes=30, rules=OBJECTIVE, show_score="immediately")
    svc.start_or_resume(exam.id, alice())
    clock.move_to(at(T0 + timedelta(hours=2)))
    card = svc.exam_cards(alice())[0]
    assert card.status == "graded" and card.attempt.submitted_by == "timeout" and card.score == 0


def test_start_after_the_deadline_finalizes_and_does_not_start_a_new_attempt(clock):
    exam = build_exam(users=["alice"], time_limit_minutes=30, attempts_allowed=2)
    first = svc.start_or_resume(exam.id, alice())
    clock.move_to(at(T0 + timedelta(hours=1)))
    assert reason(svc.start_or_resume, exam.id, alice()) == "finalized"
    assert db.session.get(Attempt, first.id).state == "submitted"
    second = svc.start_or_resume(exam.id, alice())  # asked again: the second attempt
    assert second.number == 2 and second.deadline == T0 + timedelta(hours=1, minutes=30)


def test_submit_after_grace_counts_as_timeout(clock):
    exam = build_exam(users=["alice"], time_limit_minutes=30, rules=OBJECTIVE)
    attempt = svc.start_or_resume(exam.id, alice())
    clock.move_to(at(T0 + timedelta(minutes=45)))
    svc.submit(attempt)
    assert attempt.state == "graded" and attempt.submitted_by == "timeout"


def test_close_overdue(clock):
    exam = build_exam(users=["alice", "bob", "carol"], time_limit_minutes=30, rules=OBJECTIVE)
    a = svc.start_or_resume(exam.id, ensure_user("alice"))
    clock.move_to(at(T0 + timedelta(minutes=10)))
    b = svc.start_or_resume(exam.id, ensure_user("bob"))
    c = svc.start_or_resume(exam.id, ensure_user("carol"))
    svc.submit(c)
    clock.move_to(at(T0 + timedelta(minutes=31, seconds=1)))
    assert svc.close_overdue().finalized == 1  # a only: b still has time, c was submitted
    clock.move_to(at(T0 + timedelta(minutes=41, seconds=1)))
    assert svc.close_overdue().finalized == 1
    assert svc.close_overdue() == OverdueRun(finalized=0, graded=0, failed=[])
    db.session.expire_all()
    states = {x.id: (x.state, x.submitted_by) for x in db.session.scalars(select(Attempt))}
    assert states == {a.id: ("graded", "timeout"), b.id: ("graded", "timeout"), c.id: ("graded", "examinee")}


def test_override_extra_time(clock):
    exam = build_exam(users=["alice", "bob"], time_limit_minutes=30,
                      overrides={"alice": {"extra_minutes": 15}})
    assert svc.start_or_resume(exam.id, alice()).deadline == T0 + timedelta(minutes=45)
    assert svc.start_or_resume(exam.id, ensure_user("bob")).deadline == T0 + timedelta(minutes=30)


def test_override_extra_time_is_still_cut_by_the_close(clock):
    exam = build_exam(users=["alice"], time_limit_minutes=30, closes_at=T0 + timedelta(minutes=40),
                      overrides={"alice": {"extra_minutes": 15}})
    assert svc.start_or_resume(exam.id, alice()).deadline == T0 + timedelta(minutes=40)


def test_override_later_close(clock):
    exam = build_exam(users=["alice", "bob"], time_limit_minutes=30, opens_at=T0 - timedelta(days=1),
                      closes_at=T0 + timedelta(minutes=10),
                      overrides={"alice": {"closes_at": T0 + timedelta(hours=5)}})
    clock.move_to(at(T0 + timedelta(hours=1)))
    assert reason(svc.start_or_resume, exam.id, ensure_user("bob")) == "closed"
    attempt = svc.start_or_resume(exam.id, alice())
    assert attempt.deadline == T0 + timedelta(hours=1, minutes=30)
    clock.move_to(at(T0 + timedelta(hours=5)))
    assert reason(svc.start_or_resume, exam.id, alice()) == "finalized"  # overdue: finalized
    assert reason(svc.start_or_resume, exam.id, alice()) == "closed"


def test_override_extra_attempt(clock):
    exam = build_exam(users=["alice"], time_limit_minutes=30, rules=OBJECTIVE)
    svc.submit(svc.start_or_resume(exam.id, alice()))
    assert reason(svc.start_or_resume, exam.id, alice()) == "no_attempts_left"
    db.session.add(ExamOverride(exam_id=exam.id, user_id=alice().id, extra_attempts=1))
    db.session.commit()
    assert svc.exam_cards(alice())[0].status == "open"
    assert svc.start_or_resume(exam.id, alice()).number == 2


def test_not_open_until_the_opening_time(clock):
    exam = build_exam(users=["alice"], opens_at=T0 + timedelta(minutes=5), closes_at=T0 + timedelta(hours=2))
    assert reason(svc.start_or_resume, exam.id, alice()) == "not_open_yet"
    assert svc.exam_cards(alice())[0].status == "upcoming"
    clock.move_to(at(T0 + timedelta(minutes=5)))
    assert svc.start_or_resume(exam.id, alice()).deadline == T0 + timedelta(minutes=65)


def test_grace_is_configurable(app_factory):
    app = app_factory(EXAMENGINE_GRACE_SECONDS=0)
    with app.app_context(), time_machine.travel(at(T0), tick=False) as clock:
        exam = build_exam(users=["alice"], time_limit_minutes=30, rules=OBJECTIVE)
        attempt = svc.start_or_resume(exam.id, alice())
        clock.move_to(at(T0 + timedelta(minutes=30, milliseconds=1)))
        assert reason(svc.save_changes, attempt, []) == "too_late"


# --- the clock starts when the paper is first served ---

def test_the_clock_starts_when_the_paper_is_first_served(clock):
    exam = build_exam(users=["alice"], time_limit_minutes=30)
    attempt = svc.start_or_resume(exam.id, alice())
    assert attempt.paper_served_at is None
    clock.move_to(at(T0 + timedelta(seconds=40)))  # the page waited behind a busy server
    svc.serve_paper(attempt)
    assert attempt.paper_served_at == T0 + timedelta(seconds=40)
    assert attempt.started_at == T0 + timedelta(seconds=40)
    assert attempt.deadline == T0 + timedelta(minutes=30, seconds=40)
    assert svc.seconds_left(attempt) == 1800


def test_serving_the_paper_again_does_not_move_the_clock(clock):
    exam = build_exam(users=["alice"], time_limit_minutes=30)
    attempt = svc.start_or_resume(exam.id, alice())
    svc.serve_paper(attempt)
    clock.move_to(at(T0 + timedelta(minutes=10)))
    svc.serve_paper(attempt)  # a reload, a second tab
    db.session.expire_all()
    stored = db.session.get(Attempt, attempt.id)
    assert stored.paper_served_at == T0 and stored.deadline == T0 + timedelta(minutes=30)
    assert svc.seconds_left(stored) == 1200


def test_a_late_served_paper_still_ends_at_the_window_close(clock):
    exam = build_exam(users=["alice"], time_limit_minutes=60, opens_at=T0 - timedelta(hours=1),
                      closes_at=T0 + timedelta(minutes=20))
    attempt = svc.start_or_resume(exam.id, alice())
    clock.move_to(at(T0 + timedelta(minutes=5)))
    svc.serve_paper(attempt)
    assert attempt.deadline == T0 + timedelta(minutes=20)


def test_extra_minutes_count_from_the_served_paper(clock):
    exam = build_exam(users=["alice"], time_limit_minutes=30)
    db.session.add(ExamOverride(exam_id=exam.id, user_id=alice().id, extra_minutes=15))
    db.session.commit()
    attempt = svc.start_or_resume(exam.id, alice())
    clock.move_to(at(T0 + timedelta(minutes=2)))
    svc.serve_paper(attempt)
    assert attempt.deadline == T0 + timedelta(minutes=47)
