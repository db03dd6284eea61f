"""An employee sits an exam in a real browser: answers every question type, autosave, reload, offline, submit."""
from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from tests.browser.helpers import option, option_input, wait_for
from tests.exam_builders import make_exam
from tests.web.exam_fixtures import attempt_state, positions, slot_state

PASSWORD = "correct-horse-42"


def login(page, base, username):
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form [type=submit]").last.click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def seconds(text: str) -> int:
    parts = [int(part) for part in text.strip().split(":")]
    while len(parts) < 3:
        parts.insert(0, 0)
    return parts[0] * 3600 + parts[1] * 60 + parts[2]





def test_an_employee_sits_an_exam(page, live_server, app):
    exam_id = make_exam(app, users=["alice"], title="Browser exam", time_limit_minutes=30,
                        show_score="immediately")
    login(page, live_server, "alice")
    page.goto(f"{live_server}/exams")
    page.locator(f'[data-exam="{exam_id}"] h2 a').click()
    page.get_by_test_id("start-exam").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+$"))
    attempt_id = int(page.url.rsplit("/", 1)[1])
    where = positions(app, attempt_id)
    status = page.get_by_test_id("save-status")
    expect(status).to_have_attribute("data-state", "saved")

    # One question of every type. Option inputs are named q{position}; their values and ids are the
    # DISPLAYED positions 0..n-1, whatever the shuffle (nothing about the key); true/false: -0 is "true".
    for qtype in ("single", "multiple"):
        values = page.locator(f"input[name=q{where[qtype]}]").evaluate_all("inputs => inputs.map(i => i.value)")
        assert values == ["0", "1", "2", "3"]
    option(page, where["single"], "443").click()
    option(page, where["multiple"], "TCP").click()
    option(page, where["multiple"], "UDP").click()
    page.locator(f"label[for=q{where['truefalse']}-0]").click()
    page.fill(f"input[name='q{where['fill']}.0']", "ＨＴＴＰＳ")
    page.fill(f"input[name='q{where['fill']}.1']", "3.140")
    page.fill(f"textarea[name=q{where['short']}]", "Check the scope first.")
    page.fill(f"textarea[name=q{where['analysis']}]", "Roll back, then find the cause.")
    page.locator(f"label[for=flag-{where['analysis']}]").click()
    expect(page.locator(f"[data-nav-slot='{where['analysis']}']")).to_have_class(re.compile("is-flagged"))
    expect(page.locator(f"[data-nav-slot='{where['single']}']")).to_have_class(re.compile("is-answered"))
    expect(status).to_have_attribute("data-state", "saved")
    stored = slot_state(app, attempt_id)
    assert stored[where["single"]][0] == 1  # stored as the authored index of 443
    assert stored[where["multiple"]][0] == [0, 1]  # TCP, UDP
    assert stored[where["truefalse"]][0] is True
    assert stored[where["fill"]][0] == ["ＨＴＴＰＳ", "3.140"]
    assert stored[where["short"]][0] == "Check the scope first."
    assert stored[where["analysis"]][2] is True

    # Reload: the same answers, and the clock keeps running (not reset to 30:00).
    time.sleep(1.5)
    before = seconds(page.get_by_test_id("countdown").inner_text())
    page.reload()
    expect(option_input(page, where["single"], "443")).to_be_checked()
    expect(page.locator(f"input[name=q{where['single']}]:checked")).to_have_count(1)
    expect(option_input(page, where["multiple"], "TCP")).to_be_checked()
    expect(option_input(page, where["multiple"], "UDP")).to_be_checked()
    expect(page.locator(f"input[name=q{where['multiple']}]:checked")).to_have_count(2)
    expect(page.locator(f"#q{where['truefalse']}-0")).to_be_checked()
    expect(page.locator(f"input[name='q{where['fill']}.0']")).to_have_value("ＨＴＴＰＳ")
    expect(page.locator(f"textarea[name=q{where['analysis']}]")).to_have_value("Roll back, then find the cause.")
    expect(page.locator(f"#flag-{where['analysis']}")).to_be_checked()
    after = seconds(page.get_by_test_id("countdown").inner_text())
    assert after <= before and after < 30 * 60 - 1, (before, after)
    page.wait_for_timeout(1200)
    assert seconds(page.get_by_test_id("countdown").inner_text()) < after  # it counts down

    # Offline: the status says so and keeps retrying; back online, the change is saved.
    page.context.set_offline(True)
    page.fill(f"textarea[name=q{where['short']}]", "Check the scope first, then each layer.")
    expect(status).to_have_attribute("data-state", "offline")
    page.wait_for_timeout(1500)
    expect(status).to_have_attribute("data-state", "offline")
    assert slot_state(app, attempt_id)[where["short"]][0] == "Check the scope first."
    page.context.set_offline(False)
    expect(status).to_have_attribute("data-state", "saved")
    assert slot_state(app, attempt_id)[where["short"]][0] == "Check the scope first, then each layer."

    # Leaving the page is recorded (evidence only).
    page.evaluate("window.dispatchEvent(new Event('blur')); window.dispatchEvent(new Event('focus'))")

    # Submit through the confirmation.
    page.get_by_test_id("submit-exam").click()
    modal = page.get_by_test_id("submit-modal")
    expect(modal).to_be_visible()
    expect(modal).to_contain_text("您已作答所有试题。")  # the zh-CN UI: "You have answered every question."
    expect(modal.locator("[data-role=flagged-list] a")).to_have_count(1)
    modal.get_by_test_id("confirm-submit").click()
    expect(page).to_have_url(re.compile(rf"/attempts/{attempt_id}/review$"))
    expect(page.get_by_test_id("provisional-score")).to_have_text("9 / 9")
    expect(page.get_by_test_id("score-pending")).to_be_visible()
    state = attempt_state(app, attempt_id)
    assert state["state"] == "submitted"
    wait_for(lambda: attempt_state(app, attempt_id)["events"] >= 2)


