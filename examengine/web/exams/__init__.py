"""Admin pages for exams (under /admin/exams): settings, sections and draw rules, per-user overrides,
scoring settings, reviewers and marking mode, calibration samples, the preview, and the regrade of an exam."""
from flask import Blueprint

bp = Blueprint("admin_exams", __name__, url_prefix="/admin/exams")

# The route modules register their views on `bp`; imported after it exists, and only here.
from . import calibration, lifecycle, overrides, regrade, reviewers, rules, scoring, settings  # noqa: E402, F401
