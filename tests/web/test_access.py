"""Role checks on every admin route, sessions ended by the admin, and CSRF on the account pages.

The routes are read from the URL map, so a new admin page is covered without touching this file.
"""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from examengine.extensions import db
from examengine.models import Group, User
from examengine.services.accounts import find_user
from tests.conftest import PASSWORD, Auth, csrf_token_from

CHANGING_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def admin_routes(app) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) for every admin route; URL parameters are filled with 1."""
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin_"):
            continue
        url = rule.build({arg: 1 for arg in rule.arguments}, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, method, url))
    return routes


def logged_in(app, username, roles):
    client = app.test_client()
    with app.app_context():
        from examengine.services.accounts import create_user
        create_user(username, password=PASSWORD, roles=roles)
    assert Auth(client).login(username).status_code == 302
    return client


def test_the_walk_covers_the_known_admin_pages(app):
    endpoints = {endpoint for endpoint, _, _ in admin_routes(app)}
    assert {"admin_users.users", "admin_users.groups", "admin_users.import_users",
            "admin_users.deactivate_user", "admin_banks.banks"} <= endpoints
    assert any(method == "POST" for _, method, _ in admin_routes(app))


def test_anonymous_users_are_sent_to_the_login_page(app):
    client = app.test_client()
    for endpoint, method, url in admin_routes(app):
        response = client.open(url, method=method)
        assert response.status_code == 302, f"{method} {endpoint}"
        assert response.headers["Location"].startswith("/login"), f"{method} {endpoint}"


@pytest.mark.parametrize("roles", [("employee",), ("reviewer",), ("reviewer", "employee")])
def test_non_admins_get_403_everywhere(app, roles):
    client = logged_in(app, "someone", roles)
    for endpoint, method, url in admin_routes(app):
        assert client.open(url, method=method).status_code == 403, f"{method} {endpoint} for {roles}"
    with app.app_context():  # nothing was changed by the refused requests
        assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_admins_can_open_every_admin_page(app):
    client = logged_in(app, "root", ("admin",))
    for endpoint, method, url in admin_routes(app):
        if method != "GET":
            continue
        status = client.get(url).status_code
        assert status not in (403, 500) and status < 500, f"GET {endpoint}: {status}"


def test_a_deactivated_admin_loses_access_at_once(app):
    client = logged_in(app, "root", ("admin",))
    logged_in(app, "other", ("admin",))
    with app.app_context():
        victim = find_user("root")
        victim.active = False
        db.session.commit()
    response = client.get("/admin/users")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


# --- sessions ended by an admin ---

def test_deactivation_and_password_reset_end_the_users_sessions(app):
    admin = logged_in(app, "root", ("admin",))
    worker = logged_in(app, "worker", ("employee",))
    with app.app_context():
        worker_id = find_user("worker").id
    admin.post(f"/admin/users/{worker_id}/password", data={})
    assert worker.get("/").status_code == 302
    assert Auth(worker).login("worker").status_code == 200  # the old password no longer works
    typed = {"password": "fresh-pass-1", "confirm": "fresh-pass-1"}
    admin.post(f"/admin/users/{worker_id}/password", data=typed)
    assert Auth(worker).login("worker", "fresh-pass-1").status_code == 302
    admin.post(f"/admin/users/{worker_id}/deactivate")
    assert worker.get("/").status_code == 302
    assert Auth(worker).login("worker", "fresh-pass-1").status_code == 200


# --- CSRF switched on ---

@pytest.fixture
def csrf_admin(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        from examengine.services.accounts import create_user
        create_user("root", password=PASSWORD, roles=("admin",))
        create_user("worker", password=PASSWORD)
        group = Group(name="Ops")
        db.session.add(group)
        db.session.commit()
    token = csrf_token_from(client.get("/login").text)
    client.post("/login", data={"username": "root", "password": PASSWORD, "csrf_token": token})
    return app, client


def _state(app):
    with app.app_context():
        worker = find_user("worker")
        users = db.session.scalar(select(func.count()).select_from(User))
        groups = sorted(db.session.scalars(select(Group.name)))
        return users, worker.active, worker.password_hash, worker.session_nonce, groups


def test_account_changes_without_a_csrf_token_are_refused_and_change_nothing(csrf_admin):
    app, client = csrf_admin
    with app.app_context():
        worker_id, group_id = find_user("worker").id, db.session.scalar(select(Group.id))
    before = _state(app)
    attempts = [
        ("/admin/users/new", {"username": "intruder", "roles": "admin", "password": "password-123",
                              "confirm": "password-123"}),
        (f"/admin/users/{worker_id}", {"roles": "admin", "active": "y"}),
        (f"/admin/users/{worker_id}/deactivate", {}),
        (f"/admin/users/{worker_id}/password", {"password": "password-123", "confirm": "password-123"}),
        ("/admin/groups", {"name": "New"}),
        (f"/admin/groups/{group_id}/rename", {"name": "Renamed"}),
        (f"/admin/groups/{group_id}/delete", {}),
    ]
    for url, data in attempts:
        assert client.post(url, data=data).status_code == 400, url
    csv_file = (io.BytesIO(b"username\nintruder\n"), "u.csv")
    imported = client.post("/admin/users/import", data={"file": csv_file}, content_type="multipart/form-data")
    assert imported.status_code == 400
    assert _state(app) == before
    assert client.get("/admin/users").status_code == 200  # the admin is still logged in


def test_account_changes_with_the_token_work(csrf_admin):
    app, client = csrf_admin
    token = csrf_token_from(client.get("/admin/groups").text)
    assert client.post("/admin/groups", data={"name": "New", "csrf_token": token}).status_code == 302
    page = client.get("/admin/users")
    with app.app_context():
        worker_id = find_user("worker").id
    token = csrf_token_from(page.text)
    response = client.post(f"/admin/users/{worker_id}/deactivate", data={"csrf_token": token})
    assert response.status_code == 302
    assert not _state(app)[1]
