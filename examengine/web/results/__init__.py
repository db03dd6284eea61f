"""Results: the admin's results of an exam with SVG charts, one attempt in full, the exports, and
the employee's own results."""
from flask import Blueprint

bp = Blueprint("results", __name__)

# The route modules register their views on `bp`; imported after it exists, and only here.
from . import release, routes  # noqa: E402, F401
