"""Release of results and answers, end to end: each condition on the review page, the admin's manual
release (who and when, its withdrawal), the reviewer's feedback, no appeal on full marks, and a walk of
every page and JSON an examinee can reach with secret markers in the keys, rubric and comments."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from examengine.core.release import ITEMS
from examengine.extensions import db
from examengine.models import Attempt, AttemptSlot, Exam, QuestionVersion, User
from examengine.services.appeals import AppealRefused, create_appeal
from tests.conftest import Auth, english_client
from tests.exam_builders import close_exam, ensure_user, make_exam
from tests.grading_builders import add_reviewers
from tests.results_builders import score_written, sit_attempt
from tests.web.exam_fixtures import employee_client
from tests.web.exams.test_admin_exams import FORM

COMMENT = "REVIEWER-COMMENT-SECRET the scope was named"
BOB_TEXT, BOB_COMMENT = "BOB-ANSWER-SECRET", "BOB-COMMENT-SECRET"
# What each item puts on a page, and nothing else does.
MARKERS = {
    "score": re.compile(r'data-testid="(score|my-score|provisional-score)"'),
    "marks": re.compile(r"\d+ of \d+ points"),
    "answers": re.compile(r"EXPLANATION-SECRET|REFERENCE-SECRET|FILLSECRETALT|3\.14 ± 0\.01"),
    "feedback": re.compile(r"RUBRIC-SECRET|REVIEWER-COMMENT-SECRET"),
}
NOBODY_ELSE = re.compile(f"{BOB_TEXT}|{BOB_COMMENT}")
# Objective answers short of full marks on the single question, full marks on the others.
ANSWERS = {"single": 0, "multiple": [0, 1], "truefalse": True, "fill": ["https", "3.140"]}


def policy(**items) -> dict:
    return {f"release_{item}": items.get(item, "never") for item in ITEMS}


def sat_exam(app, *, grade=True, **exam_fields) -> tuple[int, int, int]:
    """alice and bob sat the exam; alice's written answers graded by rita with a comment (if `grade`)."""
    exam_id = make_exam(app, users=["alice", "bob"], shuffle_questions=False, **exam_fields)
    with app.app_context():
        add_reviewers(exam_id, ["rita"])
        alice = sit_attempt(exam_id, "alice", answers=ANSWERS)
        bob = sit_attempt(exam_id, "bob", answers=ANSWERS, text=BOB_TEXT, written={"short": 1, "analysis": 2},
                          reviewer="rita", comment=BOB_COMMENT)
        if grade:
            score_written(alice, {"short": 2, "analysis": 10}, reviewer="rita", rubric_items=[0], comment=COMMENT)
    return exam_id, alice, bob


def shown_items(text: str) -> set[str]:
    return {item for item, marker in MARKERS.items() if marker.search(text)}


def review(client, attempt_id: int) -> str:
    response = client.get(f"/attempts/{attempt_id}/review")
    assert response.status_code == 200
    return response.text


def admin(app):
    client = english_client(app)
    with app.app_context():
        ensure_user("boss", roles=("admin",))
    assert Auth(client).login("boss").status_code == 302
    return client


# --- each condition on the review page ---

def test_immediately_shows_at_once(app):
    _exam_id, alice, _bob = sat_exam(app, grade=False, **policy(score="immediately", marks="immediately",
                                                                answers="immediately"))
    assert shown_items(review(employee_client(app, "alice"), alice)) == {"score", "marks", "answers"}


def test_after_close_waits_for_the_last_close(app):
    exam_id, alice, _bob = sat_exam(app, **policy(answers="after_close", marks="after_close"))
    client = employee_client(app, "alice")
    page = review(client, alice)
    assert shown_items(page) == set() and 'data-testid="pending-answers"' in page
    with app.app_context():
        close_exam(exam_id)
    assert shown_items(review(client, alice)) == {"answers", "marks"}


def test_after_grading_waits_for_the_reviewer(app):
    _exam_id, alice, _bob = sat_exam(app, grade=False, **policy(score="after_grading", marks="after_grading",
                                                                feedback="after_grading"))
    client = employee_client(app, "alice")
    page = review(client, alice)
    assert shown_items(page) == set() and "when grading is complete" in page
    with app.app_context():
        score_written(alice, {"short": 2, "analysis": 10}, reviewer="rita", rubric_items=[0], comment=COMMENT)
    assert shown_items(review(client, alice)) == {"score", "marks", "feedback"}


