"""The exam page when the database is away or the answers arrive too late (issue 8, item 6), in a real
browser: a 503 shows "retrying", keeps the answer and retries no sooner than Retry-After until it is
saved; answers refused as too late are listed on the page and kept on the device."""
from __future__ import annotations

import json
import re
import time
from datetime import timedelta

import pytest
from flask import has_request_context, request
from playwright.sync_api import expect

from examengine.extensions import db
from examengine.models import Attempt
from examengine.models._time import utcnow
from tests.browser.helpers import option, wait_for
from tests.exam_builders import CORRECT, make_exam
from tests.web.db_faults import disconnect_error, disk_full_error, failing_statements, writes
from tests.web.exam_fixtures import attempt_state, positions, slot_state

PASSWORD = "correct-horse-42"
RETRY_AFTER = 2


@pytest.fixture
def app(app_factory):
    return app_factory(EXAMENGINE_RETRY_AFTER_SECONDS=RETRY_AFTER)



def sit(page, base, app, username="alice"):
    exam_id = make_exam(app, users=[username], title="Outage exam", time_limit_minutes=30)
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form [type=submit]").last.click()
    expect(page).not_to_have_url(re.compile(r"/login"))
    page.goto(f"{base}/exams/{exam_id}")
    page.get_by_test_id("start-exam").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+$"))
    attempt_id = int(page.url.rsplit("/", 1)[1])
    expect(page.get_by_test_id("save-status")).to_have_attribute("data-state", "saved")
    return attempt_id, positions(app, attempt_id)


def pending_on_device(page, attempt_id) -> dict:
    return json.loads(page.evaluate(f"localStorage.getItem('examengine:attempt:{attempt_id}:pending-positions')") or "{}")


def saves_only(times):
    def when(statement):
        if has_request_context() and request.path.endswith("/save"):
            times.append(time.monotonic())
            return True
        return False
    return when


def test_a_database_outage_shows_retrying_keeps_the_answer_and_honours_retry_after(page, live_server, app):
    attempt_id, where = sit(page, live_server, app)
    status = page.get_by_test_id("save-status")
    short = where["short"]
    attempts = []
    with failing_statements(app, disconnect_error(app), when=saves_only(attempts)):
        page.fill(f"textarea[name=q{short}]", "Typed while the database restarts.")
        expect(status).to_have_attribute("data-state", "retrying")
        wait_for(lambda: len(set(round(t, 1) for t in attempts)) >= 3, timeout=30)
        assert pending_on_device(page, attempt_id)[str(short)]["response"] == "Typed while the database restarts."
        assert slot_state(app, attempt_id)[short][0] is None
        expect(page.get_by_test_id("exam-alert")).to_be_hidden()  # a restart needs no admin: no alarm
    requests = sorted({round(t, 2) for t in attempts})
    gaps = [b - a for a, b in zip(requests, requests[1:], strict=False) if b - a > 0.05]
    # The retries wait for Retry-After (a lower bound, which a busy machine only lengthens); the median,
    # not the minimum, so that one save of another kind landing between two retries cannot fail it.
    assert gaps and sorted(gaps)[len(gaps) // 2] >= RETRY_AFTER * 0.95, gaps
    expect(status).to_have_attribute("data-state", "saved", timeout=20_000)
    assert slot_state(app, attempt_id)[short][0] == "Typed while the database restarts."
    assert pending_on_device(page, attempt_id) == {}


def test_a_full_disk_says_why_and_clears_the_message_once_saved(page, live_server, app):
    attempt_id, where = sit(page, live_server, app, "bob")
    alert = page.get_by_test_id("exam-alert")
    with failing_statements(app, disk_full_error(app), when=writes):
        option(page, where["single"], "443").click()  # the key, CORRECT["single"]
        expect(page.get_by_test_id("save-status")).to_have_attribute("data-state", "retrying")
        expect(alert).to_be_visible()
        expect(alert).not_to_be_empty()  # the server's translated reason
    expect(page.get_by_test_id("save-status")).to_have_attribute("data-state", "saved", timeout=20_000)
    expect(alert).to_be_hidden()
    assert slot_state(app, attempt_id)[where["single"]][0] == CORRECT["single"]


def test_answers_arriving_too_late_are_listed_and_kept_on_the_device(page, live_server, app):
    attempt_id, where = sit(page, live_server, app, "carol")
    status = page.get_by_test_id("save-status")
    option(page, where["single"], "443").click()  # the key, CORRECT["single"]
    expect(status).to_have_attribute("data-state", "saved")

    page.context.set_offline(True)
    page.fill(f"textarea[name=q{where['short']}]", "Written on the train.")
    expect(status).to_have_attribute("data-state", "offline")
    with app.app_context():  # meanwhile the time ran out, grace period included
        attempt = db.session.get(Attempt, attempt_id)
        attempt.deadline = utcnow() - timedelta(seconds=app.config["EXAMENGINE_GRACE_SECONDS"] + 30)
        db.session.commit()
    page.context.set_offline(False)

    alert = page.get_by_test_id("exam-alert")
    number = page.locator(f"[data-slot='{where['short']}'][data-qtype]").get_attribute("data-number")
    expect(alert).to_have_attribute("data-not-received", number)
    expect(alert).to_contain_text(number)
    expect(alert.locator("a")).to_have_attribute("href", f"/attempts/{attempt_id}/review")
    expect(status).to_have_attribute("data-state", "error")
    expect(page.locator(f"[data-nav-slot='{where['short']}']")).to_have_class(re.compile("is-not-received"))
    kept = pending_on_device(page, attempt_id)
    assert kept[str(where["short"])]["response"] == "Written on the train."  # the local copy stays
    state = attempt_state(app, attempt_id)
    assert state["state"] != "in_progress" and state["slots"][where["single"]][0] == CORRECT["single"]
    assert page.url.endswith(f"/attempts/{attempt_id}")  # not submitted over the message
