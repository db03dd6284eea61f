"""The examinee's pages over HTTP: exam list, instructions, start/resume, autosave, no-JS form, submit, review."""
from __future__ import annotations

import copy
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from examengine.models._time import utcnow
from tests.exam_builders import CORRECT, KEY_MARKERS, STANDARD_POINTS, WRONG, make_exam
from tests.web.exam_fixtures import attempt_state, close, employee_client, positions, posted, save, slot_state, start

OBJECTIVE = [{"count": 1, "qtype": qtype} for qtype in ("single", "multiple", "truefalse", "fill")]


@pytest.fixture
def exam_id(app):
    return make_exam(app, users=["alice"], title="Network basics", time_limit_minutes=30)


@pytest.fixture
def alice(app, exam_id):
    return employee_client(app, "alice")


# --- the clock starts with the paper ---

def test_the_clock_starts_when_the_exam_page_is_first_served(app, alice, exam_id):
    t0 = utcnow().replace(microsecond=0)
    with time_machine.travel(t0.replace(tzinfo=UTC), tick=False):
        attempt_id = start(alice, exam_id)
    assert attempt_state(app, attempt_id)["deadline"] == t0 + timedelta(minutes=30)
    with time_machine.travel((t0 + timedelta(seconds=45)).replace(tzinfo=UTC), tick=False):
        assert alice.get(f"/attempts/{attempt_id}").status_code == 200
    assert attempt_state(app, attempt_id)["deadline"] == t0 + timedelta(minutes=30, seconds=45)
    with time_machine.travel((t0 + timedelta(minutes=5)).replace(tzinfo=UTC), tick=False):
        page = alice.get(f"/attempts/{attempt_id}")  # a reload: the clock runs on
    assert attempt_state(app, attempt_id)["deadline"] == t0 + timedelta(minutes=30, seconds=45)
    assert 'data-deadline-seconds="1545"' in page.text


# --- the list of exams and the start page ---

def test_the_exam_list_shows_every_status(app):
    now = utcnow().replace(microsecond=0)
    ids = {
        "upcoming": make_exam(app, users=["alice"], title="Later exam",
                              opens_at=now + timedelta(days=1), closes_at=now + timedelta(days=2)),
        "open": make_exam(app, bank_md=None, users=["alice"], title="Open exam"),
        "in_progress": make_exam(app, bank_md=None, users=["alice"], title="Running exam"),
        "submitted": make_exam(app, bank_md=None, users=["alice"], title="Written exam",
                               rules=[{"count": 1, "qtype": "short"}]),
        "graded": make_exam(app, bank_md=None, users=["alice"], title="Graded exam",
                            rules=[{"count": 1, "qtype": "single"}], show_score="immediately"),
        "closed": make_exam(app, bank_md=None, users=["alice"], title="Old exam",
                            opens_at=now - timedelta(days=2), closes_at=now - timedelta(days=1)),
    }
    make_exam(app, bank_md=None, users=["bob"], title="Somebody else's exam")
    client = employee_client(app, "alice")
    start(client, ids["in_progress"])
    for name in ("submitted", "graded"):
        attempt_id = start(client, ids[name])
        if name == "graded":
            save(client, attempt_id, {"slot": positions(app, attempt_id)["single"], "seq": 1,
                                      "response": posted(app, attempt_id, CORRECT)["single"]})
        assert client.post(f"/attempts/{attempt_id}/submit").status_code == 302

    page = client.get("/exams")
    assert page.status_code == 200
    for status, exam_id in ids.items():
        card = re.search(rf'<article[^>]*data-exam="{exam_id}" data-status="([a-z_]+)"', page.text)
        assert card and card.group(1) == status, status
    assert "Somebody else&#39;s exam" not in page.text and "Somebody else's exam" not in page.text
    assert "Submitted, awaiting grading" in page.text
    assert 'data-testid="time-left"' in page.text  # the attempt in progress shows its time left
    graded = page.text[page.text.index(f'data-exam="{ids["graded"]}"'):]
    assert f"{STANDARD_POINTS['single']:g} / {STANDARD_POINTS['single']:g}" in graded[:3000]

    home = client.get("/")
    assert "No exams are assigned to you yet." not in home.text
    assert 'href="/exams"' in home.text
    assert re.search(r'data-count="open"[^>]*>\s*1\b', home.text)