def test_manual_waits_for_the_admin_and_records_who_and_when(app):
    exam_id, alice, _bob = sat_exam(app, **policy(score="manual", marks="manual", answers="manual",
                                                  feedback="manual"))
    client, boss = employee_client(app, "alice"), admin(app)
    assert shown_items(review(client, alice)) == set()
    results = boss.get(f"/admin/exams/{exam_id}/results").text
    assert 'data-testid="release-results"' in results and 'data-released="no"' in results
    response = boss.post(f"/admin/exams/{exam_id}/results/release")
    assert response.status_code == 302
    with app.app_context():
        exam = db.session.get(Exam, exam_id)
        assert exam.results_released_at is not None
        assert exam.results_released_by_id == db.session.scalar(select(User.id).where(User.username == "boss"))
    assert shown_items(review(client, alice)) == set(ITEMS)
    results = boss.get(f"/admin/exams/{exam_id}/results").text
    assert 'data-testid="released-by"' in results and "boss" in results
    again = boss.post(f"/admin/exams/{exam_id}/results/release", follow_redirects=True).text
    assert "already released" in again
    # Nothing depends on it yet: it can be withdrawn, and the items are hidden again.
    assert boss.post(f"/admin/exams/{exam_id}/results/withdraw-release").status_code == 302
    assert shown_items(review(client, alice)) == set()
    with app.app_context():
        assert db.session.get(Exam, exam_id).results_released_at is None


def test_a_release_with_an_appeal_since_cannot_be_withdrawn(app):
    exam_id, alice, _bob = sat_exam(app, **policy(score="manual", marks="manual"))
    boss = admin(app)
    boss.post(f"/admin/exams/{exam_id}/results/release")
    with app.app_context():
        single = _slot(alice, "single")
        create_appeal(alice, single.position, single.attempt.user_id, "The port question was unclear.")
    page = boss.post(f"/admin/exams/{exam_id}/results/withdraw-release", follow_redirects=True).text
    assert "can no longer be withdrawn" in page and 'data-testid="withdraw-release"' not in page
    with app.app_context():
        assert db.session.get(Exam, exam_id).results_released_at is not None


def test_never_stays_hidden_whatever_happens(app):
    exam_id, alice, _bob = sat_exam(app)  # the builder's default: the score at once, nothing else
    with app.app_context():
        exam = db.session.get(Exam, exam_id)
        exam.release_score = "never"
        db.session.commit()
        close_exam(exam_id)
    admin(app).post(f"/admin/exams/{exam_id}/results/release")
    page = review(employee_client(app, "alice"), alice)
    assert shown_items(page) == set() and 'data-testid="score-hidden"' in page


def test_the_results_page_says_when_each_item_is_released(app):
    exam_id, _alice, _bob = sat_exam(app, **policy(score="after_grading", marks="immediately",
                                                   answers="after_close", feedback="manual"))
    page = admin(app).get(f"/admin/exams/{exam_id}/results").text
    assert re.search(r'data-testid="release-answers" data-released="no"', page)
    assert "Will be released at" in page and "Waits for the release below" in page
    assert re.search(r'data-testid="release-score" data-released="per-attempt"', page)


def test_the_settings_form_stores_the_policy(app, admin_client):
    exam_id = make_exam(app, users=["alice"])
    page = admin_client.get(f"/admin/exams/{exam_id}").text
    assert 'name="release_feedback"' in page and 'name="show_score"' not in page
    data = {**FORM, "title": "Released",
            **policy(score="manual", marks="after_close", answers="never", feedback="immediately")}
    assert admin_client.post(f"/admin/exams/{exam_id}", data=data).status_code == 302
    with app.app_context():
        assert db.session.get(Exam, exam_id).release_policy == {
            "score": "manual", "marks": "after_close", "answers": "never", "feedback": "immediately"}
    bad = admin_client.post(f"/admin/exams/{exam_id}", data={**data, "release_marks": "sometimes"})
    assert bad.status_code == 400 and "Not a valid choice" in bad.text


# --- the reviewer's feedback ---

def _slot(attempt_id: int, qtype: str) -> AttemptSlot:
    return db.session.scalar(
        select(AttemptSlot).join(QuestionVersion, QuestionVersion.id == AttemptSlot.question_version_id)
        .where(AttemptSlot.attempt_id == attempt_id, QuestionVersion.qtype == qtype))


def test_feedback_shows_the_rubric_items_awarded_and_the_comment(app):
    _exam_id, alice, _bob = sat_exam(app, **policy(marks="after_grading", feedback="after_grading"))
    page = review(employee_client(app, "alice"), alice)
    with app.app_context():
        short = _slot(alice, "short").position
    card = page.split(f'id="q-{short}"', 1)[1].split("</section>", 1)[0]
    assert 'data-testid="slot-feedback"' in card and COMMENT in card
    awarded = re.findall(r'data-awarded="(yes|no)"', card)
    assert awarded[0] == "yes" and set(awarded[1:]) == {"no"}
    assert "SHORT-RUBRIC-SECRET" in card
    assert "Reference answer" not in card  # the answers are not released: only the feedback


