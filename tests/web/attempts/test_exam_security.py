"""Attempts are private (IDOR: 404 for anybody else), no key material before the review, CSRF on autosave."""
from __future__ import annotations

import json
import re

import pytest

from examengine.extensions import db
from examengine.models import ExamOverride
from tests.conftest import PASSWORD, Auth, csrf_token_from
from tests.exam_builders import CORRECT, KEY_MARKERS, ensure_user, make_exam
from tests.web.exam_fixtures import attempt_state, close, employee_client, positions, posted, save, slot_state, start

# Visible only when the key is shown: the partials' key badges and headings.
KEY_LABELS = ("Correct", "Accepted answers", "Reference answer", "Rubric", "Explanation")


def assert_no_key(text: str) -> None:
    for marker in KEY_MARKERS + KEY_LABELS:
        assert marker not in text, f"{marker!r} reached the examinee"


def attempt_urls(attempt_id: int) -> list[tuple[str, str, dict]]:
    """Every URL of an attempt: (method, url, request keywords)."""
    return [
        ("GET", f"/attempts/{attempt_id}", {}),
        ("POST", f"/attempts/{attempt_id}/save", {"json": {"changes": [{"slot": 0, "seq": 99, "response": None}]}}),
        ("POST", f"/attempts/{attempt_id}/save-form", {"data": {"action": "confirm", "q0": "0", "flag-0": "1"}}),
        ("POST", f"/attempts/{attempt_id}/submit", {}),
        ("POST", f"/attempts/{attempt_id}/events", {"json": {"events": [{"kind": "blur", "at": "2030-01-01T00:00Z"}]}}),
        ("GET", f"/attempts/{attempt_id}/review", {}),
    ]


@pytest.fixture
def two_employees(app):
    exam_id = make_exam(app, users=["alice", "bob"], show_score="immediately", show_correctness=True,
                        show_answers=True)
    return exam_id, employee_client(app, "alice"), employee_client(app, "bob")


def test_nobody_else_can_reach_an_attempt(app, two_employees):
    exam_id, alice, bob = two_employees
    attempt_id = start(alice, exam_id)
    where = positions(app, attempt_id)
    save(alice, attempt_id, {"slot": where["single"], "seq": 1, "response": CORRECT["single"]})
    start(bob, exam_id)  # bob has an attempt of his own at the same exam
    before = attempt_state(app, attempt_id)
    for method, url, keywords in attempt_urls(attempt_id):
        response = bob.open(url, method=method, **keywords)
        assert response.status_code == 404, f"{method} {url}: {response.status_code}"
        assert_no_key(response.text)
    for missing in (attempt_id + 1000, 2**31, 10**20):  # no such attempt: the same answer
        for method, url, keywords in attempt_urls(missing):
            assert bob.open(url, method=method, **keywords).status_code == 404, url
    assert attempt_state(app, attempt_id) == before  # nothing changed, nothing submitted

    alice.post(f"/attempts/{attempt_id}/submit")
    assert bob.get(f"/attempts/{attempt_id}/review").status_code == 404
    assert alice.get(f"/attempts/{attempt_id}/review").status_code == 200


def test_other_roles_cannot_reach_an_attempt(app, make_user, two_employees):
    exam_id, alice, _ = two_employees
    attempt_id = start(alice, exam_id)
    make_user("root", roles=("admin",))
    admin = employee_client(app, "root")
    for method, url, keywords in attempt_urls(attempt_id):
        assert admin.open(url, method=method, **keywords).status_code == 403, url
    anonymous = app.test_client()
    for method, url, keywords in attempt_urls(attempt_id):
        response = anonymous.open(url, method=method, **keywords)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), url
    assert attempt_state(app, attempt_id)["state"] == "in_progress"


def test_an_unassigned_exam_is_not_found(app, make_user):
    exam_id = make_exam(app, users=["alice"])
    make_user("mallory")
    mallory = employee_client(app, "mallory")
    assert mallory.get(f"/exams/{exam_id}").status_code == 404
    assert mallory.post(f"/exams/{exam_id}/start").status_code == 404
    for missing in (exam_id + 1000, 2**31, 10**20):
        assert mallory.get(f"/exams/{missing}").status_code == 404
        assert mallory.post(f"/exams/{missing}/start").status_code == 404
    assert f'data-exam="{exam_id}"' not in mallory.get("/exams").text


