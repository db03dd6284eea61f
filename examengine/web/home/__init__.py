"""The landing page after login, and `/healthz` for load balancers."""
from flask import Blueprint

bp = Blueprint("home", __name__)

# The route modules register their views on `bp`; imported after it exists, and only here.
from . import routes  # noqa: E402, F401
