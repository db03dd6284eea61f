"""Leave-page evidence in a real browser: a reload is a reload, a hidden page that comes back is a leave
timed by the server, the notice counts live, and the leave limit submits the attempt."""
from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from examengine.extensions import db
from examengine.models import AttemptEvent
from examengine.services.attempts import summary_of
from tests.browser.helpers import wait_for
from tests.browser.test_exam_browser import login
from tests.exam_builders import make_exam

RULES = [{"count": 1, "qtype": "single"}]

SET_VISIBILITY = """state => {
  Object.defineProperty(document, "visibilityState", {configurable: true, get: () => state});
  Object.defineProperty(document, "hidden", {configurable: true, get: () => state === "hidden"});
  document.dispatchEvent(new Event("visibilitychange"));
}"""


def kinds(app, attempt_id):
    with app.app_context():
        return list(db.session.scalars(select(AttemptEvent.kind).where(AttemptEvent.attempt_id == attempt_id)
                                       .order_by(AttemptEvent.server_time, AttemptEvent.id)))


def summary(app, attempt_id):
    with app.app_context():
        return summary_of(attempt_id)


def start_exam(page, live_server, exam_id):
    login(page, live_server, "alice")
    page.goto(f"{live_server}/exams/{exam_id}")
    page.get_by_test_id("start-exam").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def test_a_reload_is_a_reload_and_a_hidden_page_that_comes_back_is_a_leave(page, live_server, app):
    exam_id = make_exam(app, users=["alice"], rules=RULES, leave_notice=True)
    attempt_id = start_exam(page, live_server, exam_id)
    wait_for(lambda: kinds(app, attempt_id) == ["open"])

    page.reload()
    wait_for(lambda: kinds(app, attempt_id)[-1:] == ["reload"])
    assert "unload" in kinds(app, attempt_id)
    assert summary(app, attempt_id).leave_count == 0
    notice = page.get_by_test_id("leave-notice")
    expect(notice).to_have_attribute("data-leaves", "0")

    page.evaluate(SET_VISIBILITY, "hidden")
    wait_for(lambda: kinds(app, attempt_id)[-1:] == ["hidden"])
    page.evaluate(SET_VISIBILITY, "visible")
    expect(notice).to_have_attribute("data-leaves", "1")  # the live count, from the server's answer
    expect(notice.get_by_test_id("leave-count")).to_contain_text("1")
    leaves = summary(app, attempt_id).closed_leaves
    assert len(leaves) == 1 and leaves[0].back_at >= leaves[0].left_at
    assert notice.get_attribute("data-seconds-away") == str(leaves[0].seconds)


def test_a_second_tab_and_closing_it_are_not_leaves(page, live_server, app):
    exam_id = make_exam(app, users=["alice"], rules=RULES)
    attempt_id = start_exam(page, live_server, exam_id)
    wait_for(lambda: kinds(app, attempt_id) == ["open"])
    second = page.context.new_page()
    second.goto(page.url)
    wait_for(lambda: kinds(app, attempt_id).count("open") == 2)
    # The first tab goes to the background as the second comes forward, then the second is closed.
    page.evaluate(SET_VISIBILITY, "hidden")
    second.close(run_before_unload=True)
    wait_for(lambda: "unload" in kinds(app, attempt_id))
    page.evaluate(SET_VISIBILITY, "visible")
    wait_for(lambda: kinds(app, attempt_id)[-1:] == ["visible"])
    assert summary(app, attempt_id).leave_count == 0


def test_the_leave_limit_submits_and_says_why(page, live_server, app):
    exam_id = make_exam(app, users=["alice"], rules=RULES, leave_notice=True, leave_limit=2)
    attempt_id = start_exam(page, live_server, exam_id)
    notice = page.get_by_test_id("leave-notice")
    expect(notice).to_contain_text("2")
    page.evaluate("window.dispatchEvent(new Event('blur')); window.dispatchEvent(new Event('focus'))")
    expect(notice).to_have_attribute("data-leaves", "1")
    page.evaluate("window.dispatchEvent(new Event('blur')); window.dispatchEvent(new Event('focus'))")
    expect(page).to_have_url(re.compile(rf"/attempts/{attempt_id}/review$"))
    expect(page.get_by_test_id("submitted-by-leave-limit")).to_contain_text("自动提交")
