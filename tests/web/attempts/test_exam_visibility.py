"""Examinees see published exams only: a draft or archived exam is not in their list, its page and
start answer 404 (HTML and JSON), and neither the start page, their results, appeals nor their
attempts' pages reveal it. A published exam shows by its window (scheduled, open, closed)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from examengine.extensions import db
from examengine.models import Exam
from examengine.models._time import utcnow
from tests.exam_builders import build_exam, close_exam
from tests.grading_builders import submit_attempts

TITLE = "Lifecycle visibility exam"
JSON = {"Accept": "application/json"}


@pytest.fixture
def employee(client, auth, make_user):
    make_user("ann")
    auth.login("ann")
    return client


def exam_with(app, status: str, **fields) -> int:
    with app.app_context():
        return build_exam(title=TITLE, users=["ann"], status=status, **fields).id


@pytest.mark.parametrize("status", ["draft", "archived"])
def test_a_draft_or_archived_exam_does_not_exist_for_the_examinee(app, employee, status):
    exam_id = exam_with(app, status)
    assert TITLE not in employee.get("/exams").text
    assert 'data-testid="exam-counts"' not in employee.get("/").text  # the start page counts no exam
    assert employee.get(f"/exams/{exam_id}").status_code == 404
    assert employee.post(f"/exams/{exam_id}/start").status_code == 404
    json_start = employee.post(f"/exams/{exam_id}/start", headers=JSON)
    assert json_start.status_code == 404 and TITLE not in json_start.text
    assert TITLE not in employee.get("/results").text


def test_an_archived_exam_hides_the_examinees_attempts_and_results(app, employee):
    exam_id = exam_with(app, "published", show_score="immediately")
    with app.app_context():
        attempt_id = submit_attempts(exam_id, {"ann": "an answer"})["ann"]
    assert employee.get(f"/attempts/{attempt_id}/review").status_code == 200
    assert TITLE in employee.get("/results").text
    with app.app_context():
        close_exam(exam_id)
        db.session.get(Exam, exam_id).status = "archived"
        db.session.commit()
    assert employee.get(f"/attempts/{attempt_id}/review").status_code == 404
    assert employee.get(f"/attempts/{attempt_id}").status_code == 404
    assert employee.post(f"/attempts/{attempt_id}/save", json={"changes": []}).status_code == 404
    assert employee.get(f"/attempts/{attempt_id}/slots/0/appeal").status_code == 404
    for page in ("/exams", "/results", "/appeals/mine", "/"):
        assert TITLE not in employee.get(page).text, page


def test_a_published_exam_follows_its_window(app, employee):
    later = utcnow().replace(microsecond=0) + timedelta(days=1)
    scheduled = exam_with(app, "published", opens_at=later, closes_at=later + timedelta(days=1))
    assert TITLE in employee.get("/exams").text
    assert employee.get(f"/exams/{scheduled}").status_code == 200
    refused = employee.post(f"/exams/{scheduled}/start", headers=JSON)
    assert refused.status_code == 409 and refused.get_json()["reason"] == "not_open_yet"
    with app.app_context():
        exam = db.session.get(Exam, scheduled)
        exam.opens_at = utcnow() - timedelta(hours=1)
        db.session.commit()
    assert employee.post(f"/exams/{scheduled}/start").status_code == 302  # open: the attempt starts
    with app.app_context():
        close_exam(scheduled)
    assert TITLE in employee.get("/exams").text  # closed exams stay listed with their results
