"""Messages the services return: translated during a web request, plain English elsewhere.

The command line (and code run without a request) has no user to pick a language for, and some of
it runs without an app context at all, where Flask-Babel cannot be asked; its `--lang` (default from
LANG) turns translation on through `speaking()`. `translate()` turns the core's `Message`s into text.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Any

from flask import g, has_app_context, has_request_context
from flask_babel import force_locale, gettext, ngettext

from ..core.messages import Message

LANGUAGE_FLAG = "examengine_language"  # set on `g` by `speaking()`: the command line chose a language


def _(message: str, **values) -> str:
    if _translating():
        return gettext(message, **values)
    return message % values if values else message


def _translating() -> bool:
    return has_request_context() or (has_app_context() and LANGUAGE_FLAG in g)


def translate(value: Any) -> Any:
    """A core `Message` in the active language (English outside a request or `speaking()`);
    anything else unchanged, so stored or user-written text passes through."""
    if not isinstance(value, Message):
        return value
    if not _translating():
        return str(value)
    params = {name: translate(param) for name, param in value.params.items()}
    if value.plural is not None:
        params.pop("num", None)  # ngettext passes the count as `num` itself
        return ngettext(value.id, value.plural, value.n, **params)
    return gettext(value.id, **params) if params else gettext(value.id)


def error_text(error: Exception) -> str:
    """An exception's message, translated when the core raised it with a `Message`."""
    first = error.args[0] if error.args else ""
    return translate(first) if isinstance(first, Message) else str(error)


def language_from_environment() -> str:
    """The command line's default language: Chinese when the locale environment says zh, else English."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return "zh_CN" if value.lower().startswith("zh") else "en"
    return "en"


@contextmanager
def speaking(language: str):
    """Within an app context: service and core messages in `language` ("zh_CN" or "en")."""
    previous = g.get(LANGUAGE_FLAG)
    setattr(g, LANGUAGE_FLAG, language)
    try:
        with force_locale(language):
            yield
    finally:
        if previous is None:
            g.pop(LANGUAGE_FLAG, None)
        else:
            setattr(g, LANGUAGE_FLAG, previous)


def unstorable_message(kind: str) -> str:
    """Why a text was refused, for `core.text.unstorable`'s "nul" or "surrogate"."""
    if kind == "nul":
        return _("The text contains a NUL character (U+0000), which cannot be stored. Remove it and try again.")
    return _("The text contains an unpaired surrogate (U+D800 to U+DFFF), which is not valid Unicode. "
             "Remove it and try again.")
