"""Per-test application and database, as in Flask's tutorial.

The database is a fresh SQLite file per test, or, when EXAMENGINE_TEST_DATABASE_URL is set (CI does so
for its PostgreSQL run), that database emptied after every test.
"""
from __future__ import annotations

import os
import re

import pytest
from flask_migrate import upgrade as upgrade_database
from sqlalchemy import text

from examengine import create_app
from examengine.config import normalize_database_url
from examengine.extensions import db
from examengine.services.accounts import create_user
from examengine.services.analysis import clear_cache as clear_analysis_cache
from examengine.services.banks.pool import clear_plan_cache

PASSWORD = "correct-horse-42"
SERVER_DATABASE_URL = os.environ.get("EXAMENGINE_TEST_DATABASE_URL", "").strip()


def _database_url(tmp_path) -> str:
    if SERVER_DATABASE_URL:
        return normalize_database_url(SERVER_DATABASE_URL)
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


def make_app(tmp_path, **overrides):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path),
        "WTF_CSRF_ENABLED": False,
        # Small thresholds: every failed login costs a full password hash.
        "EXAMENGINE_LOGIN_PAIR_FAILURES": 3,
        "EXAMENGINE_LOGIN_ADDRESS_FAILURES": 6,
        "EXAMENGINE_LOGIN_ACCOUNT_FAILURES": 9,
        "EXAMENGINE_LOGIN_MAX_DELAY_SECONDS": 60,
    }
    config.update(overrides)
    return create_app(config)


def empty_database() -> None:
    clear_plan_cache()  # plans are cached per process, keyed by a pool version a new test can repeat
    clear_analysis_cache()  # likewise keyed by the marks' stamp, which a fresh database can repeat
    db.session.remove()
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        with db.engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    db.engine.dispose()


@pytest.fixture
def app_factory(tmp_path):
    """Build an app with config overrides (e.g. CSRF on); each gets the tables created."""
    built = []

    def build(**overrides):
        app = make_app(tmp_path, **overrides)
        with app.app_context():
            db.create_all()
        built.append(app)
        return app

    yield build
    for app in built:
        with app.app_context():
            empty_database()


@pytest.fixture
def app(app_factory):
    return app_factory()


@pytest.fixture
def client(app):
    """A client that asks for English, so assertions can read the messages' source text.

    Tests of the default (Chinese) UI use `app.test_client()` directly.
    """
    return english_client(app)


def english_client(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    def make(username, roles=("employee",), password=PASSWORD, **fields):
        with app.app_context():
            user = create_user(username, password=password, roles=roles, **fields)
            return user.id

    return make


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, username, password=PASSWORD, **extra):
        return self.client.post("/login", data={"username": username, "password": password, **extra})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def admin_client(app, client, make_user, auth):
    make_user("admin", roles=("admin",))
    auth.login("admin")
    return client


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, "no CSRF token in the page"
    return match.group(1)


@pytest.fixture
def migrated_app(tmp_path):
    """An app whose database was built by `flask db upgrade`; left as create_all builds it."""
    app = make_app(tmp_path)
    with app.app_context():
        db.drop_all()  # on PostgreSQL the shared test database may hold tables from create_all
        _drop_alembic_version()
        upgrade_database()
        yield app
        db.session.remove()
        db.drop_all()
        _drop_alembic_version()
        db.create_all()
        db.engine.dispose()


def _drop_alembic_version():
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
