"""Messages the services return: translated during a web request, plain English elsewhere.

The command line (and code run without a request) has no user to pick a language for, and some of
it runs without an app context at all, where Flask-Babel cannot be asked.
"""
from __future__ import annotations

from flask import has_request_context
from flask_babel import gettext


def _(message: str, **values) -> str:
    if has_request_context():
        return gettext(message, **values)
    return message % values if values else message


def unstorable_message(kind: str) -> str:
    """Why a text was refused, for `core.text.unstorable`'s "nul" or "surrogate"."""
    if kind == "nul":
        return _("The text contains a NUL character (U+0000), which cannot be stored. Remove it and try again.")
    return _("The text contains an unpaired surrogate (U+D800 to U+DFFF), which is not valid Unicode. "
             "Remove it and try again.")
