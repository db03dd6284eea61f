"""Language choice: the user's pick, else the browser's Accept-Language, else Simplified Chinese."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_locale, get_translations
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

    _install_template_gettext(app)
    # Every `{{ value }}` that is a core Message (a bank error, a shortfall...) prints translated.
    app.jinja_env.finalize = translate
    app.add_template_filter(translate, "translate")

    @app.context_processor
    def inject_languages():
        return {"LANGUAGES": LANGUAGES, "current_language": current_language}


# A page says `_('...')` dozens of times (the exam page about sixty): Flask-Babel finds the request's
# catalog anew for each, which costs several times more than the lookup. Templates therefore keep what
# each (locale, text) came out as. The keys are the templates' literal texts, a bounded set; the guard
# below only matters if a template ever translates computed text.
_TRANSLATED: dict[tuple, str] = {}
_MAX_TRANSLATED = 20_000


def _remembered(key: tuple, translate_now) -> str:
    found = _TRANSLATED.get(key)
    if found is None:
        if len(_TRANSLATED) >= _MAX_TRANSLATED:
            _TRANSLATED.clear()
        found = _TRANSLATED[key] = translate_now()
    return found


def _template_gettext(text: str) -> str:
    return _remembered((get_locale(), text), lambda: get_translations().ugettext(text))


def _template_pgettext(context: str, text: str) -> str:
    return _remembered((get_locale(), context, text), lambda: get_translations().upgettext(context, text))


def _install_template_gettext(app: Flask) -> None:
    app.jinja_env.install_gettext_callables(
        gettext=_template_gettext,
        ngettext=lambda s, p, n: get_translations().ungettext(s, p, n),
        pgettext=_template_pgettext,
        npgettext=lambda c, s, p, n: get_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
