"""Question reports over HTTP: the exam page's and the review page's controls (JSON and the forms
without JavaScript, answers kept), the admins' list, filter and resolve, the question page, 404s, CSRF."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from examengine.extensions import db
from examengine.models import QuestionReport
from tests.conftest import csrf_token_from, english_client
from tests.exam_builders import KEY_MARKERS, make_exam
from tests.web.exam_fixtures import employee_client, positions, slot_state, start


@pytest.fixture
def exam_id(app):
    return make_exam(app, users=["alice", "bob"], show_score="immediately")


@pytest.fixture
def alice(app, exam_id):
    return employee_client(app, "alice")


def report(client, attempt_id, position, comment="The key looks wrong.", **kwargs):
    return client.post(f"/attempts/{attempt_id}/slots/{position}/report", json={"comment": comment}, **kwargs)


def reports(app) -> list[QuestionReport]:
    with app.app_context():
        rows = list(db.session.scalars(select(QuestionReport).order_by(QuestionReport.id)))
        db.session.expunge_all()
        return rows


def count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(QuestionReport))


def admin(app, make_user):
    make_user("admin", roles=("admin",))
    return employee_client(app, "admin")


# --- the exam page ---

def test_every_question_of_the_exam_page_has_a_report_control_inside_the_exam_form(app, alice, exam_id):
    attempt_id = start(alice, exam_id)
    page = alice.get(f"/attempts/{attempt_id}").text
    assert page.count('data-testid="report-control"') == 6
    assert page.count(f'formaction="/attempts/{attempt_id}/report-from-exam"') == 6
    assert re.search(r'src="/static/js/reports\.[0-9a-f]{12}\.js"', page)
    assert "Report a problem with this question" in page
    assert not any(marker in page for marker in KEY_MARKERS)


def test_a_json_report_during_the_exam_leaves_the_answers_alone(app, alice, exam_id):
    attempt_id = start(alice, exam_id)
    where = positions(app, attempt_id)
    before = slot_state(app, attempt_id)
    response = report(alice, attempt_id, where["single"], "Two options look correct.")
    assert response.status_code == 200, response.text
    body = response.get_json()
    assert body["created"] is True and body["state"] == "open" and body["state_label"] == "Open"
    assert "your report was received" in body["message"]
    assert set(body) == {"message", "state", "state_label", "created"}  # nothing about the key
    again = report(alice, attempt_id, where["single"], "Options B and C are both right.").get_json()
    assert again["created"] is False and "updated" in again["message"]
    assert slot_state(app, attempt_id) == before
    [stored] = reports(app)
    assert (stored.comment, stored.state) == ("Options B and C are both right.", "open")
    page = alice.get(f"/attempts/{attempt_id}").text
    status = re.search(rf'id="q-{where["single"]}".*?data-testid="report-status"[^>]*>(.*?)</div>', page, re.S).group(1)
    assert "was received" in status and 'data-state="open"' in status
    assert ">Options B and C are both right.</textarea>" in page


def test_a_json_report_with_a_bad_comment_is_refused_with_a_message(app, alice, exam_id):
    attempt_id = start(alice, exam_id)
    response = report(alice, attempt_id, 0, "x" * 1001)
    assert response.status_code == 400
    assert response.get_json() == {"error": "The report is too long: at most 1,000 characters.", "reason": "bad_input"}
    assert report(alice, attempt_id, 0, "  ").get_json()["error"] == "Write what seems wrong with this question."
    malformed = alice.post(f"/attempts/{attempt_id}/slots/0/report", json=["not", "an", "object"])
    assert malformed.status_code == 400 and malformed.get_json()["reason"] == "bad_input"
    assert count(app) == 0


def test_the_exam_form_without_javascript_saves_the_answers_then_files_the_report(app, alice, exam_id):
    attempt_id = start(alice, exam_id)
    where = positions(app, attempt_id)
    data = {f"q{where['short']}": "My unsaved written answer", "report": str(where["fill"]),
            f"report-comment-{where['fill']}": "Blank 2 has no unit.", f"report-comment-{where['single']}": "ignored"}
    response = alice.post(f"/attempts/{attempt_id}/report-from-exam", data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/attempts/{attempt_id}#q-{where['fill']}"
    assert slot_state(app, attempt_id)[where["short"]][0] == "My unsaved written answer"
    [stored] = reports(app)
    assert stored.comment == "Blank 2 has no unit." and stored.attempt_id == attempt_id
    page = alice.get(f"/attempts/{attempt_id}").text
    assert "Your answers were saved. Thank you: your report was received." in page


def test_the_exam_form_with_an_empty_report_still_saves_the_answers(app, alice, exam_id):
    attempt_id = start(alice, exam_id)
    where = positions(app, attempt_id)
    data = {f"q{where['short']}": "Kept", "report": str(where["short"]), f"report-comment-{where['short']}": ""}
    response = alice.post(f"/attempts/{attempt_id}/report-from-exam", data=data, follow_redirects=True)
    assert "Your answers were saved, but the report was not sent: Write what seems wrong" in response.text
    assert slot_state(app, attempt_id)[where["short"]][0] == "Kept"
    assert count(app) == 0


def test_the_exam_page_is_in_chinese_by_default(app, exam_id):
    client = app.test_client()
    from tests.conftest import Auth
    Auth(client).login("alice")
    attempt_id = start(client, exam_id)
    page = client.get(f"/attempts/{attempt_id}").text
    assert "反馈这道题的问题" in page and "发送反馈" in page
    body = client.post(f"/attempts/{attempt_id}/slots/0/report", json={"comment": ""}).get_json()
    assert body["error"] == "请写明这道题哪里有问题。"


# --- the review page ---

def test_the_review_page_reports_with_a_plain_form_and_shows_the_state(app, alice, exam_id):
    attempt_id = start(alice, exam_id)
    assert alice.post(f"/attempts/{attempt_id}/submit").status_code == 302
    page = alice.get(f"/attempts/{attempt_id}/review").text
    assert page.count('data-testid="report-form"') == 6 and re.search(r'src="/static/js/reports\.[0-9a-f]{12}\.js"', page)
    response = alice.post(f"/attempts/{attempt_id}/slots/2/report", data={"comment": "Outdated question."})
    assert response.status_code == 302 and response.headers["Location"] == f"/attempts/{attempt_id}/review#q-2"
    page = alice.get(f"/attempts/{attempt_id}/review").text
    assert "Thank you: your report was received." in page and "was received; the administrators" in page
    refused = alice.post(f"/attempts/{attempt_id}/slots/2/report", data={"comment": ""}, follow_redirects=True)
    assert "Write what seems wrong with this question." in refused.text
    assert [r.comment for r in reports(app)] == ["Outdated question."]
    # A JSON report after the exam works too (the review page's script).
    assert report(alice, attempt_id, 3).status_code == 200


# --- who may report what ---

def test_nobody_reports_on_someone_elses_attempt_or_a_question_not_on_the_paper(app, alice, exam_id, make_user):
    attempt_id = start(alice, exam_id)
    bob = employee_client(app, "bob")
    assert report(bob, attempt_id, 0).status_code == 404
    assert bob.post(f"/attempts/{attempt_id}/slots/0/report", data={"comment": "x"}).status_code == 404
    assert bob.post(f"/attempts/{attempt_id}/report-from-exam", data={"report": "0", "report-comment-0": "x"}
                    ).status_code == 404
    assert report(alice, attempt_id, 6).status_code == 404
    assert report(alice, 10**12, 0).status_code == 404
    assert alice.post(f"/attempts/{attempt_id}/report-from-exam", data={"report": "99"}).status_code == 404
    assert count(app) == 0
    assert alice.get("/admin/questions/reports").status_code == 403
    assert alice.post("/admin/questions/reports/1/resolve").status_code == 403


def test_json_reports_and_resolving_need_the_csrf_token(app_factory, make_user):
    app = app_factory(WTF_CSRF_ENABLED=True)
    exam = make_exam(app, users=["alice"])
    client = english_client(app)
    login = client.get("/login").text
    client.post("/login", data={"username": "alice", "password": "correct-horse-42", "csrf_token": csrf_token_from(login)})
    page = client.get(f"/exams/{exam}").text
    started = client.post(f"/exams/{exam}/start", data={"csrf_token": csrf_token_from(page)})
    attempt_id = int(started.headers["Location"].rsplit("/", 1)[1])
    token = csrf_token_from(client.get(f"/attempts/{attempt_id}").text)
    assert report(client, attempt_id, 0).status_code == 400
    assert report(client, attempt_id, 0, headers={"X-CSRFToken": "forged"}).status_code == 400
    assert count(app) == 0
    assert report(client, attempt_id, 0, headers={"X-CSRFToken": token}).status_code == 200
    with app.app_context():
        from examengine.services.accounts import create_user
        create_user("admin", password="correct-horse-42", roles=("admin",))
    boss = english_client(app)
    login = boss.get("/login").text
    boss.post("/login", data={"username": "admin", "password": "correct-horse-42", "csrf_token": csrf_token_from(login)})
    report_id = reports(app)[0].id
    assert boss.post(f"/admin/questions/reports/{report_id}/resolve", data={"note": "x"}).status_code == 400
    listing = boss.get("/admin/questions/reports").text
    resolved = boss.post(f"/admin/questions/reports/{report_id}/resolve",
                         data={"note": "x", "csrf_token": csrf_token_from(listing)})
    assert resolved.status_code == 302 and reports(app)[0].state == "resolved"


# --- the admins ---

def test_the_admin_lists_filters_and_resolves_reports_with_statistics_beside(app, alice, exam_id, make_user):
    attempt_id = start(alice, exam_id)
    where = positions(app, attempt_id)
    report(alice, attempt_id, where["single"], "Single seems wrong.")
    report(alice, attempt_id, where["fill"], "Fill seems wrong.")
    alice.post(f"/attempts/{attempt_id}/submit")
    boss = admin(app, make_user)
    assert 'href="/admin/questions/reports?state=open"' in boss.get("/admin/questions").text
    page = boss.get("/admin/questions/reports").text
    assert page.count('data-state="open"') >= 2 and "Single seems wrong." in page and "HTTPS port" in page
    assert "1 answer · facility" in page  # alice's graded paper: one answer per version
    assert "Test exam" in page and "alice" in page
    first = reports(app)[0]
    response = boss.post(f"/admin/questions/reports/{first.id}/resolve",
                         data={"note": "Key checked: it is right.", "back": "list", "state": "open"})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/questions/reports?state=open"
    assert reports(app)[0].state == "resolved" and reports(app)[0].resolution_note == "Key checked: it is right."
    again = boss.post(f"/admin/questions/reports/{first.id}/resolve", data={"note": ""}, follow_redirects=True)
    assert "This report has already been resolved." in again.text
    open_page = boss.get("/admin/questions/reports?state=open").text
    assert "Fill seems wrong." in open_page and "Single seems wrong." not in open_page
    resolved_page = boss.get("/admin/questions/reports?state=resolved").text
    assert "Single seems wrong." in resolved_page and "Key checked: it is right." in resolved_page
    assert "Resolved by admin at" in resolved_page
    everything = boss.get("/admin/questions/reports?state=bogus&page=99").text
    assert everything.index("Fill seems wrong.") < everything.index("Single seems wrong.")  # open first
    assert boss.post("/admin/questions/reports/999999/resolve").status_code == 404
    # The examinee sees that it was resolved, never the admins' note.
    review = alice.get(f"/attempts/{attempt_id}/review").text
    assert "was resolved" in review and "Key checked" not in review


def test_the_question_page_lists_its_reports_and_resolves_back_to_itself(app, alice, exam_id, make_user):
    attempt_id = start(alice, exam_id)
    report(alice, attempt_id, positions(app, attempt_id)["short"], "Rubric misses a point.")
    boss = admin(app, make_user)
    stored = reports(app)[0]
    page = boss.get(f"/admin/questions/{stored.question_id}").text
    assert 'data-testid="question-reports"' in page and "Rubric misses a point." in page
    assert "no graded answers yet" in page  # the attempt is still in progress
    response = boss.post(f"/admin/questions/reports/{stored.id}/resolve", data={"note": "", "back": "question"})
    assert response.headers["Location"] == f"/admin/questions/{stored.question_id}#reports"
    assert 'data-testid="resolution"' in boss.get(f"/admin/questions/{stored.question_id}").text
    other = boss.get("/admin/questions/1").text if stored.question_id != 1 else boss.get("/admin/questions/2").text
    assert "No examinee has reported this question." in other


def test_the_reports_list_pages(app, make_user):
    from examengine.services.reports import listing
    exam = make_exam(app, users=[f"user{i}" for i in range(3)])
    for i in range(3):
        client = employee_client(app, f"user{i}")
        report(client, start(client, exam), 0, f"Comment {i}")
    boss = admin(app, make_user)
    original = listing.PER_PAGE
    listing.PER_PAGE = 2
    try:
        first = boss.get("/admin/questions/reports").text
        second = boss.get("/admin/questions/reports?page=2").text
    finally:
        listing.PER_PAGE = original
    assert 'aria-label="Pages"' in first and "Comment 2" in first and "Comment 0" not in first
    assert "Comment 0" in second
