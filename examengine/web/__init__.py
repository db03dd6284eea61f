"""The web layer: one package per role or domain, each defining its blueprint in `__init__.py`,
plus three shared modules: `http` (error pages, 404 lookups, no-store), `i18n` (language and time
zone) and `ui` (question partials, type labels, generic form pieces). Views stay thin: they parse
the request, call a service package, and render."""
from __future__ import annotations

from flask import Flask

BLUEPRINT_PACKAGES = ("auth", "home", "accounts", "banks", "exams", "attempts", "reports", "results", "grading",
                      "appeals", "analysis")


def init_app(app: Flask) -> None:
    """Language, login sessions and error pages: what every request needs before any blueprint."""
    from . import http, i18n, ui
    from .auth import session

    i18n.init_app(app)
    ui.init_app(app)
    session.init_app(app)
    http.init_app(app)


def register_blueprints(app: Flask) -> None:
    from importlib import import_module

    for name in BLUEPRINT_PACKAGES:
        app.register_blueprint(import_module(f"{__name__}.{name}").bp)
