"""Issue 8, item 6: when the database is away (unreachable, read-only, disk full) requests answer 503
with Retry-After - JSON for JSON clients, a translated page that needs neither the database nor the
user otherwise - never a 500, and the next request works once the database is back."""
from __future__ import annotations

import logging
import sqlite3

import pytest
from sqlalchemy import exc as sa_exc

from examengine.web.http import database_failure
from tests.exam_builders import CORRECT, WRONG, make_exam
from tests.web.db_faults import (
    app_on,
    copy_session,
    disconnect_error,
    disk_full_error,
    failing_statements,
    read_only_url,
    unreachable_url,
    writes,
)
from tests.web.exam_fixtures import employee_client, positions, posted, save, slot_state, start

UNAVAILABLE = "The database is not answering right now"
READ_ONLY = "its database is read-only"
DISK_FULL = "its disk is full"


@pytest.fixture
def sitting(app):
    """alice is sitting an exam: (her client, attempt id, position of the single-choice slot)."""
    exam_id = make_exam(app, users=["alice"], title="Outage exam")
    alice = employee_client(app, "alice")
    attempt_id = start(alice, exam_id)
    return alice, attempt_id, positions(app, attempt_id)["single"]


def assert_503_json(response, reason: str, message: str) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["retry"] is True and body["reason"] == reason and message in body["error"], body


def assert_503_page(response, message: str | None = None) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.mimetype == "text/html"
    assert 'data-testid="error-message"' in response.text and "Internal Server Error" not in response.text
    assert "Content-Security-Policy" in response.headers
    if message:
        assert message in response.text


# --- the database cannot be reached ---

def test_a_save_while_the_database_is_unreachable_is_a_503_with_json(app, sitting, tmp_path):
    alice, attempt_id, slot = sitting
    with app_on(tmp_path, unreachable_url(app, tmp_path)) as down:
        client = copy_session(alice, down)
        response = save(client, attempt_id, {"slot": slot, "seq": 1, "response": posted(app, attempt_id, CORRECT)["single"]},
                        headers={"Accept": "application/json"})
        assert_503_json(response, "database_unavailable", UNAVAILABLE)
    assert slot_state(app, attempt_id)[slot][1] == 0  # nothing half-written; the page keeps the answer


@pytest.mark.parametrize("path", ["/exams", "/", "/attempts/{attempt}", "/no/such/page"])
def test_pages_while_the_database_is_unreachable_are_a_translated_503(app, sitting, tmp_path, path):
    """The error page itself needs the database (user menu, the user's language): not a bare 500."""
    alice, attempt_id, _ = sitting
    with app_on(tmp_path, unreachable_url(app, tmp_path)) as down:
        response = copy_session(alice, down).get(path.format(attempt=attempt_id))
        assert_503_page(response, UNAVAILABLE)
        assert '<html lang="en">' in response.text


def test_the_503_page_speaks_the_requests_language_without_loading_the_user(app, sitting, tmp_path):
    alice, attempt_id, _ = sitting
    with app_on(tmp_path, unreachable_url(app, tmp_path)) as down:
        chinese = copy_session(alice, down, english=False)  # no Accept-Language: the default, Chinese
        response = chinese.get("/exams")
        assert_503_page(response)
        assert '<html lang="zh-CN">' in response.text
        with chinese.session_transaction() as session:
            session["locale"] = "en"  # the language switch's choice wins over the browser's
        response = chinese.get("/exams")
        assert_503_page(response, UNAVAILABLE)
        assert '<html lang="en">' in response.text


def test_logging_in_while_the_database_is_unreachable_is_a_503(app, tmp_path):
    with app_on(tmp_path, unreachable_url(app, tmp_path)) as down:
        client = down.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        assert client.get("/login").status_code == 200  # the empty form needs no database
        assert_503_page(client.post("/login", data={"username": "alice", "password": "x"}), UNAVAILABLE)


# --- read-only database ---

def test_a_save_on_a_read_only_database_is_a_503_with_a_clear_message_and_one_log_line(
        app, sitting, tmp_path, caplog):
    alice, attempt_id, slot = sitting
    with app_on(tmp_path, read_only_url(app)) as read_only:
        client = copy_session(alice, read_only)
        assert client.get("/exams").status_code == 200  # reading still works
        caplog.clear()
        with caplog.at_level(logging.ERROR, logger="examengine.web.http"):
            response = save(client, attempt_id, {"slot": slot, "seq": 1, "response": posted(app, attempt_id, CORRECT)["single"]})
        assert_503_json(response, "database_read_only", READ_ONLY)
        errors = [r for r in caplog.records if r.name.startswith("examengine.web.http") and r.levelno == logging.ERROR]
        assert len(errors) == 1, [r.getMessage() for r in errors]
        assert "read-only" in errors[0].getMessage() and f"/attempts/{attempt_id}/save" in errors[0].getMessage()
        assert "OperationalError" in errors[0].getMessage() or "InternalError" in errors[0].getMessage()
        # The no-JavaScript form gets the page, in the user's language.
        form = client.post(f"/attempts/{attempt_id}/save-form", data={f"q{slot}": "1", "action": "save"})
        assert_503_page(form, READ_ONLY)
    assert slot_state(app, attempt_id)[slot][1] == 0
    assert save(alice, attempt_id, {"slot": slot, "seq": 1, "response": posted(app, attempt_id, CORRECT)["single"]}).status_code == 200


