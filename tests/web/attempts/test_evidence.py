"""The leave-page evidence over HTTP: the events endpoint (validation, CSRF, the beacon), the exam page's
notice, the leave limit, and the admin's attempt page showing seconds away."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine

from examengine.models._time import utcnow
from tests.conftest import PASSWORD, Auth, csrf_token_from
from tests.exam_builders import make_exam
from tests.web.exam_fixtures import attempt_state, employee_client, start


def post_events(client, attempt_id, *events, **kwargs):
    return client.post(f"/attempts/{attempt_id}/events", json={"events": list(events)}, **kwargs)


@pytest.fixture
def exam_id(app):
    return make_exam(app, users=["alice"], title="Evidence exam", rules=[{"count": 1, "qtype": "single"}])


@pytest.fixture
def alice(app, exam_id):
    return employee_client(app, "alice")


@pytest.mark.parametrize("body", [
    {"events": [{"kind": "dance"}]},
    {"events": [{"kind": "hidden", "page": "x" * 41}]},
    {"events": [{"kind": "hidden", "at": 5}]},
    {"events": [{"kind": "hidden"}] * 51},
    {"events": [["hidden"]]},
    {"events": {"kind": "hidden"}},
    {"nothing": []},
])
def test_bad_events_are_refused_with_a_message_and_nothing_stored(app, alice, exam_id, body):
    attempt_id = start(alice, exam_id)
    response = alice.post(f"/attempts/{attempt_id}/events", json=body)
    assert response.status_code == 400
    assert response.get_json()["error"]
    assert attempt_state(app, attempt_id)["events"] == 0


def test_the_message_is_in_chinese_for_the_chinese_ui(app, alice, exam_id):
    attempt_id = start(alice, exam_id)
    response = post_events(alice, attempt_id, {"kind": "dance"}, headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 400
    assert "页面事件" in response.get_json()["error"]


def test_too_many_events_a_minute_answer_429(app, alice, exam_id):
    attempt_id = start(alice, exam_id)
    for _ in range(3):
        assert post_events(alice, attempt_id, *[{"kind": "blur"}, {"kind": "focus"}] * 20).status_code == 200
    response = post_events(alice, attempt_id, {"kind": "blur"})
    assert response.status_code == 429 and response.get_json()["reason"] == "rate_limited"


@pytest.fixture
def csrf_attempt(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    exam_id = make_exam(app, users=["alice"], rules=[{"count": 1, "qtype": "single"}])
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    Auth(client).login("alice", PASSWORD, csrf_token=csrf_token_from(client.get("/login").text))
    token = csrf_token_from(client.get(f"/exams/{exam_id}").text)
    response = client.post(f"/exams/{exam_id}/start", data={"csrf_token": token})
    attempt_id = int(response.headers["Location"].rsplit("/", 1)[1])
    return app, client, attempt_id, csrf_token_from(client.get(f"/attempts/{attempt_id}").text)


def test_events_need_the_csrf_token_in_the_header_or_in_the_beacon_body(csrf_attempt):
    app, client, attempt_id, token = csrf_attempt
    url = f"/attempts/{attempt_id}/events"
    beacon = {"events": json.dumps([{"kind": "unload", "page": "abc"}])}
    assert client.post(url, json={"events": [{"kind": "hidden"}]}).status_code == 400
    assert client.post(url, data=beacon).status_code == 400  # a beacon without the token
    assert client.post(url, data={**beacon, "csrf_token": "forged"}).status_code == 400
    assert attempt_state(app, attempt_id)["events"] == 0
    assert client.post(url, json={"events": [{"kind": "hidden"}]}, headers={"X-CSRFToken": token}).status_code == 200
    response = client.post(url, data={**beacon, "csrf_token": token})
    assert response.status_code == 200 and response.get_json()["recorded"] == 1
    assert client.post(url, data={"csrf_token": token, "events": "[[[not json"}).status_code == 400
    assert attempt_state(app, attempt_id)["events"] == 2


def test_the_notice_and_the_limit_on_the_exam_page(app, exam_id):
    limited = make_exam(app, bank_md=None, users=["alice"], rules=[{"count": 1, "qtype": "single"}],
                        leave_notice=True, leave_limit=2, fullscreen_on_start=True)
    client = employee_client(app, "alice")
    plain = client.get(f"/attempts/{start(client, exam_id)}").text
    assert 'data-testid="leave-notice"' not in plain and 'data-testid="fullscreen-offer"' not in plain
    attempt_id = start(client, limited)
    page = client.get(f"/attempts/{attempt_id}").text
    assert "Leaving this page (another tab or window) is recorded." in page
    assert "At 2 leaves your answers are submitted automatically." in page
    assert "Times left: 0 · seconds away: 0" in page
    assert 'data-testid="fullscreen-offer"' in page

    moment = utcnow()
    for seconds, kind in ((0, "hidden"), (7, "visible"), (20, "blur")):
        with time_machine.travel(moment + timedelta(seconds=seconds), tick=False):
            response = post_events(client, attempt_id, {"kind": kind, "page": "p1"})
    assert response.get_json() == {"recorded": 1, "leaves": 1, "seconds_away": 7}
    with time_machine.travel(moment + timedelta(seconds=23), tick=False):
        response = post_events(client, attempt_id, {"kind": "focus", "page": "p1"})
    body = response.get_json()
    assert body["submitted"] is True and body["leaves"] == 2 and body["seconds_away"] == 10
    assert body["review_url"] == f"/attempts/{attempt_id}/review"
    assert "as many times as this exam allows" in body["error"]
    state = attempt_state(app, attempt_id)
    assert state["state"] != "in_progress"
    review = client.get(f"/attempts/{attempt_id}/review").text
    assert 'data-testid="submitted-by-leave-limit"' in review


def test_the_admin_sees_leaves_in_seconds_and_reloads(app, admin_client, alice, exam_id):
    attempt_id = start(alice, exam_id)
    moment = utcnow()
    steps = [(0, {"kind": "load", "page": "p1"}), (10, {"kind": "hidden", "page": "p1"}),
             (24, {"kind": "visible", "page": "p1"}), (30, {"kind": "unload", "page": "p1"}),
             (31, {"kind": "load", "page": "p2", "previous": "p1"})]
    for seconds, event in steps:
        with time_machine.travel(moment + timedelta(seconds=seconds), tick=False):
            assert post_events(alice, attempt_id, event).status_code == 200
    html = admin_client.get(f"/admin/attempts/{attempt_id}").text
    assert 'data-testid="seconds-away">14<' in html
    assert 'data-testid="evidence-leaves">1<' in html
    assert 'data-testid="evidence-reloads">1<' in html
    assert 'data-testid="leave-seconds">14<' in html
    assert "reloaded the exam page" in html
