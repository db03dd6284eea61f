"""The exam settings' leave-page block: off by default, saved from the form, bad limits refused."""
from __future__ import annotations

import re

import pytest

from examengine.extensions import db
from examengine.models import Exam
from tests.web.exams.test_admin_exams import FORM, count


def test_the_block_is_on_the_form_and_off_by_default(app, admin_client):
    page = admin_client.get("/admin/exams/new").text
    assert 'data-testid="leave-settings"' in page and 'name="leave_limit"' in page
    response = admin_client.post("/admin/exams/new", data=FORM)
    exam_id = int(re.search(r"/admin/exams/(\d+)/", response.headers["Location"]).group(1))
    with app.app_context():
        exam = db.session.get(Exam, exam_id)
        assert (exam.leave_notice, exam.leave_limit, exam.fullscreen_on_start) == (False, None, False)
    data = {**FORM, "leave_notice": "y", "leave_limit": "3", "fullscreen_on_start": "y"}
    assert admin_client.post(f"/admin/exams/{exam_id}", data=data).status_code == 302
    with app.app_context():
        exam = db.session.get(Exam, exam_id)
        assert (exam.leave_notice, exam.leave_limit, exam.fullscreen_on_start) == (True, 3, True)
    assert admin_client.post(f"/admin/exams/{exam_id}", data=FORM).status_code == 302  # empty: no limit
    with app.app_context():
        assert db.session.get(Exam, exam_id).leave_limit is None


@pytest.mark.parametrize("value, message", [
    ("0", "The leave limit is a number of leaves from 1 to 100, or empty for no limit."),
    ("101", "The leave limit is a number of leaves from 1 to 100, or empty for no limit."),
    ("many", "Not a valid integer value."),
])
def test_a_bad_limit_is_refused_with_a_message(app, admin_client, value, message):
    response = admin_client.post("/admin/exams/new", data={**FORM, "leave_limit": value})
    assert response.status_code == 400 and message in response.text
    assert count(app, Exam) == 0
