"""Calibration pages: the admin adds (from a submitted answer or typed) and deletes samples, the reviewer
is sent to calibration, sees their mark against the reference, and gets the queue once passed; the
admin sees each reviewer's result; permissions and CSRF."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from examengine.extensions import db
from examengine.models import CalibrationMark, CalibrationSample, Exam, GradingMark
from tests.conftest import Auth, csrf_token_from, english_client
from tests.exam_builders import ensure_user
from tests.grading_builders import grading_exam, user_id, version_id, written_slot

ANN = "<b>Check</b> the scope & layers"  # shown escaped, never rendered


def login(app, username, roles=("reviewer",), client=None):
    with app.app_context():
        ensure_user(username, roles=roles)
        db.session.commit()
    client = client or english_client(app)
    assert Auth(client).login(username).status_code == 302
    return client


def urls(app, exam_id, qtype="short"):
    with app.app_context():
        vid = version_id(qtype)
    return {"admin": f"/admin/exams/{exam_id}/calibration/{vid}", "new": f"/admin/exams/{exam_id}/calibration/{vid}/new",
            "next": f"/review/exams/{exam_id}/questions/{vid}/next",
            "calibration": f"/review/exams/{exam_id}/questions/{vid}/calibration"}


def gated_exam(app, **fields):
    fields.setdefault("calibration_required", True)
    return grading_exam(app, {"ann": ANN, "bob": "Reboot."}, reviewers=["rita"], **fields)


def samples(app) -> list[CalibrationSample]:
    with app.app_context():
        return list(db.session.scalars(select(CalibrationSample).where(CalibrationSample.deleted_at.is_(None))))


def test_the_admin_adds_samples_from_answers_and_typed_and_deletes_them(app):
    exam_id, ids = gated_exam(app)
    admin = login(app, "boss", ("admin",))
    url = urls(app, exam_id)
    page = admin.get(url["admin"]).text
    assert 'data-testid="no-samples"' in page and "not gated" in page
    assert "&lt;b&gt;Check&lt;/b&gt; the scope &amp; layers" in page and "<b>Check</b>" not in page
    assert "Annabelle" not in page and ">ann<" not in page
    with app.app_context():
        slot = written_slot(ids["ann"]).id
    form = admin.get(f"{url['new']}?slot={slot}").text
    assert "&lt;b&gt;Check&lt;/b&gt;" in form and 'name="rubric"' in form and 'name="explanation"' in form
    response = admin.post(f"{url['new']}?slot={slot}", data={"rubric": ["0"], "adjustment": "0.5",
                                                             "explanation": "Scope, half the layers."})
    assert response.status_code == 302
    response = admin.post(url["new"], data={"response": "Typed answer", "rubric": ["0", "1"]})
    assert response.status_code == 302
    rows = samples(app)
    assert [(s.response, s.reference_score, s.attempt_slot_id) for s in rows] == [
        (ANN, 2.5, slot), ("Typed answer", 5.0, None)]
    page = admin.get(url["admin"]).text
    assert 'data-testid="samples"' in page and "2.5 / 5" in page
    # Bad input: a clear message, nothing stored.
    bad = admin.post(url["new"], data={"response": "x", "adjustment": "9"})
    assert bad.status_code == 400 and "The score must be between 0 and 5" in bad.text
    bad = admin.post(url["new"], data={"response": "  "})
    assert bad.status_code == 400 and "Type the sample answer." in bad.text
    assert len(samples(app)) == 2
    assert admin.get(f"{url['new']}?slot=999999").status_code == 404
    assert admin.get(f"{url['new']}?slot=abc").status_code == 404
    with app.app_context():
        objective = version_id("single")
    assert admin.get(f"/admin/exams/{exam_id}/calibration/{objective}").status_code == 404
    response = admin.post(f"{url['admin']}/samples/{rows[1].id}/delete")
    assert response.status_code == 302
    assert [s.id for s in samples(app)] == [rows[0].id]
    assert admin.post(f"{url['admin']}/samples/{rows[1].id}/delete").status_code == 404


def test_a_reviewer_calibrates_then_the_queue_opens(app):
    exam_id, _ids = gated_exam(app, calibration_tolerance=10)
    url = urls(app, exam_id)
    admin = login(app, "boss", ("admin",))
    admin.post(url["new"], data={"response": "<i>Sample</i> one", "rubric": ["0"], "explanation": "Only the scope."})
    [sample] = samples(app)
    rita = login(app, "rita")
    home = rita.get("/review").text
    assert "Calibration not yet passed" in home and 'data-testid="calibrate"' in home
    response = rita.get(url["next"])
    assert response.status_code == 302 and response.headers["Location"].endswith(url["calibration"])
    page = rita.get(url["calibration"]).text
    assert "&lt;i&gt;Sample&lt;/i&gt; one" in page and "<i>Sample</i>" not in page
    assert 'name="rubric"' in page and "Only the scope." not in page  # the explanation comes after marking
    response = rita.post(f"{url['calibration']}/{sample.id}", data={"rubric": ["0", "1"]})  # 5 against 2
    assert response.status_code == 302
    result = rita.get(response.headers["Location"]).text
    assert "Outside the tolerance" in result and "Only the scope." in result
    assert re.search(r'data-testid="your-mark">5 / 5<', result) and re.search(r'data-testid="reference-mark">2 / 5<', result)
    assert rita.get(url["next"]).status_code == 302  # still closed
    assert "Calibration failed" in rita.get("/review").text
    bad = rita.post(f"{url['calibration']}/{sample.id}", data={"adjustment": "7"})
    assert bad.status_code == 400 and "between 0 and 5" in bad.text
    response = rita.post(f"{url['calibration']}/{sample.id}", data={"rubric": ["0"], "adjustment": "0.5"})
    result = rita.get(response.headers["Location"]).text
    assert "Within the tolerance" in result and 'data-testid="grade-next"' in result
    page = rita.get(url["next"])
    assert page.status_code == 200 and 'data-testid="mark-form"' in page.text
    assert "Calibration passed" in rita.get("/review").text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CalibrationMark)) == 2
        assert db.session.scalar(select(func.count()).select_from(GradingMark)) == 0
    # The admin sees the result per reviewer.
    reviewers = admin.get(f"/admin/exams/{exam_id}/reviewers").text
    row = reviewers.split('data-reviewer="rita"', 1)[1].split("</tr>", 1)[0]
    assert "Calibration passed" in row and "2.5 / 2" in row and "2 tries" in row


def test_someone_elses_result_and_other_exams_are_hidden(app):
    exam_id, _ids = gated_exam(app)
    url = urls(app, exam_id)
    admin = login(app, "boss", ("admin",))
    admin.post(url["new"], data={"response": "Sample", "rubric": ["0"]})
    [sample] = samples(app)
    rita = login(app, "rita")
    location = rita.post(f"{url['calibration']}/{sample.id}", data={"rubric": ["0"]}).headers["Location"]
    other = login(app, "ravi")  # a reviewer, not of this exam
    assert other.get(url["calibration"]).status_code == 404
    assert other.get(location).status_code == 404
    assert other.post(f"{url['calibration']}/{sample.id}", data={"rubric": ["0"]}).status_code == 404
    with app.app_context():
        exam = db.session.get(Exam, exam_id)
        exam.reviewers.append(db.session.get(type(exam.reviewers[0]), user_id("ravi")))
        db.session.commit()
    assert other.get(location).status_code == 404  # rita's mark, not ravi's
    assert rita.get(url["admin"]).status_code == 403  # the admin pages
    assert rita.post(url["new"], data={"response": "x"}).status_code == 403
    assert rita.post(f"{url['admin']}/samples/{sample.id}/delete").status_code == 403
    employee = login(app, "emma", ("employee",))
    assert employee.get(url["calibration"]).status_code == 403


def test_no_samples_or_not_required_leaves_the_queue_open(app):
    exam_id, _ids = gated_exam(app, calibration_required=False)
    url = urls(app, exam_id)
    rita = login(app, "rita")
    assert rita.get(url["next"]).status_code == 200
    admin = login(app, "boss", ("admin",))
    admin.post(url["new"], data={"response": "Sample", "rubric": ["0"]})
    assert rita.get(url["next"]).status_code == 200
    page = rita.get(url["calibration"]).text
    assert 'data-testid="not-required"' in page  # practice is allowed


def test_the_settings_on_the_reviewers_page(app):
    exam_id, _ids = gated_exam(app, calibration_required=False)
    admin = login(app, "boss", ("admin",))
    page = admin.get(f"/admin/exams/{exam_id}/reviewers").text
    assert 'name="calibration_required"' in page and 'data-testid="calibration-off"' in page
    with app.app_context():
        rita = user_id("rita")
    response = admin.post(f"/admin/exams/{exam_id}/reviewers", data={
        "reviewers": [str(rita)], "double_marking_tolerance": "20", "calibration_required": "y",
        "calibration_tolerance": "15"})
    assert response.status_code == 302
    with app.app_context():
        exam = db.session.get(Exam, exam_id)
        assert exam.calibration_required and exam.calibration_tolerance == 15
    bad = admin.post(f"/admin/exams/{exam_id}/reviewers", data={
        "reviewers": [str(rita)], "double_marking_tolerance": "20", "calibration_tolerance": "120"})
    assert bad.status_code == 400 and "percentage from 0 to 100" in bad.text


def test_forms_need_the_csrf_token(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    exam_id, _ids = gated_exam(app)
    url = urls(app, exam_id)
    admin = english_client(app)
    token = csrf_token_from(admin.get("/login").text)
    with app.app_context():
        ensure_user("boss", roles=("admin",))
        db.session.commit()
    assert Auth(admin).login("boss", csrf_token=token).status_code == 302
    assert admin.post(url["new"], data={"response": "Sample", "rubric": ["0"]}).status_code == 400
    assert samples(app) == []
    token = csrf_token_from(admin.get(url["new"]).text)
    assert admin.post(url["new"], data={"response": "Sample", "rubric": ["0"], "csrf_token": token}).status_code == 302
    [sample] = samples(app)
    assert admin.post(f"{url['admin']}/samples/{sample.id}/delete").status_code == 400
    assert len(samples(app)) == 1


def test_the_pages_are_in_chinese_by_default(app):
    exam_id, _ids = gated_exam(app)
    url = urls(app, exam_id)
    admin = login(app, "boss", ("admin",))
    admin.post(url["new"], data={"response": "Sample", "rubric": ["0"]})
    rita = login(app, "rita", client=app.test_client())
    page = rita.get(url["calibration"]).text
    assert "校准" in page
