"""Signing in and out, and switching the page language."""
from __future__ import annotations

import math
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from tracker import security_log
from tracker.audit import Actor
from tracker.database import utcnow
from tracker.extensions import limiter
from tracker.people import accounts, sign_in_limits
from tracker.people.preferences import LANGUAGES, set_language
from tracker.people.sign_in import sign_in
from tracker.transaction import atomic
from tracker.web.shared.error_pages import too_many
from tracker.web.shared.helpers import attempt
from tracker.web.auth.account import start_session
from tracker.web.auth.session_guard import end_session_keeping_language

# Every attempt from one address, shared by all workers through the limiter's storage (Redis when
# TRACKER_REDIS_URL is set): generous, so an office behind one address can still work.
SIGN_IN_PER_IP = "60 per minute"

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
@limiter.limit(SIGN_IN_PER_IP, methods=["POST"])
def login():
    """Sign-in page."""
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    form = LoginForm()
    locked = False
    if form.validate_on_submit():
        now = utcnow()
        with atomic():
            result = sign_in(form.email.data, form.password.data, now=now,
                             failures=sign_in_limits.store_for(current_app.config.get("REDIS_URL")))
        if result.user is not None:
            start_session(result.user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")) or home_url(result.user))
        email = " ".join(form.email.data.split()).lower()
        if result.outcome == "wrong":
            security_log.log("sign_in_failed", now=now, email=email)
            form.password.errors.append(_("Wrong e-mail or password."))
        else:
            minutes = max(1, math.ceil(result.locked_for.total_seconds() / 60))
            security_log.log("locked_out" if result.outcome == "lockout" else "sign_in_failed", now=now,
                             email=email, reason="locked", locked_minutes=minutes)
            form.password.errors.append(too_many(minutes))
            locked = True
    return render_template("auth/login.html", form=form), (429 if locked else 422 if form.errors else 200)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out (a POST, so a link elsewhere cannot sign someone out): every copy of this session ends."""
    now = utcnow()
    user = current_user._get_current_object()
    with atomic():
        accounts.sign_out(user, now=now)
    security_log.log("sign_out", now=now, user=user)
    end_session_keeping_language()
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
