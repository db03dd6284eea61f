"""Admin: users and groups. (Being written; see helper brief.)"""
from flask import Blueprint

from .session import role_required

bp = Blueprint("admin_users", __name__, url_prefix="/admin")


@bp.route("/users")
@role_required("admin")
def users():
    return "users"


@bp.route("/groups")
@role_required("admin")
def groups():
    return "groups"
