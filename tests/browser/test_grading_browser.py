"""A reviewer grades a question for several attempts in a real browser with the keyboard shortcuts;
the employee then sees the final result."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from examengine.extensions import db
from tests.grading_builders import attempt_row, grading_exam, written_slot

PASSWORD = "correct-horse-42"


def login(page, base, username):
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form [type=submit]").last.click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def keys_ready(page):
    """grading.js shows the shortcut help once its key handler is attached."""
    expect(page.get_by_test_id("grading-keys")).to_be_visible()


def test_a_reviewer_grades_with_the_keyboard_and_the_employee_sees_the_result(page, live_server, app):
    rules = [{"count": 1, "qtype": "single"}, {"count": 1, "qtype": "short"}]
    answers = {"ann": "Scope first, then layers.", "bob": "Scope first, then layers.",
               "cat": "No idea\n<b>really</b>", "dan": None}
    exam_id, ids = grading_exam(app, answers, reviewers=["rita"], rules=rules, show_score="after_grading",
                                title="Graded exam")

    login(page, live_server, "rita")
    expect(page.get_by_test_id("grading-waiting")).to_contain_text("4")
    page.locator("nav a[href='/review']").click()
    page.get_by_test_id("grade-next").click()
    answer = page.get_by_test_id("answer")
    expect(answer).to_have_text("Scope first, then layers.")
    keys_ready(page)
    expect(page.get_by_test_id("group-size")).to_contain_text("2")

    # N skips this group for now.
    page.keyboard.press("n")
    expect(answer).to_have_text("No idea\n<b>really</b>")  # escaped, the line break kept
    keys_ready(page)
    page.keyboard.press("1")
    expect(page.locator("#rubric-0")).to_be_checked()
    expect(page.get_by_test_id("mark-total")).to_have_text("2")
    page.fill("#adjustment", "0.5")
    expect(page.get_by_test_id("mark-total")).to_have_text("2.5")
    page.fill("#adjustment", "9")
    expect(page.locator("#mark-range")).to_be_visible()  # out of range, shown before saving
    page.fill("#adjustment", "0.5")
    page.locator("#comment").click()
    page.keyboard.type("Scope only")
    page.keyboard.press("1")  # typing in the comment does not toggle items
    expect(page.locator("#rubric-0")).to_be_checked()
    page.keyboard.press("Control+Enter")  # saves from inside the comment

    # The blank answer: S scores it 0.
    expect(page.get_by_test_id("score-blank")).to_be_visible()
    keys_ready(page)
    page.keyboard.press("s")

    # Only the skipped group is left: it comes back. 1, 2 check both items; 2 again unchecks.
    expect(answer).to_have_text("Scope first, then layers.")
    keys_ready(page)
    page.keyboard.press("1")
    page.keyboard.press("2")
    expect(page.get_by_test_id("mark-total")).to_have_text("5")
    page.keyboard.press("2")
    expect(page.get_by_test_id("mark-total")).to_have_text("2")
    page.keyboard.press("2")
    expect(page.locator("#rubric-1")).to_be_checked()
    page.keyboard.press("s")
    expect(page.get_by_test_id("queue-done")).to_be_visible()

    with app.app_context():
        scores = {name: written_slot(ids[name]).score for name in answers}
        assert scores == {"ann": 5, "bob": 5, "cat": 2.5, "dan": 0}
        assert all(attempt_row(attempt_id).state == "graded" for attempt_id in ids.values())
        db.session.remove()

    page.goto(f"{live_server}/review")
    expect(page.locator("[data-testid=waiting]").first).to_have_text("0")
    page.locator("form[action='/logout'] button").click()
    login(page, live_server, "ann")
    page.goto(f"{live_server}/attempts/{ids['ann']}/review")
    expect(page.get_by_test_id("score")).to_have_text("7 / 7")
