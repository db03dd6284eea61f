"""The landing page after login: what the user's roles give access to."""
from __future__ import annotations

from flask import render_template
from flask_login import login_required

from . import bp


@bp.route("/")
@login_required
def index():
    return render_template("home.html")


@bp.route("/healthz")
def healthz():
    """A trivial endpoint: load balancers and the benchmarks' baseline use it."""
    return {"status": "ok"}
