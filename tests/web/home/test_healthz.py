"""/healthz: 200 while the database answers, `?deep=1` only while it also accepts a write; 503 with a
JSON body otherwise (issue 8, item 6: it used to say 200 with the database read-only)."""
from __future__ import annotations

from sqlalchemy import func, select

from examengine.extensions import db
from examengine.models import User
from tests.web.db_faults import app_on, read_only_url, unreachable_url


def test_healthy(client, make_user, app):
    make_user("alice")
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}
    deep = client.get("/healthz?deep=1")
    assert deep.status_code == 200 and deep.get_json() == {"status": "ok", "database": "ok", "write": "ok"}
    with app.app_context():  # the write check leaves nothing behind
        user = db.session.scalar(select(User).where(User.username == "alice"))
        assert user.active is True and db.session.scalar(select(func.count(User.id))) == 1


def test_the_write_check_works_on_an_empty_database(client):
    assert client.get("/healthz?deep=1").status_code == 200


def test_a_read_only_database_answers_but_fails_the_deep_check(app, make_user, tmp_path):
    make_user("alice")
    with app_on(tmp_path, read_only_url(app)) as read_only:
        client = read_only.test_client()
        assert client.get("/healthz").status_code == 200  # it answers queries
        deep = client.get("/healthz?deep=1")
        assert deep.status_code == 503 and deep.headers["Retry-After"]
        assert deep.get_json() == {"status": "unavailable", "database": "read_only"}


def test_a_read_only_database_fails_the_deep_check_even_without_rows(app, tmp_path):
    with app_on(tmp_path, read_only_url(app)) as read_only:
        assert read_only.test_client().get("/healthz?deep=1").status_code == 503


def test_an_unreachable_database_fails_both_checks(app, tmp_path):
    with app_on(tmp_path, unreachable_url(app, tmp_path)) as down:
        client = down.test_client()
        for path in ("/healthz", "/healthz?deep=1"):
            response = client.get(path)
            assert response.status_code == 503, path
            assert response.get_json() == {"status": "unavailable", "database": "unavailable"}
            assert "127.0.0.1" not in response.text and "sqlite" not in response.text  # no details leak
