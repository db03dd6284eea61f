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
