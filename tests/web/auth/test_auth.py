"""Login, logout and session handling (throttling: test_throttle.py; cookies: test_sessions.py)."""
from __future__ import annotations

from examengine.extensions import db
from examengine.models import User


def test_login_page_renders_a_form(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert 'name="username"' in response.text and 'name="password"' in response.text


def test_pages_need_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_login_and_logout(client, make_user, auth):
    make_user("alice", display_name="张三")
    response = auth.login("alice")
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert "张三" in client.get("/").text
    auth.logout()
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused_with_a_message(client, make_user, auth):
    make_user("alice")
    response = auth.login("alice", "wrong-password")
    assert response.status_code == 200
    assert client.get("/").status_code == 302


def test_unknown_user_gets_the_same_message_as_a_wrong_password(client, make_user, auth):
    make_user("alice")
    headers = {"Accept-Language": "en"}
    wrong = client.post("/login", data={"username": "alice", "password": "nope"}, headers=headers)
    unknown = client.post("/login", data={"username": "bob", "password": "nope"}, headers=headers)
    assert "Invalid username or password." in wrong.text
    assert "Invalid username or password." in unknown.text


def test_deactivated_user_cannot_log_in(app, client, make_user, auth):
    user_id = make_user("alice")
    with app.app_context():
        db.session.get(User, user_id).active = False
        db.session.commit()
    response = client.post("/login", data={"username": "alice", "password": "correct-horse-42"},
                           headers={"Accept-Language": "en"})
    assert "deactivated" in response.text
    assert client.get("/").status_code == 302


def test_login_renews_the_session(client, make_user, auth):
    make_user("alice")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    auth.login("alice")
    with client.session_transaction() as session:
        assert "planted" not in session


def test_password_change_ends_existing_sessions(app, client, make_user, auth):
    user_id = make_user("alice")
    auth.login("alice")
    assert client.get("/").status_code == 200
    with app.app_context():
        db.session.get(User, user_id).set_password("another-password-1")
        db.session.commit()
    assert client.get("/").status_code == 302


def test_next_parameter_only_redirects_inside_the_site(client, make_user):
    make_user("alice")
    data = {"username": "alice", "password": "correct-horse-42"}
    inside = client.post("/login?next=/admin/users", data=data)
    assert inside.headers["Location"].endswith("/admin/users")
    client.post("/logout")
    outside = client.post("/login?next=https://evil.example/", data=data)
    assert "evil.example" not in outside.headers["Location"]


def test_logout_needs_post(client, make_user, auth):
    make_user("alice")
    auth.login("alice")
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200


def test_navigation_shows_admin_links_only_to_admins(client, make_user, auth):
    make_user("boss", roles=("admin",))
    make_user("worker")
    auth.login("worker")
    assert "/admin/users" not in client.get("/").text
    auth.logout()
    auth.login("boss")
    assert "/admin/users" in client.get("/").text


def test_username_is_matched_without_case(client, make_user, auth):
    make_user("Alice")
    assert auth.login("alice").status_code == 302
    assert client.get("/").status_code == 200
