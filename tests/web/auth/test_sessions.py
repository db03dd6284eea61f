"""Ending sessions: a copy of the session or remember-me cookie taken before logout, a password change or
reset, or a deactivation no longer logs anyone in. And the flags both cookies carry."""
from __future__ import annotations

import pytest

from examengine.extensions import db
from examengine.models import User
from examengine.services.accounts import create_user, reset_password, set_active
from tests.conftest import PASSWORD, Auth, english_client


def replay(app, **cookies):
    """Another browser holding only copies of these cookies opens the home page."""
    browser = english_client(app)
    for name, value in cookies.items():
        browser.set_cookie(name, value)
    return browser.get("/")


def assert_sent_to_login(response):
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def copied_cookies(client) -> dict[str, str]:
    return {name: client.get_cookie(name).value for name in ("session", "remember_token")}


def test_a_copied_session_cookie_no_longer_works_after_logout(app, client, make_user, auth):
    make_user("alice")
    auth.login("alice")
    copy = client.get_cookie("session").value
    assert replay(app, session=copy).status_code == 200  # the copy is as good as the original
    auth.logout()
    assert_sent_to_login(replay(app, session=copy))


def test_a_copied_remember_me_cookie_no_longer_works_after_logout(app, client, make_user, auth):
    make_user("alice")
    auth.login("alice", remember="y")
    copies = copied_cookies(client)
    remembered = replay(app, remember_token=copies["remember_token"])
    assert remembered.status_code == 200 and "alice" in remembered.text  # alone it logs in
    auth.logout()
    assert_sent_to_login(replay(app, remember_token=copies["remember_token"]))
    assert_sent_to_login(replay(app, **copies))
    assert_sent_to_login(client.get("/"))


def _change_password(user):
    user.set_password("another-password-1")
    db.session.commit()


@pytest.mark.parametrize("end", [
    _change_password,
    lambda user: reset_password(user),
    lambda user: set_active(user, False, acting_user=None),
], ids=["password-change", "password-reset", "deactivation"])
def test_password_change_reset_and_deactivation_end_remember_me_cookies(app, client, make_user, auth, end):
    user_id = make_user("alice")
    auth.login("alice", remember="y")
    copies = copied_cookies(client)
    assert replay(app, remember_token=copies["remember_token"]).status_code == 200
    with app.app_context():
        end(db.session.get(User, user_id))
    assert_sent_to_login(replay(app, remember_token=copies["remember_token"]))
    assert_sent_to_login(replay(app, **copies))
    assert_sent_to_login(client.get("/"))


def test_logout_ends_the_users_sessions_in_other_browsers_too(app, client, make_user, auth):
    make_user("alice")
    other = english_client(app)
    Auth(other).login("alice")
    auth.login("alice")
    auth.logout()
    assert_sent_to_login(other.get("/"))


def test_logging_in_again_after_logout_works(app, client, make_user, auth):
    make_user("alice")
    auth.login("alice", remember="y")
    auth.logout()
    auth.login("alice", remember="y")
    assert client.get("/").status_code == 200
    assert replay(app, remember_token=client.get_cookie("remember_token").value).status_code == 200


def _cookie_attributes(response) -> dict[str, set[str]]:
    cookies = {}
    for header in response.headers.getlist("Set-Cookie"):
        name = header.split("=", 1)[0]
        cookies[name] = {part.strip().lower() for part in header.split(";")[1:]}
    return cookies


@pytest.mark.parametrize("secure", [False, True], ids=["http", "secure-cookies"])
def test_session_and_remember_me_cookies_carry_the_same_flags(app_factory, monkeypatch, secure):
    if secure:
        monkeypatch.setenv("EXAMENGINE_SECURE_COOKIES", "1")
    else:
        monkeypatch.delenv("EXAMENGINE_SECURE_COOKIES", raising=False)
    app = app_factory()
    with app.app_context():
        create_user("alice", password=PASSWORD)
    response = english_client(app).post("/login", data={"username": "alice", "password": PASSWORD,
                                                         "remember": "y"})
    assert response.status_code == 302
    cookies = _cookie_attributes(response)
    for name in ("session", "remember_token"):
        assert "httponly" in cookies[name], name
        assert "samesite=lax" in cookies[name], name
        assert ("secure" in cookies[name]) is secure, name
