"""Browser tests: the app on a live local server, driven by Playwright in the system Chromium.

Every browser context is watched for Content-Security-Policy violations (the app sends a strict policy,
web/http.py): Chromium's console reports and a `securitypolicyviolation` listener both feed
`CSP_VIOLATIONS`, and any test during which one occurs fails.
"""
from __future__ import annotations

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Without these, Chromium keeps trying to reach Google's hosts, which this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


# A violation in the document (inline script or style, a foreign origin, a blocked frame…): reported
# through a binding, so it is seen even when the page's console is noisy.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolation(event.violatedDirective + " blocked " + (event.blockedURI || "inline") + " in "
                        + event.documentURI + (event.lineNumber ? ":" + event.lineNumber : ""));
}, true);
"""
CSP_VIOLATIONS: list[str] = []
_WATCHED_CONTEXTS: list = []


def watch_csp(context):
    """Collect the CSP violations of every page in `context` into CSP_VIOLATIONS."""
    def on_console(message):
        if "Content Security Policy" in message.text:
            CSP_VIOLATIONS.append(f"console: {message.text}")

    context.on("console", on_console)
    context.expose_binding("__cspViolation", lambda source, text: CSP_VIOLATIONS.append(f"event: {text}"))
    context.add_init_script(CSP_LISTENER)
    _WATCHED_CONTEXTS.append(context)
    context.on("close", lambda closed: _WATCHED_CONTEXTS.remove(context) if context in _WATCHED_CONTEXTS else None)
    return context


class CSPWatchingBrowser:
    """The session's Browser, whose new contexts are all watched (tests that build their own context,
    e.g. without JavaScript, are covered too)."""

    def __init__(self, browser):
        self._browser = browser

    def new_context(self, **options):
        return watch_csp(self._browser.new_context(**options))

    def __getattr__(self, name):
        return getattr(self._browser, name)


def _pump_events() -> None:
    # Playwright's sync API delivers events while it talks to the browser: one round trip per page
    # delivers the console messages and binding calls still queued.
    for context in list(_WATCHED_CONTEXTS):
        for page in context.pages:
            try:
                page.evaluate("0")
            except Exception:  # noqa: BLE001,S112  (closed, navigating, or JavaScript off)
                continue


class Violations:
    """What a test that provokes violations on purpose reads (and then clears)."""

    def seen(self) -> list[str]:
        _pump_events()
        return list(CSP_VIOLATIONS)

    def clear(self) -> None:
        CSP_VIOLATIONS.clear()


@pytest.fixture
def csp_violations():
    return Violations()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    CSP_VIOLATIONS.clear()
    result = yield
    if "tests/browser/" in str(item.fspath).replace("\\", "/"):
        _pump_events()
        violations, CSP_VIOLATIONS[:] = list(CSP_VIOLATIONS), []
        assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)
    return result


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    if CHROMIUM is None:
        pytest.fail("Chromium is not installed: `make test` installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield CSPWatchingBrowser(chromium)
        chromium.close()


@pytest.fixture
def page(browser, request):
    # Reduced motion: Bootstrap then runs no fade transitions, so a dialog is shown or hidden at once
    # and no assertion can meet it half-way on a busy machine. Tests wait on states, never on time.
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, reduced_motion="reduce")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        os.makedirs("test-artifacts", exist_ok=True)
        page.screenshot(path=f"test-artifacts/{request.node.name}.png", full_page=True)
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call = report
