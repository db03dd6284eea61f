"""Question reports: examinees report a question from the exam page or the review; the bank's admins
read them on the question page and in a list, and resolve them."""
from flask import Blueprint

bp = Blueprint("reports", __name__)

# The route modules register their views on `bp`; imported after it exists, and only here.
from . import routes  # noqa: E402, F401
