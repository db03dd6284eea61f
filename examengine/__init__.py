"""ExamEngine: online exams for technical-support staff."""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from .config import build_config

if TYPE_CHECKING:  # the pure core (examengine.core) must import without Flask
    from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    from flask import Flask

    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    if test_config and "INSTANCE_PATH" in test_config:
        app.instance_path = test_config["INSTANCE_PATH"]
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(build_config(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)

    if app.config.get("EXAMENGINE_PROXY_FIX"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        # One trusted proxy in front: request.remote_addr is the client address it appended.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1)
    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    return app


def _init_extensions(app: Flask) -> None:
    from . import (
        models,  # noqa: F401  (registers the tables with the metadata)
        web,
    )
    from .extensions import bootstrap, csrf, db, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    bootstrap.init_app(app)
    web.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from .web import register_blueprints

    register_blueprints(app)


def _register_cli(app: Flask) -> None:
    from .cli import register

    register(app)
