"""Databases that fail for real, for the "database away" tests (issue 8, item 6).

- `unreachable_url`: SQLite in a folder that does not exist, PostgreSQL on a port nobody listens on.
- `read_only_url`: the test database opened read-only (SQLite `mode=ro`, PostgreSQL with
  `default_transaction_read_only=on`): reads work, every write is refused by the database itself.
- `failing_statements`: fault injection for what cannot be produced here (a full disk): the driver's
  own exception raised from SQLAlchemy's `before_cursor_execute` hook, so it is wrapped and handled
  exactly as a real one.

An app on such a database shares the test app's SECRET_KEY, so a session cookie from the working
app (`copy_session`) logs the same user in without touching the database.
"""
from __future__ import annotations

import contextlib
import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import make_url

from examengine.extensions import db
from tests.conftest import english_client, make_app


def is_postgres(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


def unreachable_url(app, tmp_path) -> str:
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if is_postgres(app):
        return url.set(host="127.0.0.1", port=1).render_as_string(hide_password=False)
    return f"sqlite:///{tmp_path / 'no-such-folder' / 'examengine.sqlite3'}"


def read_only_url(app) -> str:
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if is_postgres(app):
        return url.update_query_dict({"options": "-c default_transaction_read_only=on"}).render_as_string(
            hide_password=False)
    return f"sqlite:///file:{url.database}?mode=ro&uri=true"


@contextlib.contextmanager
def app_on(tmp_path, url: str, **config):
    """A second app on `url` (no tables created: the database is the test's own, or unreachable)."""
    broken = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=url, **config)
    try:
        yield broken
    finally:
        with broken.app_context():
            db.engine.dispose()


def copy_session(source_client, app, *, english: bool = True):
    """A client of `app` carrying `source_client`'s session cookie (the same logged-in user)."""
    client = english_client(app) if english else app.test_client()
    cookie = source_client.get_cookie("session")
    assert cookie is not None, "the source client is not logged in"
    client.set_cookie("session", cookie.value)
    return client


def disk_full_error(app):
    if is_postgres(app):
        import psycopg.errors

        return psycopg.errors.DiskFull('could not extend file "base/16384/16385": No space left on device')
    return sqlite3.OperationalError("database or disk is full")


def disconnect_error(app):
    if is_postgres(app):
        import psycopg

        return psycopg.OperationalError("server closed the connection unexpectedly")
    return sqlite3.OperationalError("unable to open database file")


@contextlib.contextmanager
def failing_statements(app, error, *, when=lambda statement: True):
    """While active, statements of `app`'s engine for which `when(sql)` is true raise the DBAPI `error`."""
    calls = []

    def fail(conn, cursor, statement, parameters, context, executemany):
        if when(statement):
            calls.append(statement)
            raise error

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", fail)
    try:
        yield calls
    finally:
        event.remove(engine, "before_cursor_execute", fail)


def writes(statement: str) -> bool:
    return statement.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))