# --- no appeal on full marks ---

def test_no_appeal_on_a_question_with_full_marks(app):
    _exam_id, alice, _bob = sat_exam(app, **policy(score="after_grading", marks="after_grading"))
    client = employee_client(app, "alice")
    page = review(client, alice)
    with app.app_context():
        where = {qtype: _slot(alice, qtype).position for qtype in ("single", "truefalse", "analysis")}
        user_id = db.session.get(Attempt, alice).user_id
    cards = {qtype: page.split(f'id="q-{position}"', 1)[1].split("</section>", 1)[0]
             for qtype, position in where.items()}
    assert 'data-testid="appeal-toggle"' in cards["single"]  # 0 of 2
    assert 'data-testid="appeal-toggle"' not in cards["truefalse"]  # full marks
    assert 'data-testid="appeal-toggle"' not in cards["analysis"]  # 10 of 10 from the reviewer
    refused_page = client.get(f"/attempts/{alice}/slots/{where['truefalse']}/appeal")
    assert refused_page.status_code == 409 and "full marks" in refused_page.text
    posted = client.post(f"/attempts/{alice}/slots/{where['truefalse']}/appeal", data={"reason": "Please look."})
    assert posted.status_code == 409 and "full marks" in posted.text
    with app.app_context(), pytest.raises(AppealRefused, match="full marks"):
        create_appeal(alice, where["analysis"], user_id, "Please look again.")


# --- the walk: no marker before its release ---

def _examinee_requests(app, alice: int, bob: int, exam_id: int):
    """Every GET route (with each attempt, position and id an examinee could try) and the JSON posts."""
    ids = {"attempt_id": [alice, bob], "exam_id": [exam_id], "position": list(range(7)), "appeal_id": [1, 2],
           "version_id": [1, 5], "sample_id": [1], "mark_id": [1], "report_id": [1], "code": ["en"], "fmt": ["csv", "xlsx"]}
    skipped = {"static", "bootstrap.static", "auth.login"}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in skipped:
            continue
        combos = [{}]
        for arg in sorted(rule.arguments):
            combos = [{**combo, arg: value} for combo in combos for value in ids.get(arg, [1])]
        for values in combos:
            yield "GET", rule.build(values, append_unknown=False)[1], {}
    for attempt_id in (alice, bob):
        yield "POST", f"/attempts/{attempt_id}/save", {"json": {"changes": [{"slot": 0, "seq": 99, "response": 1}]}}
        yield "POST", f"/attempts/{attempt_id}/events", {"json": {"events": [{"kind": "blur",
                                                                              "at": "2030-01-01T00:00Z"}]}}
        yield "POST", f"/attempts/{attempt_id}/submit", {"json": {}}
        yield "POST", f"/attempts/{attempt_id}/save-form", {"data": {"action": "confirm"}}
        yield "POST", f"/attempts/{attempt_id}/report-from-exam", {"data": {}}
        yield "POST", f"/attempts/{attempt_id}/slots/0/report", {"json": {}}


def _walk(app, client, alice: int, bob: int, exam_id: int) -> dict[str, str]:
    """URL -> what the examinee got; asserts no 500 and nobody else's data anywhere."""
    pages = {}
    for method, url, keywords in _examinee_requests(app, alice, bob, exam_id):
        response = client.open(url, method=method, **keywords)
        assert response.status_code < 500, f"{method} {url}: {response.status_code}"
        text = response.get_data(as_text=True)
        assert not NOBODY_ELSE.search(text), f"{method} {url} shows bob's answer or feedback"
        pages[f"{method} {url}"] = text
    return pages


@pytest.mark.parametrize("item", ITEMS)
def test_no_page_or_json_shows_an_item_before_its_release(app, item):
    exam_id, alice, bob = sat_exam(app, **policy(**{item: "manual"}))
    with app.app_context():
        close_exam(exam_id)  # closed and graded: only the manual release is missing
    client = employee_client(app, "alice")
    before = _walk(app, client, alice, bob, exam_id)
    leaks = {url: shown_items(text) for url, text in before.items() if shown_items(text)}
    assert leaks == {}, leaks
    admin(app).post(f"/admin/exams/{exam_id}/results/release")
    after = _walk(app, client, alice, bob, exam_id)
    shown = {url: shown_items(text) for url, text in after.items() if shown_items(text)}
    assert f"GET /attempts/{alice}/review" in shown  # released: the review shows it now
    assert set().union(*shown.values()) == {item}, shown  # and only it
