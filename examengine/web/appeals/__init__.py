"""Appeals: the employee files one, a reviewer or admin handles it, the admin lists them."""
from flask import Blueprint

bp = Blueprint("appeals", __name__)

# The route modules register their views on `bp`; imported after it exists, and only here.
from . import routes  # noqa: E402, F401
