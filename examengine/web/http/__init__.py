"""HTTP plumbing every blueprint shares: `errors` (error pages, JSON for JSON clients, and the 503
answer when the database is away), `headers` (the security headers of every response, no-store for
logged-in users), `guard` (the input guard every request passes: JSON size and depth, no NUL or lone
surrogate in any text), `assets` (fingerprinted static URLs: the content hash in the name, served
immutable for a year; a plain or stale name still served, revalidated); and here, lookups by id that
answer 404 and responses that must not be cached."""
from __future__ import annotations

from flask import Flask, abort, make_response

from ...extensions import db
from . import assets, errors, guard, headers
from .errors import database_failure, retry_after_seconds
from .guard import json_body

MAX_DB_ID = 2**31 - 1  # larger ids in a URL would make PostgreSQL fail instead of finding nothing

__all__ = ["MAX_DB_ID", "database_failure", "get_or_404", "init_app", "json_body", "no_store",
           "retry_after_seconds"]


def init_app(app: Flask) -> None:
    guard.register(app)
    headers.register(app)
    assets.register(app)
    errors.register(app)


def get_or_404(model, object_id: int):
    if not 0 < object_id <= MAX_DB_ID:
        abort(404)
    return db.get_or_404(model, object_id)


def no_store(response):
    """Pages showing a password must not stay in the browser's cache."""
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    return response
