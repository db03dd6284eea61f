"""The landing page after login, and `/healthz` for load balancers."""
from __future__ import annotations

import logging

from flask import current_app, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import SQLAlchemyError

from ...extensions import db
from ...models import User
from ...services import dashboard
from ..http import database_failure, retry_after_seconds
from . import bp

logger = logging.getLogger(__name__)


@bp.route("/")
@login_required
def index():
    todo = dashboard.admin_todo(current_app.config["EXAMENGINE_TIMEZONE"]) if current_user.has_role("admin") else None
    return render_template("home.html", todo=todo)


@bp.route("/healthz")
def healthz():
    """200 {"status": "ok"} when the database answers a query; with `?deep=1` also only when it accepts
    a write. 503 {"status": "unavailable", "database": "unavailable"|"read_only"|"full"|"error"} otherwise
    (the cause goes to the log, not to the unauthenticated caller).

    The write check updates one row of `users` to itself and rolls back: a read-only SQLite file and a
    PostgreSQL read-only transaction (a standby, `default_transaction_read_only`) refuse the UPDATE
    statement itself, before any row is touched, so it fails there even on an empty table; nothing is
    ever committed. A full disk is not always detected this way (the rolled-back write may need no new
    space); saves then answer 503 with their own message."""
    deep = request.args.get("deep", "") not in ("", "0", "false", "no")
    checks = {"database": "ok"}
    try:
        db.session.execute(text("SELECT 1"))
        if deep:
            db.session.execute(
                update(User).where(User.id == select(func.min(User.id)).scalar_subquery())
                .values(active=User.active).execution_options(synchronize_session=False))
            checks["write"] = "ok"
    except SQLAlchemyError as error:
        kind = database_failure(error) or "error"
        logger.error("healthz%s: database %s: %s: %s", " (deep)" if deep else "", kind, type(error).__name__,
                     str(error).splitlines()[0] if str(error) else "")
        _rollback()
        return {"status": "unavailable", "database": kind}, 503, {"Retry-After": str(retry_after_seconds()),
                                                                        "Cache-Control": "no-store"}
    _rollback()
    return {"status": "ok", **checks}, 200, {"Cache-Control": "no-store"}


def _rollback() -> None:
    try:
        db.session.rollback()
    except SQLAlchemyError:
        logger.debug("healthz rollback failed", exc_info=True)
