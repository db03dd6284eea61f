"""The input guard every request passes before any view.

The input guard (`guard_input`, run before every view) answers 400 before any view sees:
- a JSON body larger than EXAMENGINE_MAX_JSON_BYTES or nested deeper than MAX_JSON_DEPTH (found by a
  cheap scan of the raw text, before parsing: a body nested 100,000 deep would exhaust the parser's
  recursion); the body parsed once is what `json_body()` hands the JSON endpoints;
- a NUL or a lone surrogate (`core.text.unstorable`) in the JSON body, a form field, the query string
  or a URL part: no stored text can hold them. The services check what they store as well.
"""
from __future__ import annotations

import json
from typing import Any

from flask import Flask, current_app, g, request
from flask_babel import gettext as _

from ...core.text import unstorable
from ...services.messages import unstorable_message
from .errors import respond

MAX_JSON_DEPTH = 20  # arrays/objects inside each other; the exam page sends 4
DEFAULT_MAX_JSON_BYTES = 4 * 1024 * 1024  # config EXAMENGINE_MAX_JSON_BYTES

_CURLY_TO_SQUARE = bytes.maketrans(b"{}", b"[]")
_NOT_BRACKETS = bytes(range(256)).translate(None, b"[]{}")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def json_nesting_exceeds(raw: bytes, limit: int) -> bool:
    """Whether the JSON text `raw` (UTF-8) nests arrays/objects deeper than `limit`, or its brackets
    do not pair up (no valid JSON does that; `[` and `{` count alike), found without parsing it.

    Escaped backslashes and quotes go first, then the strings (between the remaining quotes; brackets
    in them do not count), then every byte but a bracket, and `{}` become `[]`. Each pass then removes
    the innermost pairs `[]`, so whatever is left after `limit` passes was nested deeper; a run of more
    opening brackets than passes left says so at once. Only C-speed bytes operations, linear passes.
    """
    unescaped = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    brackets = b"".join(unescaped.split(b'"')[::2]).translate(_CURLY_TO_SQUARE, _NOT_BRACKETS)
    for done in range(limit):
        if not brackets:
            return False
        if b"[" * (limit - done + 1) in brackets:
            return True
        shorter = brackets.replace(b"[]", b"")
        if len(shorter) == len(brackets):
            return True
        brackets = shorter
    return bool(brackets)


def _json_refusal() -> tuple[str, str] | None:
    """(message, reason) why the JSON body is refused, else None; the parsed body goes to g."""
    limit = int(current_app.config.get("EXAMENGINE_MAX_JSON_BYTES") or DEFAULT_MAX_JSON_BYTES)
    raw = None
    if request.content_length is None or request.content_length <= limit:
        raw = request.get_data(cache=True)
    if raw is None or len(raw) > limit:  # the message is only translated when it is needed
        return (_("The request is too large: at most %(mb).1f MB of JSON are accepted.", mb=limit / 1024 / 1024),
                "too_large")
    if json_nesting_exceeds(raw, MAX_JSON_DEPTH):
        return (_("The request is not valid JSON, or it is nested too deeply: at most %(depth)d levels of "
                  "lists and objects are accepted.", depth=MAX_JSON_DEPTH), "bad_request")
    try:
        body = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        body = None  # the endpoint says what it expected
    kind = unstorable(body)
    if kind:
        return unstorable_message(kind), "bad_text"
    g.json_body = body
    return None


def _text_refusal() -> str | None:
    """Why the form fields, query string or URL parts are refused (a NUL or lone surrogate), else None."""
    values: list[Any] = [request.path]
    for multi in (request.args, request.form if request.mimetype in _FORM_TYPES else None):
        if multi:
            for key, items in multi.lists():
                values.append(key)
                values.extend(items)
    kind = unstorable(values)
    return unstorable_message(kind) if kind else None


def guard_input():
    """Before every view: refuse JSON too large or too deep, and text no database can store (400)."""
    if request.is_json and request.method in ("POST", "PUT", "PATCH", "DELETE"):
        refused = _json_refusal()
        if refused:
            return respond(400, *refused)
    message = _text_refusal()
    if message:
        return respond(400, message, "bad_text")
    return None


def json_body() -> Any:
    """The request's JSON body as the input guard parsed it: None when it is not JSON or not valid."""
    return g.get("json_body")


def register(app: Flask) -> None:
    app.before_request(guard_input)
