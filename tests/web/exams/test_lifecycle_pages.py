"""The admin's lifecycle pages: the publish confirmation (what examinees will get, or why not), the
actions, the state badge and filter of the exam list, an archived exam read-only, and the to-do
summary of the admin's start page."""
from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from examengine.extensions import db
from examengine.models import Appeal, Exam, QuestionReport
from examengine.models._time import utcnow
from examengine.services.dashboard import admin_todo
from examengine.services.dashboard.todo import end_of_local_day
from tests.conftest import PASSWORD
from tests.exam_builders import build_exam, ensure_user
from tests.grading_builders import submit_attempts, written_slot


def draft(app, **fields) -> int:
    with app.app_context():
        return build_exam(status="draft", **fields).id


def status_of(app, exam_id: int) -> str:
    with app.app_context():
        return db.session.get(Exam, exam_id).status


def test_the_confirmation_shows_what_examinees_will_get_then_publishes(app, admin_client):
    exam_id = draft(app, title="Network basics", users=["ann", "bob"], groups=["support"], time_limit_minutes=45)
    page = admin_client.get(f"/admin/exams/{exam_id}/publish").text
    summary = page[page.index('data-testid="publish-summary"'):]
    assert re.search(r'data-testid="summary-questions">6<', summary)
    assert re.search(r'data-testid="summary-points">24<', summary)
    assert "45 minutes" in summary and "2 examinees" in summary and "support" in summary and "ann, bob" in summary
    assert 'data-testid="summary-window"' in summary and "Total difficulty from 15 to 15" in summary
    assert 'data-testid="confirm-publish"' in page and status_of(app, exam_id) == "draft"  # GET changes nothing
    response = admin_client.post(f"/admin/exams/{exam_id}/publish")
    assert response.status_code == 302 and status_of(app, exam_id) == "published"
    assert "Published the exam Network basics" in admin_client.get(response.location).text


def test_the_confirmation_refuses_what_cannot_be_published(app, admin_client):
    exam_id = draft(app, rules=[])
    page = admin_client.get(f"/admin/exams/{exam_id}/publish").text
    assert "The exam has no rules yet" in page and "Nobody is assigned" in page
    assert 'data-testid="confirm-publish"' not in page
    refused = admin_client.post(f"/admin/exams/{exam_id}/publish")
    assert refused.status_code == 400 and "The exam has no rules yet" in refused.text
    assert status_of(app, exam_id) == "draft"


def test_the_confirmation_in_chinese(app, client, make_user):
    make_user("admin", roles=("admin",))
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    client.post("/login", data={"username": "admin", "password": PASSWORD})
    ready = draft(app, users=["ann"])
    page = client.get(f"/admin/exams/{ready}/publish").text
    assert "发布该考试？" in page and "每份试卷题数" in page and "1 名考生" in page and "60 分钟" in page
    empty = draft(app, bank_md=None, rules=[], title="Empty")
    assert "尚未指派考生：请在“设置”标签页选择用户组或用户。" in client.get(f"/admin/exams/{empty}/publish").text


def test_actions_unpublish_close_archive_restore(app, admin_client):
    exam_id = draft(app, users=["ann"])
    admin_client.post(f"/admin/exams/{exam_id}/publish")
    page = admin_client.get(f"/admin/exams/{exam_id}").text
    assert 'data-testid="unpublish-exam"' in page and 'data-testid="close-exam-now"' in page
    with app.app_context():
        submit_attempts(exam_id, {"ann": "text"})
    refused = admin_client.post(f"/admin/exams/{exam_id}/unpublish", follow_redirects=True)
    assert "Attempts exist, so the exam cannot go back to draft." in refused.text
    assert status_of(app, exam_id) == "published"
    assert "The exam is closed for everyone." in admin_client.post(
        f"/admin/exams/{exam_id}/close-now", follow_redirects=True).text
    archived = admin_client.post(f"/admin/exams/{exam_id}/archive", follow_redirects=True).text
    assert "The exam is archived" in archived and 'data-testid="restore-exam"' in archived
    edit = admin_client.post(f"/admin/exams/{exam_id}/overrides", data={"user_id": "1"}, follow_redirects=True)
    assert "The exam is archived, so it cannot be changed. Restore it first." in edit.text
    admin_client.post(f"/admin/exams/{exam_id}/restore")
    assert status_of(app, exam_id) == "published"


