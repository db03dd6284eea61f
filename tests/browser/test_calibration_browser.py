"""Calibration in a real browser, under the CSP (conftest.py fails on any violation): the admin adds a
typed sample with the rubric form (its live total from grading.js), the reviewer is sent to calibration,
passes it and gets the queue."""
from __future__ import annotations

from playwright.sync_api import expect

from examengine.services.accounts import create_user
from tests.browser.test_csp_browser import PASSWORD, signed_in
from tests.grading_builders import grading_exam, version_id


def test_a_sample_is_added_and_a_reviewer_calibrates_before_grading(app, browser, live_server):
    exam_id, _ids = grading_exam(app, {"ann": "Check the scope first."}, reviewers=["rita"],
                                 calibration_required=True)
    with app.app_context():
        create_user("admin", password=PASSWORD, roles=("admin",))
        vid = version_id("short")
    base = live_server
    admin = signed_in(browser, base, "admin")
    admin.goto(f"{base}/admin/exams/{exam_id}/reviewers")
    admin.locator(f"tr[data-question=\"{vid}\"]").get_by_test_id("manage-samples").click()  # rows follow the paper order, shuffled
    admin.get_by_test_id("typed-sample").click()
    admin.fill("#response", "<b>Scope</b> then layers")
    admin.locator("#rubric-0").check()
    expect(admin.get_by_test_id("mark-total")).to_have_text("2")
    admin.fill("#comment", "Scope only; the layers are missing.")
    admin.get_by_test_id("save-sample").click()
    expect(admin.get_by_test_id("samples")).to_contain_text("<b>Scope</b> then layers")

    rita = signed_in(browser, base, "rita")
    rita.goto(f"{base}/review/exams/{exam_id}/questions/{vid}/next")
    expect(rita.get_by_test_id("calibration-form")).to_be_visible()
    expect(rita.get_by_test_id("sample-answer")).to_have_text("<b>Scope</b> then layers")
    rita.locator("#rubric-0").check()
    rita.get_by_test_id("save-mark").click()
    expect(rita.get_by_test_id("verdict")).to_contain_text("Within the tolerance")
    expect(rita.get_by_test_id("explanation")).to_have_text("Scope only; the layers are missing.")
    rita.get_by_test_id("grade-next").click()
    expect(rita.get_by_test_id("mark-form")).to_be_visible()
