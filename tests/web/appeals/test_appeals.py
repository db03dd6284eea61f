"""Appeals and regrade over HTTP: the employee's appeal from the review page, the handlers' pages, the
admin's list and the regrade page; authorization (other employees 404, reviewers not assigned 404,
graders 403), bad input (400, never 500) and CSRF."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from examengine.extensions import db
from examengine.models import Appeal, ScoreChange
from examengine.services.results.regrade import regrade_plan
from tests.appeal_builders import CORRECTED_SINGLE, correct_bank, graded_exam, scores, slot
from tests.conftest import Auth, csrf_token_from, english_client
from tests.exam_builders import ensure_user


def login(app, username, roles=("employee",)):
    with app.app_context():
        ensure_user(username, roles=roles)
        db.session.commit()
    client = english_client(app)
    assert Auth(client).login(username).status_code == 302
    return client


@pytest.fixture
def exam(app):
    """ann and bob sat the exam; rita graded the written answers; sam reviews too."""
    with app.app_context():
        exam_id, ids = graded_exam({"ann": {}, "bob": {"single": 0}})
        for user in ("ann", "bob"):
            ensure_user(user).display_name = f"{user.title()} Fullname"
        db.session.commit()
        positions = {qtype: slot(ids["ann"], qtype).position for qtype in ("single", "short", "analysis")}
    return exam_id, ids, positions


def appeal_url(attempt_id, position):
    return f"/attempts/{attempt_id}/slots/{position}/appeal"


def appeal_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Appeal))


def only_appeal_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Appeal.id))


def lodge(app, exam, qtype="short", user="ann"):
    _exam_id, ids, positions = exam
    client = login(app, user)
    with app.app_context():
        position = slot(ids[user], qtype).position
    response = client.post(appeal_url(ids[user], position), data={"reason": "I covered <b>both</b> points."})
    assert response.status_code == 302
    return client


# --- employees ---

def test_the_review_page_offers_an_appeal_and_then_shows_it(app, exam):
    _exam_id, ids, positions = exam
    ann = login(app, "ann")
    page = ann.get(f"/attempts/{ids['ann']}/review").text
    assert page.count('data-testid="appeal-form"') == 2  # every graded question short of full marks
    response = ann.post(appeal_url(ids["ann"], positions["short"]), data={"reason": "I covered <b>both</b> points."})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/review#q-{positions['short']}")
    page = ann.get(f"/attempts/{ids['ann']}/review").text
    assert "Your appeal was sent" in page
    assert page.count('data-testid="appeal-form"') == 1 and 'data-testid="slot-appeal"' in page
    assert "I covered &lt;b&gt;both&lt;/b&gt; points." in page  # escaped
    mine = ann.get("/appeals/mine")
    assert mine.status_code == 200 and 'data-state="open"' in mine.text and "Test exam" in mine.text
    again = ann.post(appeal_url(ids["ann"], positions["short"]), data={"reason": "Again."})
    assert again.status_code == 409 and appeal_count(app) == 1
    assert ann.get(appeal_url(ids["ann"], positions["short"])).status_code == 302  # to the appeal


def test_another_employees_attempt_is_a_404(app, exam):
    _exam_id, ids, positions = exam
    bob = login(app, "bob")
    for method in ("get", "post"):
        response = getattr(bob, method)(appeal_url(ids["ann"], positions["short"]), data={"reason": "Mine now."})
        assert response.status_code == 404
    assert bob.post(appeal_url(ids["bob"], 99), data={"reason": "x"}).status_code == 404
    assert bob.post(appeal_url(10**12, 0), data={"reason": "x"}).status_code == 404
    assert appeal_count(app) == 0


def test_bad_reasons_are_a_400_with_the_form(app, exam):
    _exam_id, ids, positions = exam
    ann = login(app, "ann")
    url = appeal_url(ids["ann"], positions["short"])
    empty = ann.post(url, data={"reason": "   "})
    assert empty.status_code == 400 and 'data-testid="appeal-error"' in empty.text
    long = ann.post(url, data={"reason": "y" * 2001})
    assert long.status_code == 400 and "too long" in long.text and "y" * 2001 in long.text  # kept for editing
    assert ann.post(url, data={}).status_code == 400
    assert ann.get(url).status_code == 200  # the form without JavaScript
    assert appeal_count(app) == 0


def test_unreleased_results_cannot_be_appealed(app):
    with app.app_context():
        _exam_id, ids = graded_exam({"ann": {"single": 0}}, show_score="never", show_correctness=False)
        position = slot(ids["ann"], "single").position
    ann = login(app, "ann")
    assert 'data-testid="appeal-form"' not in ann.get(f"/attempts/{ids['ann']}/review").text
    assert ann.post(appeal_url(ids["ann"], position), data={"reason": "x"}).status_code == 409
    assert ann.get(appeal_url(ids["ann"], position)).status_code == 409
    assert appeal_count(app) == 0


def test_reviewers_and_admins_pages_are_closed_to_employees(app, exam):
    lodge(app, exam)
    ann = login(app, "ann")
    appeal_id = only_appeal_id(app)
    for url in ("/review/appeals", f"/review/appeals/{appeal_id}", "/admin/appeals"):
        assert ann.get(url).status_code == 403, url
    assert ann.post(f"/review/appeals/{appeal_id}", data={"decision": "change", "score": "5", "reply": "x"}
                    ).status_code == 403
    anonymous = app.test_client()
    assert anonymous.get("/appeals/mine").headers["Location"].startswith("/login")
    assert anonymous.get("/review/appeals").headers["Location"].startswith("/login")


# --- handlers ---

def test_the_grader_gets_403_an_unassigned_reviewer_404(app, exam):
    lodge(app, exam)
    appeal_id = only_appeal_id(app)
    rita = login(app, "rita", ("reviewer",))
    assert rita.get(f"/review/appeals/{appeal_id}").status_code == 403
    assert rita.post(f"/review/appeals/{appeal_id}", data={"decision": "uphold", "reply": "x"}).status_code == 403
    assert 'data-appeal="' not in rita.get("/review/appeals").text
    vic = login(app, "vic", ("reviewer",))
    assert vic.get(f"/review/appeals/{appeal_id}").status_code == 404
    assert vic.post(f"/review/appeals/{appeal_id}", data={"decision": "uphold", "reply": "x"}).status_code == 404
    assert vic.get("/review/appeals/999999").status_code == 404
    with app.app_context():
        assert db.session.get(Appeal, appeal_id).state == "open"


def test_another_reviewer_handles_it_anonymously_and_the_employee_sees_the_outcome(app, exam):
    _exam_id, ids, _positions = exam
    ann = lodge(app, exam)
    appeal_id = only_appeal_id(app)
    sam = login(app, "sam", ("reviewer",))
    listing = sam.get("/review/appeals").text
    assert f'data-appeal="{appeal_id}"' in listing and "Ann Fullname" not in listing
    page = sam.get(f"/review/appeals/{appeal_id}")
    assert page.status_code == 200 and "Ann Fullname" not in page.text
    assert "I covered &lt;b&gt;both&lt;/b&gt; points." in page.text and "My written answer." in page.text
    assert 'data-testid="handle-form"' in page.text
    bad = sam.post(f"/review/appeals/{appeal_id}", data={"decision": "change", "score": "9", "reply": "More."})
    assert bad.status_code == 400 and "between 0 and 5" in bad.text and "More." in bad.text
    for data in ({"decision": "change", "score": "1e999", "reply": "x"}, {"decision": "x", "reply": "x"}, {}):
        assert sam.post(f"/review/appeals/{appeal_id}", data=data).status_code == 400
    done = sam.post(f"/review/appeals/{appeal_id}", data={"decision": "change", "score": "4", "reply": "Both layers."})
    assert done.status_code == 302
    with app.app_context():
        assert scores(ids["ann"])["short"] == 4.0
        assert db.session.scalar(select(func.count()).select_from(ScoreChange).where(ScoreChange.source == "appeal")) == 1
    again = sam.post(f"/review/appeals/{appeal_id}", data={"decision": "uphold", "reply": "x"})
    assert again.status_code == 302  # already handled: back to the read-only page
    assert 'data-testid="appeal-resolution"' in sam.get(f"/review/appeals/{appeal_id}").text
    mine = ann.get("/appeals/mine").text
    assert 'data-state="changed"' in mine and "Both layers." in mine
    review = ann.get(f"/attempts/{ids['ann']}/review").text
    assert "Both layers." in review and 'data-state="changed"' in review


def test_the_admin_sees_every_appeal_with_names_and_filters(app, exam):
    lodge(app, exam)
    lodge(app, exam, qtype="single", user="bob")
    admin = login(app, "boss", ("admin",))
    page = admin.get("/admin/appeals")
    assert page.status_code == 200 and page.text.count('data-appeal="') == 2
    assert "Ann Fullname" in page.text and "Bob Fullname" in page.text
    assert 'href="/admin/appeals"' in admin.get("/").text  # the nav line
    assert admin.get("/admin/appeals?state=upheld").text.count('data-appeal="') == 0
    assert admin.get("/admin/appeals?state=open").text.count('data-appeal="') == 2
    for query in ("state=bogus", "exam=abc", "exam=999", "page=-3", "page=99999", "exam=1&state=open"):
        assert admin.get(f"/admin/appeals?{query}").status_code == 200, query
    with app.app_context():
        bob_appeal = db.session.scalar(select(Appeal.id).where(Appeal.reason.is_not(None)).order_by(Appeal.id.desc()))
    # bob's single-choice answer was auto-graded: the admin may handle it
    assert admin.post(f"/review/appeals/{bob_appeal}", data={"decision": "uphold", "reply": "80 is wrong."}
                      ).status_code == 302
    assert admin.get("/admin/appeals?state=upheld").text.count('data-appeal="') == 1
    rita = login(app, "rita", ("reviewer",))
    assert 'href="/review/appeals"' in rita.get("/").text


# --- regrade ---

def test_regrade_dry_run_then_apply(app, exam):
    exam_id, ids, _positions = exam
    admin = login(app, "boss", ("admin",))
    url = f"/admin/exams/{exam_id}/regrade"
    assert 'data-testid="regrade-nothing"' in admin.get(url).text
    with app.app_context():
        correct_bank(CORRECTED_SINGLE)
        fingerprint = regrade_plan(exam_id).fingerprint
    page = admin.get(url).text
    assert page.count('data-slot="') == 2 and "Ann Fullname" in page and fingerprint in page
    assert "2 → <strong>0</strong>" in page
    unconfirmed = admin.post(url, data={"fingerprint": fingerprint})
    assert unconfirmed.status_code == 400 and "confirm" in unconfirmed.text
    stale = admin.post(url, data={"fingerprint": "0" * 32, "confirm": "y"})
    assert stale.status_code == 409 and 'data-testid="regrade-error"' in stale.text
    assert admin.post(url, data={"fingerprint": "x" * 500, "confirm": "y"}).status_code == 400
    with app.app_context():
        assert scores(ids["ann"])["single"] == 2.0  # nothing changed yet
    done = admin.post(url, data={"fingerprint": fingerprint, "confirm": "y"})
    assert done.status_code == 302
    with app.app_context():
        assert scores(ids["ann"])["single"] == 0.0 and scores(ids["bob"])["single"] == 2.0
    after = admin.get(url).text
    assert "2 scores changed" in after and 'data-testid="regrade-none"' in after
    assert admin.get(f"/admin/exams/{exam_id}").text.count(f'href="{url}"') == 1  # the tab
    assert admin.get("/admin/exams/999999/regrade").status_code == 404


# --- CSRF ---

def test_csrf_is_required(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        exam_id, ids = graded_exam({"ann": {}})
        position = slot(ids["ann"], "short").position
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    with app.app_context():
        ensure_user("ann")
    token = csrf_token_from(client.get("/login").text)
    client.post("/login", data={"username": "ann", "password": "correct-horse-42", "csrf_token": token})
    url = appeal_url(ids["ann"], position)
    assert client.post(url, data={"reason": "No token."}).status_code == 400
    assert appeal_count(app) == 0
    review = client.get(f"/attempts/{ids['ann']}/review").text
    form = review.split(f'action="{url}"', 1)[1]
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    assert client.post(url, data={"reason": "With a token.", "csrf_token": token}).status_code == 302
    assert appeal_count(app) == 1