def test_home_without_exams_says_so(app, make_user):
    make_user("carol")
    client = employee_client(app, "carol")
    assert "No exams are assigned to you yet." in client.get("/").text
    assert "No exams are assigned to you yet." in client.get("/exams").text
    assert "My exams" in client.get("/").text  # the navigation link


def test_instructions_show_sanitized_markdown_limit_window_and_attempts(app):
    exam_id = make_exam(
        app, users=["alice"], title="Window exam", time_limit_minutes=45, attempts_allowed=2,
        instructions="Read **carefully**.\n\n<script>alert(1)</script><img src=x onerror=alert(2)>",
        opens_at=datetime(2020, 1, 1, 0, 0), closes_at=datetime(2099, 1, 1, 16, 30),
        overrides={"alice": {"extra_minutes": 15}},
    )
    page = employee_client(app, "alice").get(f"/exams/{exam_id}")
    assert page.status_code == 200
    assert "<strong>carefully</strong>" in page.text
    assert "<script>alert(1)" not in page.text and "onerror" not in page.text
    assert "45 minutes" in page.text and "+15" in page.text
    # Stored as naive UTC, shown in the site's zone (Asia/Shanghai, UTC+8).
    assert "2020-01-01 08:00" in page.text and "2099-01-02 00:30" in page.text
    assert "Asia/Shanghai" in page.text
    assert "0 of 2 used" in page.text
    assert 'data-testid="start-exam"' in page.text


@pytest.mark.parametrize("instructions", [
    "\n".join("    " * n + "- x" for n in range(400)), "[" * 100_000 + "]" * 100_000, "<div>" * 30_000,
    "<b><i>" * 100_000, "|" + "a|" * 50_000 + "\n|" + "-|" * 50_000, "*a" * 100_000,
])
def test_instructions_stored_past_the_markup_limits_are_shown_as_written(app, instructions):
    exam_id = make_exam(app, bank_md=None, users=["alice"], rules=[], instructions=instructions)
    page = employee_client(app, "alice").get(f"/exams/{exam_id}")
    assert page.status_code == 200
    assert 'data-markup-plain="' in page.text and 'data-testid="start-exam"' in page.text


def test_a_stem_stored_past_the_markup_limits_is_shown_as_written_on_the_exam_page(app):
    from examengine.extensions import db
    from examengine.models import QuestionVersion

    exam_id = make_exam(app, users=["alice"], rules=[{"count": 1, "qtype": "single"}])
    with app.app_context():
        for version in db.session.query(QuestionVersion).filter_by(qtype="single"):
            version.stem = "<b><i>" * 100_000
        db.session.commit()
    client = employee_client(app, "alice")
    attempt_id = start(client, exam_id)
    page = client.get(f"/attempts/{attempt_id}")
    assert page.status_code == 200
    assert 'data-markup-plain="field_chars"' in page.text and "&lt;b&gt;&lt;i&gt;" in page.text


def test_roles_and_assignment(app, make_user, exam_id):
    make_user("boss", roles=("admin",))
    make_user("dave")
    admin = employee_client(app, "boss")
    assert admin.get("/exams").status_code == 403
    assert admin.get(f"/exams/{exam_id}").status_code == 403
    dave = employee_client(app, "dave")  # an employee this exam is not assigned to
    assert dave.get(f"/exams/{exam_id}").status_code == 404
    assert dave.post(f"/exams/{exam_id}/start").status_code == 404
    assert dave.get("/exams/999999").status_code == 404
    anonymous = app.test_client()
    assert anonymous.get("/exams").headers["Location"].startswith("/login")


