"""Issue 8, item 6: answers that reach the server after the attempt stopped taking them (past deadline +
grace, or already submitted) are refused naming the questions not received, recorded as an event on
the attempt, and shown on the admin's attempt detail page."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from examengine.extensions import db
from examengine.models import AttemptEvent
from tests.conftest import Auth, english_client
from tests.exam_builders import CORRECT, WRONG, make_exam
from tests.web.exam_fixtures import attempt_state, employee_client, positions, posted, save, slot_state, start


@pytest.fixture
def sitting(app):
    exam_id = make_exam(app, users=["alice"], title="Late exam", time_limit_minutes=30)
    alice = employee_client(app, "alice")
    attempt_id = start(alice, exam_id)
    return alice, attempt_id, positions(app, attempt_id)


def late_events(app, attempt_id: int) -> list[dict]:
    with app.app_context():
        return [event.detail for event in db.session.scalars(
            select(AttemptEvent).where(AttemptEvent.attempt_id == attempt_id, AttemptEvent.kind == "late_refused")
            .order_by(AttemptEvent.id))]


def after_grace(app, attempt_id: int):
    deadline = attempt_state(app, attempt_id)["deadline"]
    return time_machine.travel(deadline + timedelta(seconds=app.config["EXAMENGINE_GRACE_SECONDS"] + 5), tick=False)


def admin(app):
    from examengine.services.accounts import create_user

    with app.app_context():
        create_user("admin", password="correct-horse-42", roles=("admin",))
    client = english_client(app)
    assert Auth(client).login("admin").status_code == 302
    return client


def test_a_late_save_names_the_questions_not_received_and_records_them(app, sitting):
    alice, attempt_id, where = sitting
    single, fill, short = where["single"], where["fill"], where["short"]
    assert save(alice, attempt_id, {"slot": single, "seq": 1, "response": posted(app, attempt_id, CORRECT)["single"]}).status_code == 200
    with after_grace(app, attempt_id):
        # The page resends everything it has not seen acknowledged: `single` seq 1 was received in
        # time, seq 1 of `fill` and `short` never reached the server before the deadline.
        response = save(alice, attempt_id, {"slot": single, "seq": 1, "response": posted(app, attempt_id, CORRECT)["single"]},
                        {"slot": fill, "seq": 1, "response": ["https", "3.14"]},
                        {"slot": short, "seq": 1, "response": "Written offline."})
    assert response.status_code == 409
    body = response.get_json()
    assert body["reason"] == "too_late" and body["not_received"] == sorted([fill, short])
    numbers = sorted([fill + 1, short + 1])
    assert body["error"].startswith("Time is up") and f"questions {numbers[0]}, {numbers[1]}" in body["error"]
    assert late_events(app, attempt_id) == [{"positions": sorted([fill, short]), "reason": "too_late"}]
    state = attempt_state(app, attempt_id)
    assert state["state"] != "in_progress" and state["slots"][single][0] == CORRECT["single"]
    assert state["slots"][short][0] is None  # refused, not stored


def test_a_newer_sequence_for_a_saved_question_is_not_received_either(app, sitting):
    alice, attempt_id, where = sitting
    single = where["single"]
    save(alice, attempt_id, {"slot": single, "seq": 1, "response": posted(app, attempt_id, CORRECT)["single"]})
    with after_grace(app, attempt_id):
        body = save(alice, attempt_id, {"slot": single, "seq": 2, "response": posted(app, attempt_id, WRONG)["single"]}).get_json()
    assert body["not_received"] == [single]
    assert f"question {single + 1} arrived after the deadline and was not received" in body["error"]
    assert slot_state(app, attempt_id)[single][:2] == (CORRECT["single"], 1)


def test_the_same_refusal_is_recorded_once(app, sitting):
    alice, attempt_id, where = sitting
    change = {"slot": where["short"], "seq": 1, "response": "Offline answer."}
    with after_grace(app, attempt_id):
        for _ in range(3):  # the page retrying, a second tab, the keepalive on leaving
            assert save(alice, attempt_id, change).get_json()["not_received"] == [where["short"]]
        other = {"slot": where["fill"], "seq": 1, "response": ["x", "y"]}
        assert save(alice, attempt_id, change, other).status_code == 409
    assert [event["positions"] for event in late_events(app, attempt_id)] == [
        [where["short"]], sorted([where["short"], where["fill"]])]


def test_a_late_heartbeat_or_answers_already_received_record_nothing(app, sitting):
    alice, attempt_id, where = sitting
    save(alice, attempt_id, {"slot": where["single"], "seq": 3, "response": posted(app, attempt_id, CORRECT)["single"]})
    with after_grace(app, attempt_id):
        heartbeat = save(alice, attempt_id)
        old = save(alice, attempt_id, {"slot": where["single"], "seq": 2, "response": posted(app, attempt_id, WRONG)["single"]})
    for response in (heartbeat, old):
        assert response.status_code == 409 and "not_received" not in response.get_json()
    assert late_events(app, attempt_id) == []


def test_answers_after_submitting_elsewhere_are_named_too(app, sitting):
    alice, attempt_id, where = sitting
    assert alice.post(f"/attempts/{attempt_id}/submit").status_code == 302  # e.g. from another tab
    response = save(alice, attempt_id, {"slot": where["short"], "seq": 1, "response": "From the first tab."})
    body = response.get_json()
    assert response.status_code == 409 and body["reason"] == "finalized" and body["not_received"] == [where["short"]]
    assert "already been submitted" in body["error"]
    assert late_events(app, attempt_id) == [{"positions": [where["short"]], "reason": "finalized"}]


def test_the_form_without_javascript_names_them_on_the_refusal_page(app, sitting):
    alice, attempt_id, where = sitting
    with after_grace(app, attempt_id):
        page = alice.post(f"/attempts/{attempt_id}/save-form",
                          data={f"q{where['short']}": "Typed late.", "action": "confirm"})
    assert page.status_code == 409
    refusal = re.search(r'data-testid="refusal" data-reason="too_late">([^<]*)<', page.text)
    assert refusal and f"question {where['short'] + 1} arrived after the deadline" in refusal.group(1)
    assert late_events(app, attempt_id) == [{"positions": [where["short"]], "reason": "too_late"}]


def test_the_admin_sees_the_refused_answers_on_the_attempt_detail(app, sitting):
    alice, attempt_id, where = sitting
    with after_grace(app, attempt_id):
        save(alice, attempt_id, {"slot": where["short"], "seq": 1, "response": "Offline."},
             {"slot": where["single"], "seq": 1, "response": posted(app, attempt_id, CORRECT)["single"]})
    html = admin(app).get(f"/admin/attempts/{attempt_id}").text
    assert 'data-testid="late-refused"' in html and "Late answers refused" in html
    item = re.search(r'data-testid="late-refused-item" data-positions="([\d,]+)">(.*?)</li>', html, re.S)
    assert item and item.group(1) == ",".join(str(p) for p in sorted([where["short"], where["single"]]))
    assert "after the deadline" in item.group(2)
    for position in (where["short"], where["single"]):
        assert f'<a href="#q-{position}">{position + 1}</a>' in item.group(2)


def test_an_attempt_without_late_answers_shows_no_such_section(app, sitting):
    alice, attempt_id, _ = sitting
    alice.post(f"/attempts/{attempt_id}/submit")
    assert 'data-testid="late-refused"' not in admin(app).get(f"/admin/attempts/{attempt_id}").text
