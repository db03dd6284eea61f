"""The examinee's pages: the exam list, instructions, the timed exam page with autosave (JSON and
no-JS form), submission, and the review of a submitted attempt."""
from flask import Blueprint

bp = Blueprint("exam_taking", __name__)

# The route modules register their views on `bp`; imported after it exists, and only here.
from . import routes  # noqa: E402, F401