def test_the_exam_page_and_every_json_answer_hold_no_key(app, two_employees):
    exam_id, alice, _ = two_employees
    attempt_id = start(alice, exam_id)
    where = positions(app, attempt_id)
    page = alice.get(f"/attempts/{attempt_id}")
    assert page.status_code == 200
    assert_no_key(page.text)
    assert "data-correct" not in page.text and "correct" not in page.text.lower().replace("incorrect", "")
    # The options' values are their displayed positions, in page order: nothing about the key.
    values = re.findall(rf'name="q{where["single"]}"[^>]*value="([^"]*)"', page.text)
    assert values == ["0", "1", "2", "3"]
    assert sorted(re.findall(rf'name="q{where["truefalse"]}"[^>]*value="([^"]*)"', page.text)) == ["false", "true"]

    answers = [
        save(alice, attempt_id, *[{"slot": where[t], "seq": 1, "response": r}
                                  for t, r in posted(app, attempt_id, CORRECT).items()]),
        save(alice, attempt_id, {"slot": where["single"], "seq": 1, "response": 0}),  # stale
        save(alice, attempt_id),  # heartbeat
        save(alice, attempt_id, {"slot": where["multiple"], "seq": 2, "response": [9]}),  # malformed
        alice.post(f"/attempts/{attempt_id}/events", json={"events": [{"kind": "hidden", "at": "2030-01-01T00:00Z"}]}),
        alice.post(f"/attempts/{attempt_id}/events", json={"events": 1}),
    ]
    for response in answers:
        assert response.is_json
        body = response.get_json()
        assert set(body) <= {"saved", "stale", "seconds_left", "recorded", "leaves", "seconds_away", "error",
                             "reason"}, body
        assert_no_key(json.dumps(body, ensure_ascii=False))
    # The page after saving (answers filled in) and the no-JS confirmation page: still no key.
    assert_no_key(alice.get(f"/attempts/{attempt_id}").text)
    confirm = alice.post(f"/attempts/{attempt_id}/save-form", data={"action": "submit"})
    assert confirm.status_code == 200
    assert_no_key(confirm.text)
    # The review before submitting is the exam page again, never the key.
    assert alice.get(f"/attempts/{attempt_id}/review").status_code == 302
    assert attempt_state(app, attempt_id)["state"] == "in_progress"

    # Once finalized and the exam closed, and only because this exam's policy shows answers, the key
    # appears (control).
    alice.post(f"/attempts/{attempt_id}/submit")
    close(app, attempt_id)
    review = alice.get(f"/attempts/{attempt_id}/review").text
    assert "SINGLE-EXPLANATION-SECRET" in review and "SHORT-REFERENCE-SECRET" in review


def test_the_home_and_instructions_pages_hold_no_key(app, two_employees):
    exam_id, alice, _ = two_employees
    for url in ("/", "/exams", f"/exams/{exam_id}"):
        assert_no_key(alice.get(url).text)


# --- CSRF switched on ---

