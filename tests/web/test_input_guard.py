"""The input guard of web/http/guard.py, which every request passes before its view: JSON nested too deep
or too large is refused before it is parsed, and text no database can store (a NUL, a lone
surrogate) is refused in JSON bodies, form fields, query strings and URLs. Always a clear 400 and
nothing stored; the exam page and the submit keep working afterwards."""
from __future__ import annotations

import pytest

from examengine.web.http.guard import MAX_JSON_DEPTH, json_nesting_exceeds
from tests.conftest import english_client
from tests.exam_builders import make_exam
from tests.web.exam_fixtures import attempt_state, employee_client, positions, save, slot_state, start


@pytest.fixture
def sitting(app):
    """(client, attempt id, position of the short-answer slot) of alice's attempt in progress."""
    exam_id = make_exam(app, users=["alice"], time_limit_minutes=30)
    client = employee_client(app, "alice")
    attempt_id = start(client, exam_id)
    return client, attempt_id, positions(app, attempt_id)["short"]


def post_json(client, url: str, body: bytes):
    return client.post(url, data=body, content_type="application/json")


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


# --- the pre-scan itself ---

@pytest.mark.parametrize("body, depth", [
    (b"{}", 1), (b"[]", 1), (b"[[[]]]", 3), (b'{"a": [1, {"b": [2]}]}', 4), (b"1", 0), (b'"x"', 0),
    (b'["[[[[[[[[", "]]]]"]', 1),  # brackets inside strings do not count
    (b'["\\"[[[[", "\\\\", [[]]]', 3),  # nor after escaped quotes; an escaped backslash ends nothing
    ('["答[[[", {"键": "]]"}]'.encode(), 2),
    (b"[{[{[{}]}]}]", 6),  # mixed brackets: every level counts
])
def test_the_pre_scan_measures_the_depth_without_parsing(body, depth):
    assert not json_nesting_exceeds(body, depth)
    if depth:
        assert json_nesting_exceeds(body, depth - 1)


@pytest.mark.parametrize("body", [b"[" * 100_000, b"[[]" * 50_000, b"]][[", b"][" * 10, nested(21)])
def test_the_pre_scan_refuses_deep_or_unpaired_brackets(body):
    assert json_nesting_exceeds(body, MAX_JSON_DEPTH)


# --- JSON bodies ---

@pytest.mark.parametrize("endpoint", ["save", "events"])
@pytest.mark.parametrize("body", [
    b'{"changes": ' + nested(100_000) + b', "events": []}',  # 100,000 deep: RecursionError once
    b'{"events": ' + b"[" * 100_000 + b"}",  # never closed
    b'{"changes": [{"slot": 0, "seq": 1, "response": ' + nested(MAX_JSON_DEPTH - 2) + b"}]}",  # 21 levels
])
def test_json_nested_too_deep_is_refused_with_400(app, sitting, endpoint, body):
    client, attempt_id, _short = sitting
    before = attempt_state(app, attempt_id)
    response = post_json(client, f"/attempts/{attempt_id}/{endpoint}", body)
    assert response.status_code == 400
    assert response.json["reason"] == "bad_request" and "nested too deeply" in response.json["error"]
    assert attempt_state(app, attempt_id) == before


def test_json_at_the_depth_limit_reaches_the_endpoint(app, sitting):
    client, attempt_id, _short = sitting
    body = b'{"changes": [{"slot": 0, "seq": 1, "response": ' + nested(MAX_JSON_DEPTH - 3) + b"}]}"  # 20 levels
    response = post_json(client, f"/attempts/{attempt_id}/save", body)
    assert response.status_code == 400 and "nested too deeply" not in response.json["error"]  # the save says why
    assert "not understood" in response.json["error"]


