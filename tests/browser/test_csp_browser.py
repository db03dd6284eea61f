"""The Content-Security-Policy in a real browser (issue 8, item 4): the main pages of every role run
with it and report no violation (conftest.py fails any browser test that causes one), the watch
itself notices a violation, the pages cannot be framed by another origin, and the delete buttons
still ask first (their confirm() moved from onsubmit= to static/js/app.js)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from examengine.extensions import db
from examengine.models import QuestionVersion
from examengine.services.accounts import create_user
from tests.browser.helpers import wait_for
from tests.exam_builders import make_exam
from tests.grading_builders import grading_exam

PASSWORD = "correct-horse-42"
CSP = "default-src 'self'; script-src 'self'; style-src 'self'"



def signed_in(browser, base, username):
    context = browser.new_context(locale="en", viewport={"width": 1280, "height": 900}, reduced_motion="reduce")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form [type=submit]").last.click()
    expect(page).not_to_have_url(re.compile(r"/login"))
    return page


def visit(page, url):
    response = page.goto(url)
    assert response is not None and response.status == 200, (url, response and response.status)
    headers = response.headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"], url
    assert headers["cache-control"] == "no-store", url
    expect(page.locator("main")).to_be_visible()


@pytest.fixture
def site(app):
    """An admin, a reviewer with answers to grade, an examinee with a result and an exam in progress."""
    exam_id, ids = grading_exam(app, {"ann": "Check the scope first.", "bob": "Reboot."}, reviewers=["rita"],
                                title="CSP exam", show_score="immediately")
    running = make_exam(app, bank_md=None, users=["ann"], title="Running exam")
    with app.app_context():
        create_user("admin", password=PASSWORD, roles=("admin",))
        question_id = db.session.scalar(db.select(QuestionVersion.question_id).limit(1))
    return {"exam": exam_id, "attempt": ids["ann"], "running": running, "question": question_id}


def test_the_main_pages_of_every_role_run_without_violations(browser, live_server, site):
    base, exam = live_server, site["exam"]
    admin = signed_in(browser, base, "admin")
    for path in ["/", "/admin/exams", f"/admin/exams/{exam}", f"/admin/exams/{exam}/rules",
                 f"/admin/exams/{exam}/scoring", f"/admin/exams/{exam}/overrides", f"/admin/exams/{exam}/reviewers",
                 f"/admin/exams/{exam}/regrade", f"/admin/exams/{exam}/preview", f"/admin/exams/{exam}/results",
                 f"/admin/attempts/{site['attempt']}", "/admin/banks", "/admin/banks/upload", "/admin/questions",
                 f"/admin/questions/{site['question']}", "/admin/users", "/admin/users/new", "/admin/groups",
                 "/admin/users/import", "/admin/appeals", "/admin/exams/new"]:
        visit(admin, base + path)
    visit(admin, f"{base}/admin/exams/{exam}/results")
    expect(admin.locator("svg.chart-svg").first).to_be_visible()  # the SVG charts render under the policy

    reviewer = signed_in(browser, base, "rita")
    for path in ["/review/appeals", "/review"]:
        visit(reviewer, base + path)
    reviewer.get_by_test_id("grade-next").first.click()
    expect(reviewer.get_by_test_id("grading-keys")).to_be_visible()  # grading.js ran

    examinee = signed_in(browser, base, "ann")
    for path in ["/exams", f"/exams/{exam}", f"/attempts/{site['attempt']}/review", "/results", "/appeals/mine"]:
        visit(examinee, base + path)
    visit(examinee, f"{base}/exams/{site['running']}")
    examinee.get_by_test_id("start-exam").click()
    expect(examinee.get_by_test_id("save-status")).to_have_attribute("data-state", "saved")  # exam.js ran
    examinee.get_by_test_id("submit-exam").click()
    expect(examinee.get_by_test_id("submit-modal")).to_be_visible()  # Bootstrap's JS ran


def test_deleting_an_exam_still_asks_first(browser, live_server, app):
    with app.app_context():
        create_user("admin", password=PASSWORD, roles=("admin",))
    exam_id = make_exam(app, bank_md=None, title="Doomed exam")
    page = signed_in(browser, live_server, "admin")
    page.goto(f"{live_server}/admin/exams/{exam_id}")
    asked = []

    def answer(dialog, accept):
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    page.get_by_test_id("delete-exam").click()
    assert asked and asked[0]  # the translated question, from data-confirm
    expect(page).to_have_url(f"{live_server}/admin/exams/{exam_id}")  # cancelled: still there
    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    page.get_by_test_id("delete-exam").click()
    expect(page).to_have_url(re.compile(r"/admin/exams$"))
    assert page.goto(f"{live_server}/admin/exams/{exam_id}").status == 404


def test_the_watch_reports_a_violation(page, live_server, csp_violations):
    page.route(f"{live_server}/csp-probe", lambda route: route.fulfill(
        status=200, body="<!doctype html><p style='color:red'>x</p><script>document.title='ran'</script>",
        headers={"Content-Type": "text/html", "Content-Security-Policy": CSP}))
    page.goto(f"{live_server}/csp-probe")
    wait_for(lambda: len(csp_violations.seen()) >= 2)
    seen = "\n".join(csp_violations.seen())
    assert "script-src" in seen and "style-src" in seen
    assert page.title() != "ran"  # the inline script was blocked
    csp_violations.clear()  # provoked on purpose


def test_another_origin_cannot_frame_the_pages(page, live_server):
    attacker = "http://attacker.invalid/"
    page.route(attacker, lambda route: route.fulfill(
        status=200, headers={"Content-Type": "text/html"},
        body=f'<!doctype html><iframe id="victim" src="{live_server}/login"></iframe>'))
    page.goto(attacker)

    def victim_settled():
        frames = [frame for frame in page.frames if frame != page.main_frame]
        return frames and frames[0].url not in ("", "about:blank")

    wait_for(victim_settled)
    victim = [frame for frame in page.frames if frame != page.main_frame][0]
    assert victim.url.startswith("chrome-error://"), victim.url  # blocked: frame-ancestors 'none' / DENY
    expect(page.frame_locator("#victim").locator("input[name=username]")).to_have_count(0)
