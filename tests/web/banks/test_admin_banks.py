"""Admin bank upload: good uploads, every kind of bad one (clear message, nothing stored, never a 500),
CSRF and role checks on every bank page."""
from __future__ import annotations

import re

import pytest

from examengine.services.accounts import create_user
from tests.conftest import PASSWORD, csrf_token_from, english_client
from tests.web.bank_samples import BAD, NET, stored, upload


def test_upload_page_shows_the_form(admin_client):
    response = admin_client.get("/admin/banks/upload")
    assert response.status_code == 200
    assert 'type="file"' in response.text and "multiple" in response.text


def test_upload_imports_and_lists_what_happened(app, admin_client):
    response = upload(admin_client, ("net.md", NET.encode()))
    assert response.status_code == 200, response.text
    assert 'data-count="added">' in response.text and "HTTPS 默认端口" in response.text
    assert stored(app) == 1

    response = upload(admin_client, ("net.md", NET.replace("UDP 是无连接协议。", "UDP 不建立连接。").encode()))
    assert response.status_code == 200
    changed = re.search(r'data-list="changed">(.*?)</ul>', response.text, re.DOTALL).group(1)
    assert "UDP 无连接" in changed


def test_upload_of_several_files(app, admin_client):
    other = "---\nid: other\n---\n## [truefalse] 其它\nanswer: F\n\n地球是平的。\n"
    response = upload(admin_client, ("net.md", NET.encode()), ("其它.md", other.encode()))
    assert response.status_code == 200
    assert stored(app) == 2


BAD_UPLOADS = {
    "no file": ([], "Choose at least one"),
    "wrong extension": ([("net.pdf", NET.encode())], "Moodle XML (.xml)"),
    "empty": ([("empty.md", b"")], "empty.md"),
    "not utf-8": ([("gbk.md", "## [truefalse] 题\nanswer: 对\n\n中文\n".encode("gbk"))], "gbk.md"),
    "bad question": ([("bad.md", BAD.encode())], "- [x] A"),
    "one bad file of two": ([("net.md", NET.encode()), ("bad.md", BAD.encode())], "bad.md"),
    "unknown type": ([("t.md", b"## [essay] X\n\nstem\n")], "## [essay] X"),
    "broken front matter": ([("f.md", b"---\nid: [oops\n---\n## [truefalse] X\nanswer: T\n\ns\n")], "f.md"),
    "400 nested lists": ([("deep.md", ("## [truefalse] X\nanswer: T\n\n" + "\n".join(
        "  " * level + "- x" for level in range(400))).encode())], "over the limit of 20,000"),
    "40 nested lists": ([("deep.md", ("## [truefalse] X\nanswer: T\n\n" + "\n".join(
        "    " * level + "- x" for level in range(40))).encode())], "lists or quotes are nested 21 levels deep"),
    "unclosed tags": ([("tags.md", b"## [truefalse] X\nanswer: T\n\n" + b"<b><i>" * 100_000)],
                      "this line is 600,000 characters long"),
}


@pytest.mark.parametrize("files, expected", BAD_UPLOADS.values(), ids=BAD_UPLOADS.keys())
def test_bad_upload_shows_the_problem_and_stores_nothing(app, admin_client, files, expected):
    response = upload(admin_client, *files)
    assert response.status_code == 400
    assert 'data-testid="upload-errors"' in response.text
    assert expected in response.text
    assert 'type="file"' in response.text  # the form is shown again
    assert stored(app) == 0


def test_wrong_extension_and_bad_bank_are_reported_together(app, admin_client):
    response = upload(admin_client, ("bad.md", BAD.encode()), ("notes.pdf", b"x"), ("net.md", NET.encode()))
    assert response.status_code == 400
    assert "notes.pdf" in response.text and "exactly one" in response.text
    assert stored(app) == 0


def test_post_without_multipart_is_a_clear_error(app, admin_client):
    response = admin_client.post("/admin/banks/upload", data={"files": "net.md"})
    assert response.status_code == 400 and "Choose at least one" in response.text


def test_unexpected_failure_is_reported_not_500(app, admin_client, monkeypatch):
    from examengine.services.banks import imports as bank_import

    def broken(*args, **kwargs):
        raise RuntimeError("parser bug")

    monkeypatch.setattr(bank_import, "load_bank_bytes", broken)
    response = upload(admin_client, ("net.md", NET.encode()))
    assert response.status_code == 400 and "unexpected error" in response.text
    assert stored(app) == 0


def test_bad_question_error_names_line_and_text(admin_client):
    response = upload(admin_client, ("bad.md", BAD.encode()))
    row = re.search(r"<tr>\s*<td[^>]*>bad.md</td>\s*<td>(\d+)</td>(.*?)</tr>", response.text, re.DOTALL)
    assert row and row.group(1) == "5"
    assert "exactly one" in row.group(2) and "- [x] A" in row.group(2)


def logged_in_admin(app, **login_extra):
    client = english_client(app)
    with app.app_context():
        create_user("boss", password=PASSWORD, roles=("admin",))
    client.post("/login", data={"username": "boss", "password": PASSWORD, **login_extra})
    return client


def test_file_over_the_bank_limit(app_factory):
    app = app_factory(EXAMENGINE_MAX_BANK_BYTES=200)
    client = logged_in_admin(app)
    response = upload(client, ("net.md", NET.encode()))
    assert response.status_code == 400 and "net.md" in response.text
    assert stored(app) == 0


def test_request_over_the_upload_limit_is_413_with_the_form(app_factory):
    app = app_factory(MAX_CONTENT_LENGTH=1000)
    client = logged_in_admin(app)
    response = upload(client, ("net.md", b"x" * 5000))
    assert response.status_code == 413
    assert "larger than" in response.text and 'type="file"' in response.text


def test_upload_requires_csrf_token(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        create_user("boss", password=PASSWORD, roles=("admin",))
    token = csrf_token_from(client.get("/login").text)
    client.post("/login", data={"username": "boss", "password": PASSWORD, "csrf_token": token})
    assert upload(client, ("net.md", NET.encode())).status_code == 400
    assert stored(app) == 0
    token = csrf_token_from(client.get("/admin/banks/upload").text)
    assert upload(client, ("net.md", NET.encode()), csrf_token=token).status_code == 200
    assert stored(app) == 1


ADMIN_PAGES = ["/admin/banks", "/admin/banks/upload", "/admin/questions", "/admin/questions/1"]


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_admin_pages_need_the_admin_role(client, make_user, auth, url):
    assert client.get(url).status_code == 302  # anonymous: to the login page
    make_user("worker", roles=("employee", "reviewer"))
    auth.login("worker")
    assert client.get(url).status_code == 403
    assert upload(client, ("net.md", NET.encode())).status_code == 403
