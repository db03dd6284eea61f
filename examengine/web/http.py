"""HTTP plumbing every blueprint shares: error pages (JSON for JSON clients), lookups by id that
answer 404, and responses that must not be cached."""
from __future__ import annotations

from flask import Flask, abort, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ..extensions import db

MAX_DB_ID = 2**31 - 1  # larger ids in a URL would make PostgreSQL fail instead of finding nothing


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return request.is_json or best == "application/json"


def _respond(code: int, message: str):
    if _wants_json():
        return {"error": message}, code
    return render_template("error.html", code=code, message=message), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return _respond(400, _("Your form expired or was sent from another site. Reload the page and try again."))

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error):
        return _respond(413, _("The upload is too large."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        messages = {
            403: _("You do not have permission to open this page."),
            404: _("The page you asked for does not exist."),
        }
        return _respond(error.code or 500, messages.get(error.code, error.description or error.name))


def get_or_404(model, object_id: int):
    if not 0 < object_id <= MAX_DB_ID:
        abort(404)
    return db.get_or_404(model, object_id)


def no_store(response):
    """Pages showing a password must not stay in the browser's cache."""
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    return response
