"""Issue 13: static assets under fingerprinted names (the content hash in the file name), served immutable
for a year; a plain or stale name is still served but revalidated (a page rendered before a deploy keeps
working, and no cache holds the wrong contents under that name); nothing outside the static folder is
served; logged-in pages stay no-store."""
from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest

from examengine import PROJECT_ROOT
from examengine.web.http.assets import IMMUTABLE
from tests.exam_builders import make_exam
from tests.web.exam_fixtures import employee_client, start

ASSET_URL = re.compile(r'<(?:script|link)\b[^>]*(?:src|href)="([^"]+)"')
TEMPLATE_STATIC = re.compile(r"""url_for\(\s*['"]static['"]\s*,\s*filename\s*=\s*['"]([^'"]+)['"]""")


def digest_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def assets_in(html: str) -> list[str]:
    return ASSET_URL.findall(html)


def url_of(html: str, name: str) -> str:
    stem, suffix = name.rsplit(".", 1)
    [url] = [u for u in assets_in(html) if re.fullmatch(rf"/static/{re.escape(stem)}\.[0-9a-f]{{12}}\.{suffix}", u)]
    return url


@pytest.fixture
def exam_page(app):
    exam_id = make_exam(app, users=["bob"], title="Assets exam")
    bob = employee_client(app, "bob")
    attempt_id = start(bob, exam_id)
    response = bob.get(f"/attempts/{attempt_id}")
    assert response.status_code == 200 and 'id="exam-root"' in response.text
    return bob, response


def test_every_asset_of_the_exam_page_has_the_hash_of_its_contents(exam_page):
    bob, page = exam_page
    urls = assets_in(page.text)
    assert len(urls) >= 6  # bootstrap css/js, popper, app.css/js, exam.css/js, reports.js, favicon
    for name in ("css/app.css", "css/exam.css", "js/app.js", "js/exam.js", "js/reports.js", "favicon.svg"):
        assert url_of(page.text, name) == f"/static/{name.rsplit('.', 1)[0]}.{digest_of(PROJECT_ROOT / 'static' / name)}.{name.rsplit('.', 1)[1]}"
    for url in urls:
        assert re.search(r"\.[0-9a-f]{12}\.(?:js|css|svg)$", url), url


def test_a_fingerprinted_asset_is_immutable_with_its_content_type_even_for_a_logged_in_user(exam_page):
    bob, page = exam_page
    assert page.headers["Cache-Control"] == "no-store"  # the page itself stays out of every cache
    expected = {"js/exam.js": "text/javascript", "css/exam.css": "text/css", "favicon.svg": "image/svg+xml"}
    for name, mimetype in expected.items():
        response = bob.get(url_of(page.text, name))
        assert response.status_code == 200, name
        assert response.mimetype == mimetype
        assert response.headers["Cache-Control"] == IMMUTABLE
        assert response.data == (PROJECT_ROOT / "static" / name).read_bytes()
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    bootstrap = [u for u in assets_in(page.text) if u.startswith("/bootstrap/static/")]
    assert bootstrap and all(bob.get(u).headers["Cache-Control"] == IMMUTABLE for u in bootstrap)


def test_a_plain_or_stale_name_is_still_served_but_revalidated(client):
    current = (PROJECT_ROOT / "static" / "js" / "exam.js").read_bytes()
    for url in ("/static/js/exam.js", "/static/js/exam.0123456789ab.js"):
        response = client.get(url)
        assert response.status_code == 200 and response.data == current, url
        assert response.mimetype == "text/javascript"
        assert response.headers["Cache-Control"] == "no-cache", url
        assert "Expires" not in response.headers
        etag = response.headers["ETag"]
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


def test_a_missing_file_is_404_with_or_without_a_hash(client):
    assert client.get("/static/js/nothing.js").status_code == 404
    assert client.get("/static/js/nothing.0123456789ab.js").status_code == 404


@pytest.mark.parametrize("url", [
    "/static/../pyproject.toml", "/static/%2e%2e/pyproject.toml", "/static/js/..%2F..%2Fpyproject.toml",
    "/static/..%2Fpyproject.{digest}.toml", "/static/%2Fetc%2Fpasswd", "/bootstrap/static/..%2F__init__.py",
])
def test_nothing_outside_the_static_folder_is_served(client, url):
    # (a doubled slash is first redirected to its merged form by the router: follow it)
    response = client.get(url.format(digest=digest_of(PROJECT_ROOT / "pyproject.toml")), follow_redirects=True)
    assert response.status_code == 404, url
    assert b"[project]" not in response.data


def test_no_url_is_built_for_a_file_outside_the_static_folder(app):
    from flask import url_for

    with app.test_request_context():
        assert url_for("static", filename="../pyproject.toml") == "/static/../pyproject.toml"  # no hash: not read
        assert url_for("static", filename="js/nothing.js") == "/static/js/nothing.js"


def copied_static(tmp_path: Path) -> Path:
    folder = tmp_path / "static-copy"
    shutil.copytree(PROJECT_ROOT / "static", folder)
    return folder


def test_the_url_changes_when_the_file_changes(app_factory, tmp_path):
    folder = copied_static(tmp_path)
    first = app_factory()
    first.static_folder = str(folder)
    before = url_of(first.test_client().get("/login").text, "js/app.js")
    assert before.endswith(f".{digest_of(folder / 'js' / 'app.js')}.js")

    (folder / "js" / "app.js").write_text((folder / "js" / "app.js").read_text() + "\n// changed\n")
    # A running server hashes each file once; its old name is now served as stale (revalidated), not immutable.
    client = first.test_client()
    assert url_of(client.get("/login").text, "js/app.js") == before
    # A new process (the next deploy) hashes the new contents: a new name, immutable, the new contents.
    second = app_factory()
    second.static_folder = str(folder)
    client = second.test_client()
    after = url_of(client.get("/login").text, "js/app.js")
    assert after != before and after.endswith(f".{digest_of(folder / 'js' / 'app.js')}.js")
    fresh = client.get(after)
    assert fresh.headers["Cache-Control"] == IMMUTABLE and fresh.data.endswith(b"// changed\n")
    old = client.get(before)  # an examinee's page rendered before the deploy still gets the script
    assert old.status_code == 200 and old.headers["Cache-Control"] == "no-cache"
    assert old.data.endswith(b"// changed\n")


def test_in_debug_mode_an_edited_file_gets_a_new_name_at_once(app_factory, tmp_path):
    folder = copied_static(tmp_path)
    app = app_factory(DEBUG=True)
    app.static_folder = str(folder)
    client = app.test_client()
    before = url_of(client.get("/login").text, "css/app.css")
    (folder / "css" / "app.css").write_text((folder / "css" / "app.css").read_text() + "\n/* edited */\n")
    after = url_of(client.get("/login").text, "css/app.css")
    assert after != before and client.get(after).headers["Cache-Control"] == IMMUTABLE


def test_every_static_url_in_the_templates_names_an_existing_file():
    names = {name for path in (PROJECT_ROOT / "templates").rglob("*.html")
             for name in TEMPLATE_STATIC.findall(path.read_text(encoding="utf-8"))}
    assert {"js/exam.js", "css/app.css", "favicon.svg"} <= names
    assert all((PROJECT_ROOT / "static" / name).is_file() for name in names), names