def test_the_list_shows_the_state_with_a_filter(app, admin_client):
    now = utcnow().replace(microsecond=0)
    with app.app_context():
        build_exam(title="Exam A draft", status="draft")
        build_exam(bank_md=None, title="Exam B open")
        build_exam(bank_md=None, title="Exam C closed", opens_at=now - timedelta(days=2), closes_at=now - timedelta(days=1))
        build_exam(bank_md=None, title="Exam D archived", status="archived")

    def listed(query=""):
        page = admin_client.get("/admin/exams" + query).text
        return dict(re.findall(r'>(Exam [A-D] \w+)</a></td>.*?data-testid="exam-status">([^<]+)<', page, re.S))

    assert listed() == {"Exam A draft": "Draft", "Exam B open": "Open", "Exam C closed": "Closed"}
    assert listed("?state=archived") == {"Exam D archived": "Archived"}
    assert listed("?state=draft") == {"Exam A draft": "Draft"}
    assert len(listed("?state=all")) == 4 and listed("?state=nonsense") == listed()


def test_the_admin_home_summarises_what_needs_doing(app, admin_client):
    zone = app.config["EXAMENGINE_TIMEZONE"]
    now = utcnow().replace(microsecond=0)
    day_ends = end_of_local_day(now, zone)
    with app.app_context():
        running = build_exam(title="Running exam", users=["ann"], closes_at=now + timedelta(days=3)).id
        ids = submit_attempts(running, {"ann": "a written answer"})
        build_exam(bank_md=None, title="Closing soon", closes_at=min(day_ends - timedelta(seconds=1),
                                                                      now + timedelta(seconds=30)))
        build_exam(bank_md=None, title="Not live", status="draft")
        slot = written_slot(ids["ann"])
        appeal_user = ensure_user("ann")
        db.session.add(QuestionReport(attempt_id=ids["ann"], slot_id=slot.id, user_id=appeal_user.id,
                                      question_id=slot.version.question_id, version_id=slot.question_version_id,
                                      comment="typo", state="open"))
        db.session.add(Appeal(attempt_id=ids["ann"], slot_id=slot.id, user_id=appeal_user.id, reason="why",
                              state="open"))
        db.session.commit()
        todo = admin_todo(zone, now)
    assert (todo.running, todo.waiting_answers, todo.open_appeals, todo.open_reports) == (2, 2, 1, 1)
    assert [exam.title for exam, _close in todo.closing_today] == ["Closing soon"]
    page = admin_client.get("/").text
    assert 'data-testid="admin-todo"' in page
    for testid, href, count in (("todo-running", "/admin/exams?state=open", 2), ("todo-grading", "/review", 2),
                                ("todo-appeals", "/admin/appeals?state=open", 1),
                                ("todo-reports", "/admin/questions/reports?state=open", 1)):
        assert re.search(rf'href="{re.escape(href)}" data-testid="{testid}" data-count="{count}"', page), testid
    assert "2 exams are running now" in page and "1 exam closes today" in page and "Closing soon" in page


def test_closing_today_follows_the_sites_time_zone():
    # 2030-03-01 15:30 UTC is 23:30 in Shanghai: its day ends half an hour later.
    from datetime import datetime
    now = datetime(2030, 3, 1, 15, 30)
    assert end_of_local_day(now, "Asia/Shanghai") == datetime(2030, 3, 1, 16, 0)
    assert end_of_local_day(now, "UTC") == datetime(2030, 3, 2, 0, 0)
    assert ZoneInfo("Asia/Shanghai")  # the zone database is available


def test_an_admin_without_work_sees_an_empty_summary(app, admin_client):
    assert 'data-testid="todo-empty"' in admin_client.get("/").text
