"""Admin pages for question banks: upload and check, the bank list, the question browser and preview."""
from flask import Blueprint

bp = Blueprint("admin_banks", __name__, url_prefix="/admin")

# The route modules register their views on `bp`; imported after it exists, and only here.
from . import downloads, routes  # noqa: E402, F401