# --- start and resume ---

def test_start_redirects_to_the_attempt_and_starting_again_resumes_it(app, alice, exam_id):
    attempt_id = start(alice, exam_id)
    page = alice.get(f"/attempts/{attempt_id}")
    before = attempt_state(app, attempt_id)  # the clock as the paper's first view started it
    assert page.status_code == 200
    assert len(re.findall(r'data-testid="question"', page.text)) == 6
    assert re.search(r'data-deadline-seconds="(17\d\d|1800)"', page.text)
    assert f'action="/attempts/{attempt_id}/save-form"' in page.text
    assert re.search(r'src="/static/js/exam\.[0-9a-f]{12}\.js" defer', page.text)  # fingerprinted

    with time_machine.travel(utcnow() + timedelta(minutes=10), tick=False):
        assert start(alice, exam_id) == attempt_id  # the same attempt, the clock not reset
        page = alice.get(f"/attempts/{attempt_id}")
        seconds = int(re.search(r'data-deadline-seconds="(\d+)"', page.text).group(1))
        assert 1100 <= seconds <= 1200
    assert attempt_state(app, attempt_id)["deadline"] == before["deadline"]
    # The instructions page now offers to resume.
    assert "Resume the exam" in alice.get(f"/exams/{exam_id}").text


def test_start_refusals_are_explained(app):
    now = utcnow()
    later = make_exam(app, users=["alice"], title="Later", opens_at=now + timedelta(hours=1),
                      closes_at=now + timedelta(hours=2))
    client = employee_client(app, "alice")
    response = client.post(f"/exams/{later}/start")
    assert response.status_code == 409
    assert "not open yet" in response.text
    once = make_exam(app, bank_md=None, users=["alice"], title="Once", rules=[{"count": 1, "qtype": "single"}])
    attempt_id = start(client, once)
    client.post(f"/attempts/{attempt_id}/submit")
    response = client.post(f"/exams/{once}/start")
    assert response.status_code == 409 and "used all your attempts" in response.text


# --- autosave over JSON ---

def test_json_save_stores_answers_and_reports_the_time_left(app, alice, exam_id):
    attempt_id = start(alice, exam_id)
    where = positions(app, attempt_id)
    single = posted(app, attempt_id, CORRECT)["single"]  # the option's position on this paper
    response = save(alice, attempt_id,
                    {"slot": where["single"], "seq": 1, "response": single},
                    {"slot": where["fill"], "seq": 3, "response": ["HTTPS", "3.14"], "flagged": True},
                    {"slot": where["short"], "seq": 1, "response": "Check <b>DNS</b>"})
    assert response.status_code == 200
    body = response.get_json()
    assert sorted(body["saved"]) == sorted([where["single"], where["fill"], where["short"]])
    assert body["stale"] == []
    assert 1700 <= body["seconds_left"] <= 1800
    state = slot_state(app, attempt_id)
    assert state[where["single"]] == (CORRECT["single"], 1, False)  # stored as the authored index
    assert state[where["fill"]] == (["HTTPS", "3.14"], 3, True)

    # Resuming: the saved answer is checked where this paper shows it, and only there.
    page = alice.get(f"/attempts/{attempt_id}").text
    assert re.findall(rf'name="q{where["single"]}"[^>]*value="(\d)"\s+checked', page) == [str(single)]
    assert f'id="flag-{where["fill"]}" value="1" checked' in page
    assert "Check &lt;b&gt;DNS&lt;/b&gt;" in page  # the examinee's text is escaped
    assert re.search(rf'data-slot="{where["fill"]}"[^>]*data-seq="3"', page)
    assert re.search(rf'data-nav-slot="{where["single"]}"', page)
    assert re.search(rf'class="exam-nav-item is-answered"\s+data-nav-slot="{where["single"]}"', page)
    assert re.search(rf'class="exam-nav-item is-answered is-flagged"\s+data-nav-slot="{where["fill"]}"', page)


