"""Log in, log out, and the language switch."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from ...extensions import db
from ...services.accounts import authenticate
from ..i18n import LANGUAGES
from . import bp


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me logged in"))


def _safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect would help phishing."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("home.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        outcome = authenticate(
            form.username.data,
            form.password.data,
            max_failures=current_app.config["EXAMENGINE_LOGIN_MAX_FAILURES"],
            lock_seconds=current_app.config["EXAMENGINE_LOGIN_LOCK_SECONDS"],
        )
        if outcome.user is not None:
            locale = session.get("locale")
            session.clear()  # a fresh session at login: nothing set before it survives
            if locale:
                session["locale"] = locale
            login_user(outcome.user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
        flash(_login_error_message(outcome), "danger")
    return render_template("auth/login.html", form=form)


def _login_error_message(outcome) -> str:
    if outcome.error == "locked":
        minutes = max(1, -(-outcome.locked_seconds // 60))
        return _("Too many failed attempts. This account is locked; try again in %(minutes)d minute(s).",
                 minutes=minutes)
    if outcome.error == "inactive":
        return _("This account is deactivated. Ask an administrator.")
    return _("Invalid username or password.")


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/language/<code>", methods=["POST"])
def set_language(code: str):
    if code not in LANGUAGES:
        flash(_("Unknown language."), "warning")
    else:
        session["locale"] = code
        if current_user.is_authenticated:
            current_user.locale = code
            db.session.commit()
    return redirect(_safe_next(request.form.get("next")))
