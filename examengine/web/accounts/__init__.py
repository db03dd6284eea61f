"""Admin pages for accounts: users, groups, and the CSV import of users (under /admin)."""
from flask import Blueprint

bp = Blueprint("admin_users", __name__, url_prefix="/admin")

# The route modules register their views on `bp`; imported after it exists, and only here.
from . import groups, imports, users  # noqa: E402, F401