def test_an_older_sequence_number_never_overwrites_a_newer_answer(app, alice, exam_id):
    attempt_id = start(alice, exam_id)
    slot = positions(app, attempt_id)["truefalse"]
    assert save(alice, attempt_id, {"slot": slot, "seq": 5, "response": True}).get_json()["saved"] == [slot]
    body = save(alice, attempt_id, {"slot": slot, "seq": 4, "response": False}).get_json()
    assert body["saved"] == [] and body["stale"] == [slot]
    assert slot_state(app, attempt_id)[slot][:2] == (True, 5)


@pytest.mark.parametrize("payload", [
    {"changes": [{"slot": "SINGLE", "seq": 1, "response": "not an option index"}]},
    {"changes": [{"slot": "SINGLE", "seq": 1, "response": 4}]},  # the question has 4 options
    {"changes": [{"slot": "MULTIPLE", "seq": 1, "response": 1}]},
    {"changes": [{"slot": "TRUEFALSE", "seq": 1, "response": "maybe"}]},
    {"changes": [{"slot": "FILL", "seq": 1, "response": "https"}]},
    {"changes": [{"slot": "SHORT", "seq": 1, "response": ["text"]}]},
    {"changes": [{"slot": 999, "seq": 1, "response": None}]},
    {"changes": [{"slot": "SINGLE", "seq": 0, "response": None}]},
    {"changes": [{"slot": "SINGLE", "seq": 1, "flagged": "yes"}]},
    {"changes": "everything"},
    {"nothing": []},
    ["changes"],
])
def test_a_malformed_save_is_a_400_with_a_message(app, alice, exam_id, payload):
    attempt_id = start(alice, exam_id)
    where = positions(app, attempt_id)
    payload = copy.deepcopy(payload)
    if isinstance(payload, dict) and isinstance(payload.get("changes"), list):
        for change in payload["changes"]:
            if isinstance(change["slot"], str):
                change["slot"] = where[change["slot"].lower()]
    before = slot_state(app, attempt_id)
    response = alice.post(f"/attempts/{attempt_id}/save", json=payload)
    assert response.status_code == 400
    body = response.get_json()
    assert body["reason"] == "bad_request" and body["error"]
    assert slot_state(app, attempt_id) == before


