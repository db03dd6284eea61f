"""`--lang zh|en` for the commands that print messages: the core's and the services' messages, and the
command's own lines, in that language. Without it the locale environment decides (LC_ALL, LC_MESSAGES,
LANG: zh_CN... is Chinese, anything else English)."""
from __future__ import annotations

import functools
from contextlib import nullcontext
from pathlib import Path

import click
from flask import Flask, has_app_context
from flask.cli import ScriptInfo

from ..extensions import babel
from ..services.messages import language_from_environment, speaking

LANGUAGES = {"zh": "zh_CN", "en": "en"}
CATALOG_ONLY = "EXAMENGINE_CLI_CATALOG_ONLY"


def with_language(command):
    """Decorate a click command (below `@group.command`): adds `--lang` and runs it speaking that
    language, inside an app context (pushed here for commands such as `banks check` that need none)."""
    @functools.wraps(command)
    def run(*args, lang: str | None = None, **kwargs):
        language = LANGUAGES[lang] if lang else language_from_environment()
        context = nullcontext() if has_app_context() else _app_context()
        with context, speaking(language):
            return command(*args, **kwargs)

    return click.option("--lang", type=click.Choice(sorted(LANGUAGES)), default=None,
                        help="Language of the messages: zh or en (default: from LANG).")(run)


def _app_context():
    try:
        app = click.get_current_context().ensure_object(ScriptInfo).load_app()
    except Exception:  # no --app / FLASK_APP: `banks check` still works, with the catalogs only
        app = catalog_only_app()
    return app.app_context()


def catalog_only_app() -> Flask:
    """An app that can translate and nothing else (no database), marked so that code needing the real
    application can tell (`CATALOG_ONLY`)."""
    app = Flask("examengine")
    app.config[CATALOG_ONLY] = True
    babel.init_app(app, default_translation_directories=str(Path(app.root_path) / "translations"))
    return app
