"""Headers on every response: a strict Content-Security-Policy (no inline script or style, no foreign
origin), no framing, nosniff, the referrer policy; and no-store for everything a logged-in user gets."""
from __future__ import annotations

from flask import Flask, g, request, session

# No inline script or style anywhere (templates/ is scanned by tests/web/test_security_headers.py), no
# foreign origin: Bootstrap is served by Bootstrap-Flask from /bootstrap/static.
CSP_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'self'",
    "object-src": "'none'",
}
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def content_security_policy(image_sources: str = "") -> str:
    """The policy; `image_sources` (EXAMENGINE_IMAGE_SOURCES) adds hosts that question images come from."""
    directives = dict(CSP_DIRECTIVES)
    extra = [source for source in image_sources.split() if not any(ch in source for ch in ";,'\"")]
    if extra:
        directives["img-src"] += " " + " ".join(extra)
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def _is_static() -> bool:
    endpoint = request.endpoint or ""
    return endpoint == "static" or endpoint.endswith(".static")


def _logged_in() -> bool:
    """From the session cookie only: never loads the user (the database may be away)."""
    user = g.get("_login_user")
    return "_user_id" in session or bool(getattr(user, "is_authenticated", False))


def register(app: Flask) -> None:
    policy = content_security_policy(app.config.get("EXAMENGINE_IMAGE_SOURCES", ""))

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", policy)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if not _is_static() and _logged_in():
            # Pages, JSON and exports of a logged-in user stay out of every cache (shared or the browser's).
            response.headers["Cache-Control"] = "no-store"
        return response
