"""Login sessions: loading the user from the session cookie, and role checks on every view."""
from __future__ import annotations

from functools import wraps

from flask import Flask, abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import joinedload, lazyload

from ...extensions import db, login_manager
from ...models import User

# One query: the roles (every view checks them) joined in; the groups only when a view reads them.
_USER_OPTIONS = (joinedload(User.role_rows), lazyload(User.groups))


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    user_id, _, nonce = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id), options=_USER_OPTIONS)
    # The session cookie and the remember-me cookie both carry "id:nonce" and both come here: a rotated
    # nonce (logout, password change or reset, deactivation) ends every copy issued before it.
    if user is None or not user.active or not user.session_id_matches(nonce):
        return None
    return user


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to continue.")
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "basic"


def role_required(*roles: str):
    """Allow the view to users holding any of `roles`; others get 403, anonymous users the login page."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