def test_a_save_that_is_not_json_is_a_400(app, alice, exam_id):
    attempt_id = start(alice, exam_id)
    response = alice.post(f"/attempts/{attempt_id}/save", data="{not json", content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"]


def test_saves_are_accepted_during_the_grace_period_and_refused_after_it(app, alice, exam_id):
    attempt_id = start(alice, exam_id)
    slot = positions(app, attempt_id)["single"]
    right, wrong = posted(app, attempt_id, CORRECT)["single"], posted(app, attempt_id, WRONG)["single"]
    deadline = attempt_state(app, attempt_id)["deadline"]
    grace = app.config["EXAMENGINE_GRACE_SECONDS"]
    with time_machine.travel(deadline + timedelta(seconds=grace - 5), tick=False):
        body = save(alice, attempt_id, {"slot": slot, "seq": 1, "response": right}).get_json()
        assert body["saved"] == [slot] and body["seconds_left"] == 0
    with time_machine.travel(deadline + timedelta(seconds=grace + 5), tick=False):
        response = save(alice, attempt_id, {"slot": slot, "seq": 2, "response": wrong})
        assert response.status_code == 409
        body = response.get_json()
        assert body["reason"] == "too_late" and "Time is up" in body["error"]
        # The attempt was finalized with what had been saved in time.
        assert alice.get(f"/attempts/{attempt_id}").headers["Location"] == f"/attempts/{attempt_id}/review"
    state = attempt_state(app, attempt_id)
    assert state["state"] != "in_progress"
    assert state["slots"][slot][0] == CORRECT["single"]


def test_a_save_after_submitting_is_refused_as_finalized(app, alice, exam_id):
    attempt_id = start(alice, exam_id)
    alice.post(f"/attempts/{attempt_id}/submit")
    response = save(alice, attempt_id, {"slot": 0, "seq": 9, "response": None})
    assert response.status_code == 409
    assert response.get_json()["reason"] == "finalized"


def test_a_heartbeat_without_changes_returns_the_time_left(app, alice, exam_id):
    attempt_id = start(alice, exam_id)
    body = save(alice, attempt_id).get_json()
    assert body == {"saved": [], "stale": [], "seconds_left": body["seconds_left"]}
    assert body["seconds_left"] > 1700


# --- the page without JavaScript ---

def _form(app, attempt_id: int, **answers) -> dict:
    """The no-JS form's fields for `answers` (choice answers in authored indexes, posted as positions)."""
    where = positions(app, attempt_id)
    answers = {**answers, **posted(app, attempt_id, answers)}
    data = {}
    if "single" in answers:
        data[f"q{where['single']}"] = str(answers["single"])
    if "multiple" in answers:
        data[f"q{where['multiple']}"] = [str(i) for i in answers["multiple"]]
    if "truefalse" in answers:
        data[f"q{where['truefalse']}"] = "true" if answers["truefalse"] else "false"
    if "fill" in answers:
        for i, text in enumerate(answers["fill"]):
            data[f"q{where['fill']}.{i}"] = text
    if "short" in answers:
        data[f"q{where['short']}"] = answers["short"]
    return data


def test_the_form_saves_without_javascript(app, alice, exam_id):
    attempt_id = start(alice, exam_id)
    where = positions(app, attempt_id)
    data = _form(app, attempt_id, single=1, multiple=[0, 1], truefalse=True, fill=["https", "3.140"],
                 short="Ping it")
    data.update({"action": "save", f"flag-{where['analysis']}": "1"})
    response = alice.post(f"/attempts/{attempt_id}/save-form", data=data)
    assert response.status_code == 302 and response.headers["Location"] == f"/attempts/{attempt_id}"
    state = slot_state(app, attempt_id)
    assert state[where["single"]][0] == 1
    assert state[where["multiple"]][0] == [0, 1]
    assert state[where["truefalse"]][0] is True
    assert state[where["fill"]][0] == ["https", "3.140"]
    assert state[where["short"]][0] == "Ping it"
    assert state[where["analysis"]][2] is True
    assert "Your answers were saved." in alice.get(f"/attempts/{attempt_id}").text


def test_submitting_the_form_asks_for_confirmation_listing_unanswered_questions(app, alice, exam_id):
    attempt_id = start(alice, exam_id)
    where = positions(app, attempt_id)
    data = _form(app, attempt_id, single=1, truefalse=False)
    data["action"] = "submit"
    page = alice.post(f"/attempts/{attempt_id}/save-form", data=data)
    assert page.status_code == 200
    assert "Submit the exam?" in page.text
    assert "Unanswered questions: 4" in page.text
    listed = set(int(p) for p in re.findall(r'data-slot="(\d+)"', page.text))
    assert listed == {where[t] for t in ("multiple", "fill", "short", "analysis")}
    assert attempt_state(app, attempt_id)["state"] == "in_progress"  # not yet submitted
    assert slot_state(app, attempt_id)[where["single"]][0] == 1  # but saved
    for marker in KEY_MARKERS:
        assert marker not in page.text

    response = alice.post(f"/attempts/{attempt_id}/submit")
    assert response.status_code == 302 and response.headers["Location"] == f"/attempts/{attempt_id}/review"
    assert attempt_state(app, attempt_id)["state"] == "submitted"  # short/analysis await a reviewer
    # Submitting twice changes nothing.
    submitted_at = attempt_state(app, attempt_id)["submitted_at"]
    assert alice.post(f"/attempts/{attempt_id}/submit").status_code == 302
    assert attempt_state(app, attempt_id)["submitted_at"] == submitted_at


def test_confirmed_form_submit_saves_and_submits_at_once(app):
    exam_id = make_exam(app, users=["alice"], rules=OBJECTIVE, show_score="immediately")
    alice = employee_client(app, "alice")
    attempt_id = start(alice, exam_id)
    data = _form(app, attempt_id, single=1, multiple=[0, 1], truefalse=True, fill=["ＨＴＴＰＳ", "3.140"])
    data["action"] = "confirm"
    response = alice.post(f"/attempts/{attempt_id}/save-form", data=data)
    assert response.headers["Location"] == f"/attempts/{attempt_id}/review"
    state = attempt_state(app, attempt_id)
    assert state["state"] == "graded"
    assert state["score"] == sum(STANDARD_POINTS[t] for t in ("single", "multiple", "truefalse", "fill"))
    review = alice.get(f"/attempts/{attempt_id}/review")
    assert review.status_code == 200
    assert re.search(r'data-testid="score">\s*9 / 9', review.text)


def test_a_malformed_form_is_a_400_page(app, alice, exam_id):
    attempt_id = start(alice, exam_id)
    where = positions(app, attempt_id)
    response = alice.post(f"/attempts/{attempt_id}/save-form", data={f"q{where['single']}": "77", "action": "save"})
    assert response.status_code == 400
    assert "not understood" in response.text


def test_the_form_after_the_deadline_explains_and_links_to_the_result(app, alice, exam_id):
    attempt_id = start(alice, exam_id)
    deadline = attempt_state(app, attempt_id)["deadline"]
    with time_machine.travel(deadline + timedelta(minutes=5), tick=False):
        response = alice.post(f"/attempts/{attempt_id}/save-form", data={"action": "confirm"})
    assert response.status_code == 409
    assert f'href="/attempts/{attempt_id}/review"' in response.text


def test_leave_page_events_are_recorded(app, alice, exam_id):
    attempt_id = start(alice, exam_id)
    events = [{"kind": "hidden", "at": "2030-01-01T00:00:00.000Z"}, {"kind": "visible", "at": "2030-01-01T00:00:09Z"},
              {"kind": "blur", "at": "nonsense"}]
    response = alice.post(f"/attempts/{attempt_id}/events", json={"events": events})
    assert response.status_code == 200
    assert response.get_json() == {"recorded": 3, "leaves": 1, "seconds_away": 0}  # on the server's clock
    assert attempt_state(app, attempt_id)["events"] == 3
    unknown = alice.post(f"/attempts/{attempt_id}/events", json={"events": [{"kind": "dance"}]})
    assert unknown.status_code == 400 and unknown.get_json()["reason"] == "bad_request"
    assert attempt_state(app, attempt_id)["events"] == 3
    assert alice.post(f"/attempts/{attempt_id}/events", json={"events": "x"}).status_code == 400
    assert alice.post(f"/attempts/{attempt_id}/events", json=[]).status_code == 400


# --- review ---

def _sit(app, **exam_fields) -> tuple:
    """Alice sits a six-question exam: objective answers correct except the fill, text for the rest."""
    exam_id = make_exam(app, users=["alice"], **exam_fields)
    client = employee_client(app, "alice")
    attempt_id = start(client, exam_id)
    where = positions(app, attempt_id)
    answers = posted(app, attempt_id, CORRECT)
    changes = [{"slot": where[t], "seq": 1, "response": answers[t]} for t in ("single", "multiple", "truefalse")]
    changes.append({"slot": where["fill"], "seq": 1, "response": WRONG["fill"]})
    if "short" in where:
        changes.append({"slot": where["short"], "seq": 1, "response": "Scope, then layers"})
    assert save(client, attempt_id, *changes).status_code == 200
    client.post(f"/attempts/{attempt_id}/submit")
    return client, attempt_id, where


def test_the_review_before_submitting_sends_back_to_the_exam(app, alice, exam_id):
    attempt_id = start(alice, exam_id)
    response = alice.get(f"/attempts/{attempt_id}/review")
    assert response.status_code == 302 and response.headers["Location"] == f"/attempts/{attempt_id}"


def test_review_after_grading_hides_the_score_while_answers_await_a_reviewer(app):
    client, attempt_id, _ = _sit(app, show_score="after_grading")
    page = client.get(f"/attempts/{attempt_id}/review").text
    assert 'data-testid="score-pending"' in page or 'data-testid="score-hidden"' in page
    assert 'data-testid="score"' not in page and "provisional-score" not in page
    assert "Scope, then layers" in page  # the examinee's own answers
    for marker in KEY_MARKERS:
        assert marker not in page
    assert "data-correct" not in page


def test_review_immediately_shows_the_score(app):
    client, attempt_id, _ = _sit(app, show_score="immediately", rules=OBJECTIVE)
    page = client.get(f"/attempts/{attempt_id}/review").text
    expected = STANDARD_POINTS["single"] + STANDARD_POINTS["multiple"] + STANDARD_POINTS["truefalse"]
    assert re.search(rf'data-testid="score">\s*{expected:g} / 9', page)
    assert "(77.8%)" in page and "Passed" in page  # 7 of 9, pass mark 60 %
    assert "data-correct" not in page  # correctness not released


def test_review_immediately_while_written_answers_await_a_reviewer(app):
    client, attempt_id, _ = _sit(app, show_score="immediately")
    page = client.get(f"/attempts/{attempt_id}/review").text
    assert 'data-testid="score-pending"' in page and 'data-testid="score"' not in page
    # What is known already: the automatically graded part, and how many answers wait.
    assert re.search(r'data-testid="provisional-score">7 / 9<', page)
    assert "questions awaiting a reviewer: 2" in page


def test_review_never_shows_no_score(app):
    client, attempt_id, _ = _sit(app, show_score="never", rules=OBJECTIVE)
    page = client.get(f"/attempts/{attempt_id}/review").text
    assert 'data-testid="score"' not in page
    assert 'data-testid="score-hidden"' in page


def test_review_with_correctness_and_answers(app):
    client, attempt_id, where = _sit(app, show_score="immediately", show_correctness=True, show_answers=True)
    close(app, attempt_id)  # answers are shown only once the exam has closed (and no attempt is left)
    page = client.get(f"/attempts/{attempt_id}/review").text
    assert 'data-testid="pending-answers"' not in page
    blocks = {int(m.group(1)): m.group(0) for m in
              re.finditer(r'data-slot="(\d+)" data-testid="review-question".*?</section>', page, re.S)}
    assert 'data-correct="yes"' in blocks[where["single"]]
    assert 'data-correct="no"' in blocks[where["fill"]]
    assert 'data-correct="pending"' in blocks[where["short"]]
    assert "SINGLE-EXPLANATION-SECRET" in blocks[where["single"]]
    assert "SHORT-REFERENCE-SECRET" in blocks[where["short"]]
    assert "FILLSECRETALT" in blocks[where["fill"]]
    assert page.count("SINGLE-EXPLANATION-SECRET") == 1  # rendered once
    assert "<fieldset disabled" in page


def test_review_with_correctness_but_without_answers(app):
    client, attempt_id, where = _sit(app, show_score="immediately", show_correctness=True, show_answers=False)
    page = client.get(f"/attempts/{attempt_id}/review").text
    # The marks show; the right/wrong badges reveal the key, so they wait for the answers.
    assert 'data-testid="slot-score"' in page and re.search(r"\d+ of \d+ points", page)
    assert 'data-correct="yes"' not in page and 'data-correct="no"' not in page
    for marker in KEY_MARKERS:
        assert marker not in page
