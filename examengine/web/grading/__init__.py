"""The reviewer's grading queue (under /review): grade next, groups of equal answers, blanks."""
from flask import Blueprint

bp = Blueprint("review", __name__, url_prefix="/review")

# The route modules register their views on `bp`; imported after it exists, and only here.
from . import routes  # noqa: E402, F401
