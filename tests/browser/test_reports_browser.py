"""An examinee reports a question during the exam in a real browser: the report goes as JSON, the page
stays, and an answer not yet saved is neither lost nor overwritten."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.helpers import wait_for
from tests.browser.test_exam_browser import login
from tests.exam_builders import make_exam
from tests.web.exam_fixtures import positions, slot_state
from tests.web.reports.test_reports import reports


def test_reporting_a_question_keeps_an_unsaved_answer(page, live_server, app):
    exam_id = make_exam(app, users=["alice"], title="Report exam", time_limit_minutes=30)
    login(page, live_server, "alice")
    page.goto(f"{live_server}/exams/{exam_id}")
    page.get_by_test_id("start-exam").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+$"))
    attempt_id = int(page.url.rsplit("/", 1)[1])
    where = positions(app, attempt_id)
    status = page.get_by_test_id("save-status")
    expect(status).to_have_attribute("data-state", "saved")

    # Saves fail for now: the written answer stays unsaved on the page.
    page.route("**/save", lambda route: route.abort())
    answer = page.locator(f"textarea[name=q{where['short']}]")
    answer.fill("Check the scope first, not yet saved.")
    expect(status).not_to_have_attribute("data-state", "saved")
    assert slot_state(app, attempt_id)[where["short"]][0] is None

    control = page.locator(f"#q-{where['single']} [data-testid=report-control]")
    control.locator("summary").click()
    control.locator("textarea").fill("两个选项看起来都是对的。")
    seq_before = slot_state(app, attempt_id)[where["single"]][1]
    control.get_by_test_id("report-submit").click()
    expect(control.get_by_test_id("report-status")).to_contain_text("已收到您的反馈")  # zh-CN UI
    expect(control.locator("[data-report-status] .badge")).to_have_attribute("data-state", "open")
    wait_for(lambda: [r.comment for r in reports(app)] == ["两个选项看起来都是对的。"])

    # Same page, the answer still there and still to be saved; typing the report touched no answer.
    assert page.url.endswith(f"/attempts/{attempt_id}")
    expect(answer).to_have_value("Check the scope first, not yet saved.")
    assert slot_state(app, attempt_id)[where["single"]][1] == seq_before

    # Saves work again: the answer kept on the page reaches the server.
    page.unroute("**/save")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status).to_have_attribute("data-state", "saved")
    wait_for(lambda: slot_state(app, attempt_id)[where["short"]][0] == "Check the scope first, not yet saved.")
