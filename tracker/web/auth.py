"""Signing in and out, and switching the page language."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from tracker.audit import Actor
from tracker.database import utcnow
from tracker.extensions import limiter
from tracker.people.preferences import LANGUAGES, set_language
from tracker.people.sign_in import authenticate
from tracker.web.helpers import attempt
from tracker.web.account import start_session

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=500)])
    remember = BooleanField(_l("Keep me signed in"))


def home_url(user) -> str:
    """Where a person lands: sponsors on their portal, staff on their work queue."""
    return url_for("portal.index") if user.role == "sponsor" else url_for("queue.index")


def _safe_next(target: str | None) -> str | None:
    """Only follow a ``next`` that stays on this site."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login():
    """Sign-in page."""
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("Wrong e-mail or password."))
        else:
            start_session(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")) or home_url(user))
    return render_template("auth/login.html", form=form), (422 if form.errors else 200)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out (a POST, so a link elsewhere cannot sign someone out)."""
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/language/<code>", methods=["POST"])
def language(code: str):
    """Switch the page language: kept in the session, and on the profile of a signed-in person."""
    if code not in LANGUAGES:
        abort(404)
    session["lang"] = code
    session.permanent = True
    if current_user.is_authenticated:
        attempt(lambda: set_language(current_user._get_current_object(), code, actor=Actor.of(current_user), now=utcnow()))
    return redirect(_safe_next(request.form.get("next")) or url_for("auth.login"))
