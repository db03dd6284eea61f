"""Logging in and out, the language choice, and the session: the user loader and `role_required`,
which guards every other blueprint's views."""
from flask import Blueprint

bp = Blueprint("auth", __name__)

# The route modules register their views on `bp`; imported after it exists, and only here.
from . import routes  # noqa: E402, F401