def test_the_unanswered_questions_are_listed_before_submitting(page, live_server, app):
    exam_id = make_exam(app, users=["bob"], rules=[{"count": 1, "qtype": "single"},
                                                   {"count": 1, "qtype": "truefalse"}])
    login(page, live_server, "bob")
    page.goto(f"{live_server}/exams/{exam_id}")
    page.get_by_test_id("start-exam").click()
    attempt_id = int(page.url.rsplit("/", 1)[1])
    where = positions(app, attempt_id)
    option(page, where["single"], "443").click()
    page.get_by_test_id("submit-exam").click()
    listed = page.get_by_test_id("unanswered-list").locator("a")
    expect(listed).to_have_count(1)
    expect(listed).to_have_attribute("data-slot", str(where["truefalse"]))
    listed.click()  # jumps to the question and closes the dialog
    expect(page.get_by_test_id("submit-modal")).to_be_hidden()
    expect(page.locator(f"#q{where['truefalse']}-0")).to_be_focused()
    page.locator(f"label[for=q{where['truefalse']}-1]").click()
    page.get_by_test_id("submit-exam").click()
    page.get_by_test_id("confirm-submit").click()
    expect(page.get_by_test_id("score")).to_contain_text("2 / 3")  # single right (2), true/false wrong
    assert slot_state(app, attempt_id)[where["truefalse"]][0] is False


def test_the_page_submits_itself_when_time_is_up(page, live_server, app):
    from datetime import timedelta

    from examengine.models._time import utcnow

    # The close time cuts the attempt short: the deadline is a few seconds away.
    exam_id = make_exam(app, users=["carol"], rules=[{"count": 1, "qtype": "single"}],
                        closes_at=utcnow() + timedelta(seconds=12), show_score="immediately")
    login(page, live_server, "carol")
    page.goto(f"{live_server}/exams/{exam_id}")
    page.get_by_test_id("start-exam").click()
    attempt_id = int(page.url.rsplit("/", 1)[1])
    assert seconds(page.get_by_test_id("countdown").inner_text()) <= 12
    slot = positions(app, attempt_id)["single"]
    option(page, slot, "443").click()
    expect(page).to_have_url(re.compile(rf"/attempts/{attempt_id}/review$"), timeout=25_000)
    expect(page.get_by_test_id("score")).to_contain_text("2 / 2")
    with app.app_context():
        from examengine.extensions import db
        from examengine.models import Attempt
        assert db.session.get(Attempt, attempt_id).submitted_by == "examinee"  # by the page, in time


def test_the_exam_works_without_javascript(browser, live_server, app):
    exam_id = make_exam(app, users=["dora"], rules=[{"count": 1, "qtype": "single"}, {"count": 1, "qtype": "fill"}],
                        show_score="immediately")
    context = browser.new_context(java_script_enabled=False, locale="en", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        login(page, live_server, "dora")
        page.goto(f"{live_server}/exams/{exam_id}")
        page.get_by_test_id("start-exam").click()
        attempt_id = int(page.url.rsplit("/", 1)[1])
        where = positions(app, attempt_id)
        option(page, where["single"], "443").click()
        page.fill(f"input[name='q{where['fill']}.0']", "https")
        page.locator(f"input[name='q{where['fill']}.1']").press("Enter")  # the default button saves
        expect(page.locator("body")).to_contain_text("Your answers were saved.")
        assert slot_state(app, attempt_id)[where["fill"]][0] == ["https", ""]
        expect(option_input(page, where["single"], "443")).to_be_checked()
        page.fill(f"input[name='q{where['fill']}.1']", "3.14")
        page.get_by_test_id("submit-exam").click()  # the server's confirmation page
        expect(page.locator("body")).to_contain_text("You have answered every question.")
        page.get_by_test_id("confirm-submit").click()
        expect(page.get_by_test_id("score")).to_contain_text("4 / 4")
    finally:
        context.close()
