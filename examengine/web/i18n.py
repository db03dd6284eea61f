"""Language choice: the user's pick, else the browser's Accept-Language, else Simplified Chinese."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

from ..extensions import babel
from ..services.messages import translate

# The catalog lives in translations/zh_Hans_CN: Babel expands zh_CN to that and never looks in zh_CN/.
LANGUAGES = {"zh_CN": "简体中文", "en": "English"}
DEFAULT_LOCALE = "zh_CN"


def select_locale() -> str:
    if not has_request_context():
        # The command line speaks English (its own output is English), so messages the services
        # produce there are not half Chinese, half English.
        return "en"
    chosen = session.get("locale")
    if chosen in LANGUAGES:
        return chosen
    if getattr(current_user, "is_authenticated", False) and current_user.locale in LANGUAGES:
        return current_user.locale
    return request.accept_languages.best_match(list(LANGUAGES), default=DEFAULT_LOCALE)


def current_language() -> str:
    """Our code for the active locale (Babel spells zh_CN as zh_Hans_CN)."""
    locale = get_locale()
    return "zh_CN" if locale is not None and locale.language == "zh" else "en"


def select_timezone() -> str:
    return current_app.config["EXAMENGINE_TIMEZONE"]


def init_app(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=str(Path(app.root_path) / "translations"),
    )

    # Every `{{ value }}` that is a core Message (a bank error, a shortfall...) prints translated.
    app.jinja_env.finalize = translate
    app.add_template_filter(translate, "translate")

    @app.context_processor
    def inject_languages():
        return {"LANGUAGES": LANGUAGES, "current_language": current_language}
