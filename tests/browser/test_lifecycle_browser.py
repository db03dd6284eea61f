"""In a real browser (Chinese UI): the admin publishes a draft from its confirmation page, and the
employee, who did not see the draft, then sees the exam and can open it."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.test_exam_browser import login
from tests.exam_builders import ensure_user, make_exam


def test_admin_publishes_then_the_employee_sees_the_exam(page, live_server, app):
    with app.app_context():
        ensure_user("admin", roles=("admin",))
    exam_id = make_exam(app, users=["alice"], title="草稿考试", status="draft")

    login(page, live_server, "alice")
    page.goto(f"{live_server}/exams")
    expect(page.get_by_text("草稿考试")).to_have_count(0)
    page.context.clear_cookies()

    login(page, live_server, "admin")
    page.goto(f"{live_server}/admin/exams/{exam_id}")
    expect(page.get_by_test_id("exam-status").first).to_have_text("草稿")
    page.get_by_test_id("publish-exam").click()
    expect(page).to_have_url(re.compile(rf"/admin/exams/{exam_id}/publish$"))
    expect(page.get_by_test_id("summary-questions")).to_have_text("6")
    expect(page.get_by_test_id("summary-assigned")).to_contain_text("1 名考生")
    page.get_by_test_id("confirm-publish").click()
    expect(page).to_have_url(re.compile(rf"/admin/exams/{exam_id}$"))
    expect(page.get_by_test_id("exam-status").first).to_have_text("进行中")
    page.context.clear_cookies()

    login(page, live_server, "alice")
    page.goto(f"{live_server}/exams")
    page.get_by_role("link", name="草稿考试").first.click()
    expect(page).to_have_url(re.compile(rf"/exams/{exam_id}$"))
    expect(page.get_by_test_id("start-exam")).to_be_visible()