def test_json_larger_than_the_limit_is_refused_with_400(app_factory, make_user):
    app = app_factory(EXAMENGINE_MAX_JSON_BYTES=2_000)
    exam_id = make_exam(app, users=["alice"], time_limit_minutes=30)
    client = employee_client(app, "alice")
    attempt_id = start(client, exam_id)
    short = positions(app, attempt_id)["short"]
    before = attempt_state(app, attempt_id)
    response = save(client, attempt_id, {"slot": short, "seq": 1, "response": "长" * 2_000})
    assert response.status_code == 400 and response.json["reason"] == "too_large"
    assert "MB of JSON" in response.json["error"]
    assert attempt_state(app, attempt_id) == before
    assert save(client, attempt_id, {"slot": short, "seq": 1, "response": "短"}).status_code == 200


@pytest.mark.parametrize("escaped", [rb"\ud800", rb"\udfff", rb"\ude00\ud83d", rb"\u0000"])
def test_a_lone_surrogate_or_nul_in_an_answer_is_refused(app, sitting, escaped):
    client, attempt_id, short = sitting
    before = slot_state(app, attempt_id)
    body = b'{"changes": [{"slot": %d, "seq": 1, "response": "\\u7b54' % short + escaped + b'\\u6848"}]}'
    response = post_json(client, f"/attempts/{attempt_id}/save", body)
    assert response.status_code == 400 and response.json["reason"] == "bad_text"
    assert ("NUL" if escaped == rb"\u0000" else "unpaired surrogate") in response.json["error"]
    assert slot_state(app, attempt_id) == before
    # The attempt is intact: its page shows, a good save and the submit work.
    assert client.get(f"/attempts/{attempt_id}").status_code == 200
    assert save(client, attempt_id, {"slot": short, "seq": 1, "response": "答案"}).status_code == 200
    assert client.post(f"/attempts/{attempt_id}/submit").status_code == 302
    assert attempt_state(app, attempt_id)["state"] == "submitted"


def test_a_paired_surrogate_is_an_ordinary_character(app, sitting):
    client, attempt_id, short = sitting
    body = b'{"changes": [{"slot": %d, "seq": 1, "response": "ok \\ud83d\\ude00"}]}' % short
    assert post_json(client, f"/attempts/{attempt_id}/save", body).status_code == 200
    assert slot_state(app, attempt_id)[short][0] == "ok \U0001F600"


def test_keys_and_event_bodies_are_checked_too(app, sitting):
    client, attempt_id, _short = sitting
    body = b'{"events": [{"kind": "blur", "\\ud800": 1}]}'
    response = post_json(client, f"/attempts/{attempt_id}/events", body)
    assert response.status_code == 400 and response.json["reason"] == "bad_text"
    assert attempt_state(app, attempt_id)["events"] == 0


# --- forms, query strings, URLs ---

def test_a_nul_in_the_no_js_exam_form_is_refused(app, sitting):
    client, attempt_id, short = sitting
    before = slot_state(app, attempt_id)
    response = client.post(f"/attempts/{attempt_id}/save-form", data={f"q{short}": "答\x00案", "action": "confirm"})
    assert response.status_code == 400
    assert 'data-testid="error-message"' in response.text and "NUL character" in response.text
    assert slot_state(app, attempt_id) == before and attempt_state(app, attempt_id)["state"] == "in_progress"


def test_nul_in_admin_forms_query_strings_and_urls_is_refused(app, admin_client):
    response = admin_client.post("/admin/groups", data={"name": "Team\x00A"})
    assert response.status_code == 400 and "NUL character" in response.text
    assert admin_client.get("/admin/users?q=%00").status_code == 400
    assert admin_client.get("/admin/users?q%00=x").status_code == 400
    assert admin_client.get("/admin/users", headers={"Accept": "application/json"},
                            query_string={"q": "a\x00"}).json["reason"] == "bad_text"
    assert admin_client.get("/admin/users?q=ok").status_code == 200


def test_nul_is_refused_before_login_too(app):
    client = english_client(app)
    response = client.post("/login", data={"username": "ann\x00", "password": "x"})
    assert response.status_code == 400
