"""CSRF protection on every form and state-changing JSON endpoint (with CSRF switched on)."""
from __future__ import annotations

import pytest

from tests.conftest import PASSWORD, csrf_token_from


@pytest.fixture
def csrf_app(app_factory):
    return app_factory(WTF_CSRF_ENABLED=True)


def test_login_without_token_is_refused(csrf_app, make_user):
    client = csrf_app.test_client()
    with csrf_app.app_context():
        from examengine.services.accounts import create_user
        create_user("alice", password=PASSWORD)
    response = client.post("/login", data={"username": "alice", "password": PASSWORD},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "expired" in response.text
    assert client.get("/").status_code == 302


def test_login_with_token_works(csrf_app):
    client = csrf_app.test_client()
    with csrf_app.app_context():
        from examengine.services.accounts import create_user
        create_user("alice", password=PASSWORD)
    token = csrf_token_from(client.get("/login").text)
    response = client.post("/login", data={"username": "alice", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_every_post_route_demands_a_token(csrf_app):
    """Walk the URL map: any POST without a token, even from a logged-in admin, is a 400."""
    client = csrf_app.test_client()
    with csrf_app.app_context():
        from examengine.services.accounts import create_user
        create_user("root", password=PASSWORD, roles=("admin",))
    token = csrf_token_from(client.get("/login").text)
    client.post("/login", data={"username": "root", "password": PASSWORD, "csrf_token": token})
    checked = 0
    for rule in csrf_app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint == "static":
            continue
        url = rule.build({arg: 1 for arg in rule.arguments}, append_unknown=False)[1]
        for headers in ({}, {"Content-Type": "application/json"}):
            response = client.post(url, data="{}" if headers else {}, headers=headers)
            assert response.status_code == 400, f"{rule.endpoint} accepted a POST without CSRF token"
        checked += 1
    assert checked >= 2
    assert client.get("/").status_code == 200  # still logged in: the refused logout did nothing
