"""The reviewer's grading queue (under /review): grade next, groups of equal answers, blanks, and the
calibration a question may require first."""
from flask import Blueprint

bp = Blueprint("review", __name__, url_prefix="/review")

# The route modules register their views on `bp`; imported after it exists, and only here.
from . import calibration, routes  # noqa: E402, F401
