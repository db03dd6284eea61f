"""The admin's item analysis of an exam (under /admin/exams): figures, flags, SVG plots, exports."""
from flask import Blueprint

bp = Blueprint("analysis", __name__, url_prefix="/admin/exams")

# The route modules register their views on `bp`; imported after it exists, and only here.
from . import routes  # noqa: E402, F401
