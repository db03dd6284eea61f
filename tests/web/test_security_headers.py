"""Issue 8, item 4: the security headers of every response, no caching of a logged-in user's responses,
and templates without inline script, inline event handlers, javascript: URLs or inline style (the
Content-Security-Policy allows none of them)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from examengine.web.http.headers import content_security_policy
from examengine.web.results.charts import bar_chart, histogram
from tests.exam_builders import make_exam
from tests.results_builders import sit
from tests.web.exam_fixtures import employee_client, start

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
STATIC_JS = Path(__file__).resolve().parents[2] / "static" / "js"

EXPECTED_CSP = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "frame-ancestors": {"'none'"},
    "form-action": {"'self'"},
    "base-uri": {"'self'"},
    "object-src": {"'none'"},
}


def directives(header: str) -> dict[str, set[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = set(values)
    return parsed


def assert_security_headers(response) -> None:
    policy = directives(response.headers["Content-Security-Policy"])
    for name, values in EXPECTED_CSP.items():
        assert policy.get(name) == values, (name, policy.get(name))
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin")


@pytest.fixture
def sat_exam(app):
    """An exam alice has submitted (results and exports have a row) and bob is sitting."""
    exam_id = make_exam(app, users=["alice", "bob"], title="Headers exam")
    sit(app, exam_id, "alice")
    return exam_id


def test_the_login_page_sends_the_headers_and_may_be_cached(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert_security_headers(response)
    assert "no-store" not in response.headers.get("Cache-Control", "")  # nobody is logged in


def test_an_exam_page_sends_the_headers_and_is_not_stored(app, sat_exam):
    bob = employee_client(app, "bob")
    attempt_id = start(bob, sat_exam)
    response = bob.get(f"/attempts/{attempt_id}")
    assert response.status_code == 200 and 'id="exam-root"' in response.text
    assert_security_headers(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_the_save_endpoint_json_sends_the_headers_and_is_not_stored(app, sat_exam):
    bob = employee_client(app, "bob")
    attempt_id = start(bob, sat_exam)
    response = bob.post(f"/attempts/{attempt_id}/save", json={"changes": []})
    assert response.status_code == 200 and response.is_json
    assert_security_headers(response)
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/admin/exams/{exam}/results.csv", "/admin/exams/{exam}/results.xlsx",
                                  "/admin/exams/{exam}/question-scores.csv"])
def test_exports_send_the_headers_and_are_not_stored(admin_client, sat_exam, path):
    response = admin_client.get(path.format(exam=sat_exam))
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    assert_security_headers(response)
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/", "/admin/exams", "/admin/exams/{exam}", "/admin/exams/{exam}/results",
                                  "/admin/users", "/admin/questions"])
def test_admin_pages_send_the_headers_and_are_not_stored(admin_client, sat_exam, path):
    response = admin_client.get(path.format(exam=sat_exam))
    assert response.status_code == 200
    assert_security_headers(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_error_pages_send_the_headers(client, admin_client):
    response = admin_client.get("/no/such/page")
    assert response.status_code == 404 and 'data-testid="error-message"' in response.text
    assert_security_headers(response)
    assert response.headers["Cache-Control"] == "no-store"  # still a logged-in user's response
    json_error = admin_client.get("/no/such/page", headers={"Accept": "application/json"})
    assert json_error.status_code == 404 and json_error.get_json()["error"]
    assert_security_headers(json_error)


def test_a_json_error_of_an_anonymous_client_sends_the_headers(client):
    response = client.post("/attempts/1/save", json={"changes": []})
    assert response.status_code in (302, 401)
    assert_security_headers(response)


def test_healthz_sends_the_headers(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json()["status"] == "ok"
    assert_security_headers(response)


@pytest.mark.parametrize("path", ["/static/js/exam.js", "/static/css/app.css",
                                  "/bootstrap/static/css/bootstrap.min.css"])
def test_static_files_stay_cacheable_for_a_logged_in_user(admin_client, path):
    response = admin_client.get(path)
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_image_sources_may_be_added_for_question_images(app_factory):
    app = app_factory(EXAMENGINE_IMAGE_SOURCES="https://wiki.example.com  https://img.example.com;script-src")
    response = app.test_client().get("/login")
    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["img-src"] == {"'self'", "data:", "https://wiki.example.com"}  # no directive smuggled in
    assert policy["script-src"] == {"'self'"}
    assert content_security_policy("") == content_security_policy("   ")


# --- what the policy forbids, checked on the sources ---

def template_files() -> list[Path]:
    files = sorted(TEMPLATES.rglob("*.html"))
    assert len(files) > 30
    return files


def strip_jinja(text: str) -> str:
    return re.sub(r"\{#.*?#\}", "", text, flags=re.S)


@pytest.mark.parametrize("path", template_files(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_templates_have_no_inline_script_handlers_or_style(path):
    text = strip_jinja(path.read_text(encoding="utf-8"))
    for tag in re.finditer(r"<script\b([^>]*)>", text, flags=re.I):
        assert re.search(r"\bsrc=", tag.group(1)), f"inline <script> in {path.name}"
    assert not re.search(r"<[a-z][^>]*\son[a-z]+\s*=", text, flags=re.I), f"on*= handler in {path.name}"
    assert "javascript:" not in text.lower(), f"javascript: URL in {path.name}"
    assert not re.search(r"<[a-z][^>]*\sstyle\s*=", text, flags=re.I), f"style= attribute in {path.name}"
    assert not re.search(r"<style\b", text, flags=re.I), f"<style> block in {path.name}"
    assert not re.search(r"""(?:src|href)=["']//|(?:src|href)=["']https?://""", text), f"foreign asset in {path.name}"


@pytest.mark.parametrize("snippet", ['<form method="post"\n      onsubmit="return confirm(1)">',
                                     "<script>alert(1)</script>", '<div class="x" style="color: red">',
                                     '<a href="javascript:alert(1)">', '<script src="https://cdn.example.com/x.js">'])
def test_the_scan_finds_what_it_forbids(tmp_path, snippet):
    probe = tmp_path / "probe.html"
    probe.write_text(snippet, encoding="utf-8")
    with pytest.raises(AssertionError):
        test_templates_have_no_inline_script_handlers_or_style(probe)


def test_deleting_asks_for_confirmation_through_data_attributes():
    for name in ("exams/rules.html", "exams/settings.html"):
        assert "data-confirm=" in (TEMPLATES / name).read_text(encoding="utf-8")
    assert "data-confirm" in (STATIC_JS / "app.js").read_text(encoding="utf-8")
    assert "js/app.js" in (TEMPLATES / "base.html").read_text(encoding="utf-8")


def test_static_js_builds_no_inline_style_or_handlers():
    for path in STATIC_JS.glob("*.js"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"""setAttribute\(\s*["'](?:style|on[a-z]+)["']""", text), path.name
        assert "innerHTML" not in text and "eval(" not in text, path.name


def test_charts_carry_no_inline_style():
    for chart in (histogram([1, 3, 0], ["a", "b", "c"], title="t"), bar_chart([("x", 50.0), ("y", None)], title="t")):
        assert "style=" not in str(chart) and 'class="chart-svg"' in str(chart)


def test_bootstrap_is_served_from_this_server(client):
    page = client.get("/login").text
    assets = re.findall(r'<(?:script|link)\b[^>]*(?:src|href)="([^"]+)"', page)
    # (fingerprinted: bootstrap.min.<hash>.css, tests/web/test_static_assets.py)
    assert any(re.search(r"/bootstrap\.min\.[0-9a-f]{12}\.css$", url) for url in assets)
    assert any(re.search(r"/bootstrap\.min\.[0-9a-f]{12}\.js$", url) for url in assets)
    assert all(url.startswith("/") and not url.startswith("//") for url in assets), assets
    for url in assets:
        assert client.get(url).status_code == 200, url
