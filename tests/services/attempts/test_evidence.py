"""The leave-page evidence service: events timed on arrival, reloads, two tabs, the leave limit."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from examengine.extensions import db
from examengine.models import Attempt, AttemptEvent
from examengine.models._time import utcnow
from examengine.services.attempts import AttemptRefused, evidence, summary_of
from examengine.services.attempts import flow as svc
from examengine.services.attempts.evidence import RATE_LIMIT_EVENTS
from tests.exam_builders import build_exam, ensure_user, import_bank, objective_bank
from tests.services.attempts.test_concurrency import run_together

RULES = [{"count": 1, "qtype": "single"}]


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def started(**exam_fields):
    exam = build_exam(users=["alice"], rules=RULES, **exam_fields)
    return svc.start_or_resume(exam.id, ensure_user("alice"))


def at(start, seconds):
    return start + timedelta(seconds=seconds)


def test_a_leave_is_timed_by_the_server_not_by_the_page(ctx):
    attempt = started()
    start = utcnow()
    svc.record_events(attempt, [{"kind": "load", "page": "a"}], now=start)
    # The page claims it was away for an hour; the server saw the return 12 seconds after the leave.
    svc.record_events(attempt, [{"kind": "hidden", "page": "a", "at": "2030-01-01T00:00:00Z"}], now=at(start, 5))
    result = svc.record_events(attempt, [{"kind": "visible", "page": "a", "at": "2030-01-01T01:00:00Z"}],
                               now=at(start, 17))
    assert (result.leaves, result.seconds_away) == (1, 12)
    assert summary_of(attempt.id).leaves[0].left_at == at(start, 5)


def test_a_reload_is_recorded_as_a_reload_not_as_leaving(ctx):
    attempt = started()
    start = utcnow()
    svc.record_events(attempt, [{"kind": "load", "page": "a"}], now=start)
    svc.record_events(attempt, [{"kind": "unload", "page": "a"}], now=at(start, 30))
    svc.record_events(attempt, [{"kind": "hidden", "page": "a"}], now=at(start, 30.2))  # arrived late
    result = svc.record_events(attempt, [{"kind": "load", "page": "b", "previous": "a"}], now=at(start, 31))
    kinds = db.session.scalars(select(AttemptEvent.kind).order_by(AttemptEvent.id)).all()
    assert kinds == ["open", "unload", "hidden", "reload"]
    assert (result.leaves, result.seconds_away) == (0, 0)
    assert summary_of(attempt.id).reloads == 1


def test_a_load_long_after_the_unload_or_from_another_tab_is_an_open(ctx):
    attempt = started()
    start = utcnow()
    svc.record_events(attempt, [{"kind": "load", "page": "a"}], now=start)
    svc.record_events(attempt, [{"kind": "unload", "page": "a"}], now=at(start, 10))
    svc.record_events(attempt, [{"kind": "load", "page": "b", "previous": "a"}], now=at(start, 600))
    svc.record_events(attempt, [{"kind": "load", "page": "c", "previous": "zzz"}], now=at(start, 601))
    kinds = db.session.scalars(select(AttemptEvent.kind).order_by(AttemptEvent.id)).all()
    assert kinds == ["open", "unload", "open", "open"]


def test_two_tabs_switching_and_closing_one_are_not_leaves(ctx):
    attempt = started()
    start = utcnow()
    svc.record_events(attempt, [{"kind": "load", "page": "a"}], now=start)
    svc.record_events(attempt, [{"kind": "hidden", "page": "a"}, {"kind": "load", "page": "b"}], now=at(start, 3))
    svc.record_events(attempt, [{"kind": "unload", "page": "b"}], now=at(start, 40))
    result = svc.record_events(attempt, [{"kind": "visible", "page": "a"}], now=at(start, 40.5))
    assert result.leaves == 0
    # Leaving the second tab for somewhere else is a leave until the first tab comes back.
    svc.record_events(attempt, [{"kind": "hidden", "page": "a"}], now=at(start, 50))
    result = svc.record_events(attempt, [{"kind": "visible", "page": "a"}], now=at(start, 59))
    assert (result.leaves, result.seconds_away) == (1, 9)


def test_the_leave_limit_submits_through_finalize_once(ctx):
    attempt = started(leave_limit=2)
    start = utcnow()
    svc.record_events(attempt, [{"kind": "load", "page": "a"}], now=start)
    first = svc.record_events(attempt, [{"kind": "hidden", "page": "a"}, {"kind": "visible", "page": "a"}],
                              now=at(start, 5))
    assert first.leaves == 1 and not first.submitted and attempt.state == "in_progress"
    svc.record_events(attempt, [{"kind": "blur", "page": "a"}], now=at(start, 10))
    second = svc.record_events(attempt, [{"kind": "focus", "page": "a"}], now=at(start, 14))
    assert second.submitted and second.leaves == 2
    db.session.refresh(attempt)
    assert attempt.state != "in_progress" and attempt.submitted_by == "leave_limit"
    assert attempt.score is not None  # graded by finalize like any submission
    later = svc.record_events(attempt, [{"kind": "hidden", "page": "a"}], now=at(start, 20))
    assert later.recorded == 0 and later.submitted


def test_no_limit_never_submits(ctx):
    attempt = started()
    start = utcnow()
    for i in range(5):
        svc.record_events(attempt, [{"kind": "hidden", "page": "a"}, {"kind": "visible", "page": "a"}],
                          now=at(start, i))
    assert attempt.state == "in_progress"


def test_racing_returns_at_the_limit_submit_once(app, monkeypatch):
    with app.app_context():
        import_bank(None, objective_bank(4))
        exam = build_exam(bank_md=None, users=["alice"], rules=[{"count": 1, "bank_keys": ["obj"]}], leave_limit=1)
        attempt = svc.start_or_resume(exam.id, ensure_user("alice"))
        attempt_id = attempt.id
        svc.record_events(attempt, [{"kind": "hidden", "page": "a"}])
    won = []
    original = evidence.finalize

    def counting(*args, **kwargs):
        result = original(*args, **kwargs)
        won.append(result)
        return result

    monkeypatch.setattr(evidence, "finalize", counting)

    def work(i):
        try:
            return svc.record_events(db.session.get(Attempt, attempt_id), [{"kind": "visible", "page": "a"}])
        except AttemptRefused as error:  # a request that lost the SQLite write lock for too long
            return error

    results = run_together(app, 6, work)
    assert won.count(True) == 1
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.submitted_by == "leave_limit" and attempt.state != "in_progress"
    assert all(getattr(result, "submitted", True) for result in results)


def test_too_many_events_in_a_minute_are_refused(ctx):
    attempt = started()
    start = utcnow()
    for i in range(RATE_LIMIT_EVENTS // 40):
        svc.record_events(attempt, [{"kind": "blur", "page": "a"}, {"kind": "focus", "page": "a"}] * 20,
                          now=at(start, i))
    with pytest.raises(AttemptRefused) as info:
        svc.record_events(attempt, [{"kind": "blur", "page": "a"}], now=at(start, 30))
    assert info.value.reason == "rate_limited"
    assert svc.record_events(attempt, [{"kind": "blur", "page": "a"}], now=at(start, 120)).recorded == 1
