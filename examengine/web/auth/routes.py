"""Log in, log out, and the language switch."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from ...extensions import db
from ...services.accounts import authenticate, end_sessions
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
        # The client's address as the WSGI server saw it: behind a reverse proxy, set
        # EXAMENGINE_PROXY_FIX=1 (ProxyFix), or every client counts as the proxy's address.
        outcome = authenticate(form.username.data, form.password.data, address=request.remote_addr)
        if outcome.user is not None:
            locale = session.get("locale")
            session.clear()  # a fresh session at login: nothing set before it survives
            if locale:
                session["locale"] = locale
            login_user(outcome.user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
        if outcome.error == "throttled":
            # The same answer whether or not the account exists.
            flash(ngettext("Too many failed attempts. Try again in %(num)d second.",
                           "Too many failed attempts. Try again in %(num)d seconds.", outcome.retry_after),
                  "danger")
            return (render_template("auth/login.html", form=form), 429,
                    {"Retry-After": str(outcome.retry_after)})
        if outcome.error == "inactive":  # only said to someone who typed the right password
            flash(_("This account is deactivated. Ask an administrator."), "danger")
        else:
            flash(_("Invalid username or password."), "danger")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        # Rotating the nonce ends this session's cookie and remember-me cookie even where a copy of
        # them survives (they are signed, not stored), and with them the user's other sessions.
        end_sessions(current_user._get_current_object())
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
