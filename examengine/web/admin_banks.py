"""Admin: question banks. (Being written; see helper brief.)"""
from flask import Blueprint

from .session import role_required

bp = Blueprint("admin_banks", __name__, url_prefix="/admin")


@bp.route("/banks")
@role_required("admin")
def banks():
    return "banks"


@bp.route("/questions")
@role_required("admin")
def questions():
    return "questions"
