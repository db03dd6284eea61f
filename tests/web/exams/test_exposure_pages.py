"""The exam's difficulty tolerance setting and the preview's exposure figures (issue 9 §2)."""
from __future__ import annotations

import re
from dataclasses import replace

import pytest

from examengine.extensions import db
from examengine.models import Exam
from examengine.services.exams import ExamError, ExamSettings, update_exam
from tests.exam_admin_samples import singles
from tests.web.exams.test_admin_exams import FORM, add_attempt, add_section, create, draw, load, only_exam

# The issue's pool: ten easy questions and one each of difficulty 2 to 5; papers draw 3.
ISSUE_POOL = singles(10, difficulty=1) + [(d, "", None, "single") for d in range(2, 6)]


def shown_in(page: str, name: str) -> str:
    return re.search(rf'data-testid="{name}">([^<]*)<', page).group(1).strip()


def exam_drawing(app, client, count: str, questions, **settings) -> int:
    load(app, "pool", questions)
    exam_id = create(client, **settings)
    assert draw(client, exam_id, add_section(client, exam_id), qtype="single", count=count).status_code == 302
    return exam_id


def test_the_preview_reports_spread_and_exposure_of_the_issue_pool(app, admin_client):
    exam_id = exam_drawing(app, admin_client, "3", ISSUE_POOL)
    page = admin_client.get(f"/admin/exams/{exam_id}/preview?seed=4").text
    assert shown_in(page, "spread-stdev") == "0.00" and shown_in(page, "spread-min") == "8"
    assert shown_in(page, "exposure-target") == "8"
    assert (shown_in(page, "exposure-min"), shown_in(page, "exposure-max")) == ("10%", "50%")
    assert shown_in(page, "exposure-never") == "0"
    assert 'data-testid="exposure-warning"' not in page  # exactly half is not more than half
    assert page.count('data-testid="exposure-row"') == 14
    assert "Exact, computed from the weights" in page


def test_the_preview_warns_about_questions_on_most_papers(app, admin_client):
    exam_id = exam_drawing(app, admin_client, "3", singles(4))
    page = admin_client.get(f"/admin/exams/{exam_id}/preview").text
    assert shown_in(page, "exposure-max") == "75%"
    warning = page[page.index('data-testid="exposure-warning"'):]
    assert "4 questions would appear on more than half of the papers" in warning
    assert "pool/q0 (75%)" in warning


def test_the_preview_warning_in_chinese(app, admin_client):
    exam_id = exam_drawing(app, admin_client, "3", singles(4))
    page = admin_client.get(f"/admin/exams/{exam_id}/preview", headers={"Accept-Language": "zh-CN"}).text
    assert "4 道题会出现在一半以上的试卷上" in page and "曝光率" in page


def test_a_tolerance_is_saved_and_widens_the_spread(app, admin_client):
    exam_id = exam_drawing(app, admin_client, "3", ISSUE_POOL, difficulty_tolerance="2")
    assert only_exam(app).difficulty_tolerance == 2
    assert 'name="difficulty_tolerance"' in admin_client.get(f"/admin/exams/{exam_id}").text
    page = admin_client.get(f"/admin/exams/{exam_id}/preview").text
    assert shown_in(page, "exposure-target").endswith("± 2")
    assert shown_in(page, "exposure-max") == "21.4%"  # every question equally often: 3 of 14
    assert float(shown_in(page, "spread-stdev")) > 0


def test_a_form_without_the_field_keeps_equal_difficulty(app, admin_client):
    create(admin_client)  # FORM has no difficulty_tolerance: older clients
    assert only_exam(app).difficulty_tolerance == 0


@pytest.mark.parametrize(("value", "message"), [
    ("-1", "The difficulty tolerance must be a whole number from 0 to 20."),
    ("21", "The difficulty tolerance must be a whole number from 0 to 20."),
    ("1.5", "Not a valid integer value."),
])
def test_a_bad_tolerance_is_refused_with_a_message(app, admin_client, value, message):
    response = admin_client.post("/admin/exams/new", data={**FORM, "difficulty_tolerance": value})
    assert response.status_code == 400 and message in response.text
    with app.app_context():
        assert db.session.query(Exam).count() == 0


def test_the_tolerance_is_locked_once_attempts_exist(app, admin_client):
    exam_id = exam_drawing(app, admin_client, "2", singles(6), difficulty_tolerance="1")
    add_attempt(app, exam_id)
    settings = admin_client.get(f"/admin/exams/{exam_id}").text
    assert re.search(r'name="difficulty_tolerance"[^>]*disabled|disabled[^>]*name="difficulty_tolerance"', settings)
    posted = admin_client.post(f"/admin/exams/{exam_id}", data={**FORM, "difficulty_tolerance": "5"})
    assert posted.status_code == 302 and only_exam(app).difficulty_tolerance == 1  # the disabled input is pinned
    with app.app_context():
        exam = db.session.get(Exam, exam_id)
        with pytest.raises(ExamError) as refused:
            update_exam(exam, replace(ExamSettings.of(exam), difficulty_tolerance=3))
        assert "locked" in refused.value.errors["difficulty_tolerance"][0]
        assert db.session.get(Exam, exam_id).difficulty_tolerance == 1