@pytest.fixture
def csrf_exam(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    exam_id = make_exam(app, users=["alice"])
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    token = csrf_token_from(client.get("/login").text)
    Auth(client).login("alice", PASSWORD, csrf_token=token)
    page = client.get(f"/exams/{exam_id}")
    token = csrf_token_from(page.text)
    assert client.post(f"/exams/{exam_id}/start").status_code == 400  # the start button needs it too
    response = client.post(f"/exams/{exam_id}/start", data={"csrf_token": token})
    assert response.status_code == 302
    attempt_id = int(response.headers["Location"].rsplit("/", 1)[1])
    return app, client, attempt_id


def test_a_json_save_needs_the_csrf_header(csrf_exam):
    app, client, attempt_id = csrf_exam
    page = client.get(f"/attempts/{attempt_id}").text
    token = re.search(r'data-csrf-token="([^"]+)"', page).group(1)
    slot = positions(app, attempt_id)["single"]
    change = {"slot": slot, "seq": 1, "response": posted(app, attempt_id, CORRECT)["single"]}

    refused = save(client, attempt_id, change)
    assert refused.status_code == 400
    assert "expired" in refused.get_json()["error"]
    assert "reason" not in refused.get_json()  # how exam.js tells a CSRF refusal from a bad answer
    assert slot_state(app, attempt_id)[slot][:2] == (None, 0)
    assert save(client, attempt_id, change, headers={"X-CSRFToken": "forged"}).status_code == 400
    assert slot_state(app, attempt_id)[slot][:2] == (None, 0)

    accepted = save(client, attempt_id, change, headers={"X-CSRFToken": token})
    assert accepted.status_code == 200 and accepted.get_json()["saved"] == [slot]
    assert slot_state(app, attempt_id)[slot][:2] == (CORRECT["single"], 1)


def test_every_form_on_the_exam_path_needs_the_token(csrf_exam):
    app, client, attempt_id = csrf_exam
    for url in (f"/attempts/{attempt_id}/save-form", f"/attempts/{attempt_id}/submit"):
        assert client.post(url, data={"action": "confirm"}).status_code == 400
    assert client.post(f"/attempts/{attempt_id}/events", json={"events": []}).status_code == 400
    assert attempt_state(app, attempt_id)["state"] == "in_progress"
    token = csrf_token_from(client.get(f"/attempts/{attempt_id}").text)
    response = client.post(f"/attempts/{attempt_id}/save-form", data={"action": "confirm", "csrf_token": token})
    assert response.status_code == 302
    assert attempt_state(app, attempt_id)["state"] != "in_progress"


# --- answers only after the last attempt, once the exam has closed (issue 8, item 2) ---

def test_answers_stay_hidden_while_attempts_are_left_or_the_exam_is_open(app):
    exam_id = make_exam(app, users=["alice"], attempts_allowed=2, show_score="immediately", show_answers=True)
    alice = employee_client(app, "alice")

    def sit() -> int:
        attempt_id = start(alice, exam_id)
        where = positions(app, attempt_id)
        assert save(alice, attempt_id, *[{"slot": where[t], "seq": 1, "response": r}
                                         for t, r in posted(app, attempt_id, CORRECT).items()]).status_code == 200
        submitted = alice.post(f"/attempts/{attempt_id}/submit", headers={"Accept": "application/json"})
        assert submitted.is_json and set(submitted.get_json()) == {"state", "review_url"}
        return attempt_id

    def assert_hidden(attempt_id: int) -> None:
        review = alice.get(f"/attempts/{attempt_id}/review")
        assert review.status_code == 200
        assert_no_key(review.text)
        assert 'data-testid="pending-answers"' in review.text and "after your last attempt" in review.text
        assert 'data-testid="provisional-score"' in review.text  # the score policy still applies
        # Every JSON answer the examinee can get about this attempt: none carries the key either.
        for response in (save(alice, attempt_id, {"slot": 0, "seq": 99, "response": None}), save(alice, attempt_id),
                         alice.post(f"/attempts/{attempt_id}/submit", headers={"Accept": "application/json"}),
                         alice.post(f"/attempts/{attempt_id}/events", json={"events": []}),
                         alice.get(f"/attempts/{attempt_id}/review", headers={"Accept": "application/json"})):
            assert_no_key(response.text)
        for url in ("/", "/exams", f"/exams/{exam_id}", "/results", "/appeals/mine"):
            assert_no_key(alice.get(url).text)

    first = sit()
    assert_hidden(first)  # attempt 2 can still be started: attempt 1's key would answer it
    second = sit()
    assert_hidden(first)  # no attempt left, but the exam is still open (a colleague could be sent it)
    assert_hidden(second)
    close(app, second)
    for attempt_id in (first, second):
        review = alice.get(f"/attempts/{attempt_id}/review").text
        assert "SINGLE-EXPLANATION-SECRET" in review and "SHORT-REFERENCE-SECRET" in review
        assert "FILLSECRETALT" in review and 'data-testid="pending-answers"' not in review


def test_an_extra_attempt_hides_the_answers_again(app):
    exam_id = make_exam(app, users=["alice"], show_answers=True)
    alice = employee_client(app, "alice")
    attempt_id = start(alice, exam_id)
    alice.post(f"/attempts/{attempt_id}/submit")
    close(app, attempt_id)
    assert "SINGLE-EXPLANATION-SECRET" in alice.get(f"/attempts/{attempt_id}/review").text
    with app.app_context():  # an extra attempt for alice (her window stays closed): counted
        db.session.add(ExamOverride(exam_id=exam_id, user_id=ensure_user("alice").id, extra_attempts=1))
        db.session.commit()
    review = alice.get(f"/attempts/{attempt_id}/review").text
    assert_no_key(review)
    assert 'data-testid="pending-answers"' in review


def test_a_deactivated_examinees_open_session_can_no_longer_save(app, two_employees):
    from examengine.models import User

    exam_id, alice, _ = two_employees
    attempt_id = start(alice, exam_id)
    where = positions(app, attempt_id)
    assert save(alice, attempt_id, {"slot": where["single"], "seq": 1, "response": 0}).status_code == 200
    before = slot_state(app, attempt_id)
    with app.app_context():
        db.session.scalar(db.select(User).filter_by(username="alice")).active = False  # the nonce is kept
        db.session.commit()
    response = save(alice, attempt_id, {"slot": where["single"], "seq": 2, "response": 1})
    assert response.status_code in (302, 401)  # logged out: the login page, not a save
    assert slot_state(app, attempt_id) == before
