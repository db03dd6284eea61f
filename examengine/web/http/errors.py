"""Error pages for every HTTP error (JSON for JSON clients), and the 503 answer when the database is
away (down, restarting, full or read-only): a page that needs neither the database nor the user."""
from __future__ import annotations

import logging

from flask import Flask, current_app, make_response, render_template, request, session, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge

from ...extensions import db
from ..i18n import DEFAULT_LOCALE, LANGUAGES

RETRY_AFTER_SECONDS = 5

logger = logging.getLogger("examengine.web.http")  # one name for the HTTP layer's log lines


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return request.is_json or best == "application/json"


def respond(code: int, message, reason: str | None = None):
    """The error as JSON (with `reason`, a code for programs, when given) or as the error page.
    `message` is a text or a callable: translating it picks the user's language, which (like the page's
    user menu) may need the database; when that is away the answer is the database's 503 instead."""
    try:
        text = message() if callable(message) else message
        if wants_json():
            return ({"error": text, "reason": reason} if reason else {"error": text}), code
        return render_template("error.html", code=code, message=text), code
    except sa_exc.SQLAlchemyError as error:
        kind = database_failure(error)
        if kind is None:
            raise
        return _database_response(kind, error)


# --- the database is away ---

# SQLite reports its availability problems as OperationalError, but also plain bugs ("no such table"):
# only these messages mean "try again later".
_SQLITE_UNAVAILABLE = ("database is locked", "database table is locked", "unable to open database file",
                       "disk i/o error")
_FULL_MESSAGES = ("database or disk is full", "no space left on device", "could not extend file")
_READ_ONLY_MESSAGES = ("attempt to write a readonly database",)


def database_failure(error: BaseException) -> str | None:
    """"full", "read_only" or "unavailable" when `error` says the database cannot serve now (gone,
    restarting, out of disk, read-only); None for anything else (a bug stays a 500)."""
    if isinstance(error, sa_exc.TimeoutError | sa_exc.DisconnectionError):
        return "unavailable"  # no connection free in the pool; a connection that could not be revived
    if not isinstance(error, sa_exc.DBAPIError):
        return None
    orig = error.orig
    sqlstate = str(getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or "")
    text = str(orig).lower()
    if sqlstate == "53100" or any(message in text for message in _FULL_MESSAGES):
        return "full"
    if sqlstate == "25006" or (not sqlstate and any(message in text for message in _READ_ONLY_MESSAGES)):
        return "read_only"
    if error.connection_invalidated or isinstance(error, sa_exc.InterfaceError):
        return "unavailable"
    if sqlstate[:2] in ("08", "53", "57", "58"):  # connection, resources, operator intervention, system
        return "unavailable"
    if isinstance(error, sa_exc.OperationalError):
        if type(orig).__module__.startswith("sqlite3"):
            return "unavailable" if any(message in text for message in _SQLITE_UNAVAILABLE) else None
        return "unavailable"  # the PostgreSQL driver raises OperationalError only for these conditions
    return None


def _unavailable_message(kind: str) -> str:
    if kind == "full":
        return _("The server cannot store anything right now because its disk is full. Nothing was saved; "
                 "please tell the administrator.")
    if kind == "read_only":
        return _("The server cannot store anything right now because its database is read-only. Nothing was "
                 "saved; please tell the administrator.")
    return _("The database is not answering right now (it may be restarting). Please try again in a few "
             "seconds.")


def retry_after_seconds() -> int:
    return int(current_app.config.get("EXAMENGINE_RETRY_AFTER_SECONDS", RETRY_AFTER_SECONDS))


def request_language() -> str:
    """The language of this request WITHOUT loading the user: the session's choice, else the browser's."""
    chosen = session.get("locale")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(list(LANGUAGES), default=DEFAULT_LOCALE)


def _database_response(kind: str, error: BaseException):
    """503 + Retry-After. Touches neither the database nor current_user: the page is a standalone
    template rendered without the context processors (Flask-Login's would load the user)."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001  (the connection may be gone; the session is discarded at teardown)
        logger.debug("rollback after a database failure failed", exc_info=True)
    cause = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
    if kind == "unavailable":
        logger.warning("database unavailable during %s %s: %s", request.method, request.path, cause)
    else:
        logger.error("database cannot store (%s) during %s %s: %s", kind.replace("_", "-"), request.method,
                     request.path, cause)
    language = request_language()
    with force_locale(language):
        message = _unavailable_message(kind)
        if wants_json():
            response = make_response({"error": message, "reason": f"database_{kind}", "retry": True}, 503)
        else:
            html = current_app.jinja_env.get_template("unavailable.html").render(
                message=message, kind=kind, language=language, retry_url=_retry_url(),
                stylesheets=[url_for("bootstrap.static", filename="css/bootstrap.min.css"),
                             url_for("static", filename="css/app.css")])
            response = make_response(html, 503)
    response.headers["Retry-After"] = str(retry_after_seconds())
    response.headers["Cache-Control"] = "no-store"
    return response


def _retry_url() -> str:
    if request.method == "GET":
        return request.full_path if request.query_string else request.path
    return url_for("home.index")


# --- every response ---


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return respond(400, lambda: _("Your form expired or was sent from another site. Reload the page and "
                                       "try again."))

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error):
        return respond(413, lambda: _("The upload is too large."))

    @app.errorhandler(sa_exc.SQLAlchemyError)
    def database_error(error: sa_exc.SQLAlchemyError):
        kind = database_failure(error)
        if kind is None:
            raise error  # a bug: Flask's 500 handling (and the logs) take it
        return _database_response(kind, error)

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError):
        original = getattr(error, "original_exception", None)
        kind = database_failure(original) if original is not None else None
        if kind is not None:  # e.g. raised while another error page was being rendered
            return _database_response(kind, original)
        return respond(500, lambda: _("Something went wrong on the server. Please try again."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        messages = {
            403: lambda: _("You do not have permission to open this page."),
            404: lambda: _("The page you asked for does not exist."),
        }
        return respond(error.code or 500, messages.get(error.code, lambda: error.description or error.name))
