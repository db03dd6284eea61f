"""The UI speaks Simplified Chinese by default and English on request."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

CATALOG = Path(__file__).resolve().parents[2] / "examengine" / "translations" / "zh_Hans_CN" / "LC_MESSAGES"


@pytest.fixture
def client(app):
    return app.test_client()  # no Accept-Language: the site's default applies


def test_default_language_is_simplified_chinese(client):
    page = client.get("/login").text
    assert '<html lang="zh-CN">' in page
    assert "登录" in page


def test_accept_language_english_gives_english(client):
    page = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"}).text
    assert '<html lang="en">' in page
    assert "Log in" in page
    assert "登录" not in page


def test_accept_language_chinese_variants_give_chinese(client):
    page = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}).text
    assert '<html lang="zh-CN">' in page


def test_the_user_choice_beats_the_browser(client):
    client.post("/language/en", data={"next": "/login"})
    page = client.get("/login", headers={"Accept-Language": "zh-CN"}).text
    assert "Log in" in page
    client.post("/language/zh_CN")
    assert "登录" in client.get("/login", headers={"Accept-Language": "en"}).text


def test_the_choice_is_kept_on_the_account(app, client, make_user, auth):
    make_user("alice")
    auth.login("alice")
    client.post("/language/en")
    other = app.test_client()
    other.post("/login", data={"username": "alice", "password": "correct-horse-42"})
    assert '<html lang="en">' in other.get("/", headers={"Accept-Language": "zh-CN"}).text


def test_the_choice_survives_login(client, make_user, auth):
    make_user("alice")
    client.post("/language/en")
    auth.login("alice")
    assert '<html lang="en">' in client.get("/").text


def test_unknown_language_is_refused_politely(client):
    response = client.post("/language/xx", data={"next": "/login"})
    assert response.status_code == 302
    assert '<html lang="zh-CN">' in client.get("/login").text


def test_language_switch_rejects_foreign_redirects(client):
    response = client.post("/language/en", data={"next": "//evil.example/x"})
    assert "evil.example" not in response.headers["Location"]


def test_every_message_has_a_chinese_translation():
    with open(CATALOG / "messages.po", "rb") as handle:
        catalog = read_po(handle)
    missing = [m.id for m in catalog if m.id and not (m.string if isinstance(m.string, str) else all(m.string))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert missing == [], f"untranslated: {missing[:10]}"
    assert fuzzy == [], f"fuzzy: {fuzzy[:10]}"


def test_placeholders_survive_translation():
    with open(CATALOG / "messages.po", "rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if not message.id or isinstance(message.id, tuple):
            continue
        wanted = sorted(re.findall(r"%\(\w+\)[sd]", message.id))
        assert sorted(re.findall(r"%\(\w+\)[sd]", message.string)) == wanted, message.id