def test_submitting_on_a_read_only_database_is_a_503_and_the_attempt_stays_open(app, sitting, tmp_path):
    alice, attempt_id, _ = sitting
    with app_on(tmp_path, read_only_url(app)) as read_only:
        client = copy_session(alice, read_only)
        response = client.post(f"/attempts/{attempt_id}/submit", headers={"Accept": "application/json"})
        assert_503_json(response, "database_read_only", READ_ONLY)
    assert alice.get(f"/attempts/{attempt_id}").status_code == 200  # still in progress


# --- disk full (fault injection: the driver's own error) ---

def test_a_save_when_the_disk_is_full_is_a_503_and_the_next_save_works(app, sitting, caplog):
    alice, attempt_id, slot = sitting
    with caplog.at_level(logging.ERROR, logger="examengine.web.http"):
        with failing_statements(app, disk_full_error(app), when=writes) as calls:
            response = save(alice, attempt_id, {"slot": slot, "seq": 1, "response": posted(app, attempt_id, WRONG)["single"]})
        assert calls, "the fault was not injected"
    assert_503_json(response, "database_full", DISK_FULL)
    errors = [r.getMessage() for r in caplog.records if r.name == "examengine.web.http"]
    assert len(errors) == 1 and "cannot store (full)" in errors[0], errors
    assert "No space left on device" in errors[0] or "database or disk is full" in errors[0]  # the cause
    assert slot_state(app, attempt_id)[slot][1] == 0  # rolled back, nothing half-written
    # The session was rolled back: the same client's next save goes through.
    ok = save(alice, attempt_id, {"slot": slot, "seq": 2, "response": posted(app, attempt_id, CORRECT)["single"]})
    assert ok.status_code == 200 and ok.get_json()["saved"] == [slot]
    assert slot_state(app, attempt_id)[slot][:2] == (CORRECT["single"], 2)


def test_a_connection_lost_mid_request_is_a_503_and_the_app_recovers(app, sitting):
    alice, attempt_id, slot = sitting
    with failing_statements(app, disconnect_error(app), when=writes):
        response = save(alice, attempt_id, {"slot": slot, "seq": 1, "response": posted(app, attempt_id, CORRECT)["single"]})
        page = alice.post(f"/attempts/{attempt_id}/save-form", data={f"q{slot}": "1", "action": "save"})
    assert_503_json(response, "database_unavailable", UNAVAILABLE)
    assert_503_page(page, UNAVAILABLE)
    assert save(alice, attempt_id, {"slot": slot, "seq": 1, "response": posted(app, attempt_id, CORRECT)["single"]}).status_code == 200


# --- what is not a database outage stays a 500 ---

def test_a_bug_in_sql_is_still_a_500_not_a_503(app_factory):
    app = app_factory(PROPAGATE_EXCEPTIONS=False)

    def broken_view():
        from sqlalchemy import text

        from examengine.extensions import db
        db.session.execute(text("SELECT * FROM no_such_table"))

    app.add_url_rule("/broken", view_func=broken_view)
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.get("/broken")
    assert response.status_code == 500 and "Retry-After" not in response.headers
    assert 'data-testid="error-message"' in response.text and "Something went wrong" in response.text
    assert client.get("/broken", headers={"Accept": "application/json"}).get_json()["error"]


def wrapped(orig, cls=sa_exc.OperationalError):
    return cls("SELECT 1", {}, orig)


@pytest.mark.parametrize(("error", "kind"), [
    (wrapped(sqlite3.OperationalError("database or disk is full")), "full"),
    (wrapped(sqlite3.OperationalError("attempt to write a readonly database")), "read_only"),
    (wrapped(sqlite3.OperationalError("unable to open database file")), "unavailable"),
    (wrapped(sqlite3.OperationalError("database is locked")), "unavailable"),
    (wrapped(sqlite3.OperationalError("no such table: users")), None),
    (wrapped(sqlite3.OperationalError('near "SELEC": syntax error')), None),
    (wrapped(sqlite3.IntegrityError("UNIQUE constraint failed"), sa_exc.IntegrityError), None),
    (wrapped(sqlite3.InterfaceError("closed"), sa_exc.InterfaceError), "unavailable"),
    (sa_exc.TimeoutError("QueuePool limit reached"), "unavailable"),
    (ValueError("not a database error"), None),
])
def test_database_failures_are_told_apart_from_bugs(error, kind):
    assert database_failure(error) == kind


def test_postgresql_errors_are_classified_by_sqlstate():
    psycopg = pytest.importorskip("psycopg")
    errors = psycopg.errors
    assert database_failure(wrapped(errors.DiskFull("no space"))) == "full"
    assert database_failure(wrapped(errors.ReadOnlySqlTransaction("read-only"), sa_exc.InternalError)) == "read_only"
    assert database_failure(wrapped(errors.AdminShutdown("terminating connection"))) == "unavailable"
    assert database_failure(wrapped(errors.CannotConnectNow("the database system is starting up"))) == "unavailable"
    assert database_failure(wrapped(psycopg.OperationalError("connection refused"))) == "unavailable"
    assert database_failure(wrapped(errors.UndefinedTable("no such table"), sa_exc.ProgrammingError)) is None
    assert database_failure(wrapped(errors.UniqueViolation("duplicate"), sa_exc.IntegrityError)) is None
