"""A person's own account: choosing a password from a one-time link, resetting it, and API tokens."""
from __future__ import annotations

import time

from flask import Blueprint, abort, current_app, flash, g, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from tracker import security_log
from tracker.audit import Actor
from tracker.database import utcnow
from tracker.errors import DomainError
from tracker.extensions import limiter
from tracker.people import accounts, invitations, sessions, tokens
from tracker.people.invitations import LinkUnusable
from tracker.people.passwords import MAX_LENGTH, MIN_LENGTH
from tracker.transaction import atomic
from tracker.web.shared.helpers import attempt

bp = Blueprint("account", __name__, url_prefix="/account")


class PasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=500)],
                             description=_l("At least %(n)d characters; a few unrelated words make a good one.",
                                            n=MIN_LENGTH))
    confirm = PasswordField(_l("The same password again"), validators=[DataRequired(), Length(max=500)])


class EmailForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])


class RenewForm(FlaskForm):
    token = HiddenField()


class TokenForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Length(max=tokens.MAX_NAME)],
                       description=_l("What will use it, for example: our CTMS."))
    days = StringField(_l("Valid for (days)"), validators=[Length(max=10)],
                       description=_l("Leave empty for a token that lasts until you revoke it."))


class RevokeForm(FlaskForm):
    pass


def fresh_session() -> None:
    """Start from an empty session - nothing planted before sign-in survives it - keeping only the
    chosen language, and with a new CSRF token (flask-wtf makes one when none is in the session)."""
    language = session.get("lang")
    session.clear()
    g.pop("csrf_token", None)
    if language:
        session["lang"] = language
        session.permanent = True


def start_session(user, remember: bool = False) -> None:
    """Sign a person in with a fresh session naming their session generation (so ending it later is one
    update) and the time of sign-in (so its time limits are checked on the server: tracker.people.sessions)."""
    now = utcnow()
    fresh_session()
    login_user(user, remember=remember)
    session["_user_id"] = accounts.session_id(user, now=now, remembered=bool(remember))
    session["_seen_at"] = sessions.epoch(now)
    security_log.log("sign_in", now=now, user=user, remember=bool(remember))
    accounts.note_sign_in(user, now)


def _no_referrer(body: str, status: int = 200):
    """Pages reached by a secret link (or showing a token) must not hand it on, nor be kept in a cache."""
    response = make_response(body, status)
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _choose_password(token: str, purpose: str):
    now = utcnow()
    try:
        link = invitations.find_link(token, purpose, now)
    except LinkUnusable as exc:
        return _no_referrer(render_template("account/link_unusable.html", reason=exc.reason, purpose=purpose,
                                            form=RenewForm(token=token)), 410 if exc.reason != "unknown" else 404)
    form = PasswordForm()
    if form.validate_on_submit():
        if form.password.data != form.confirm.data:
            form.confirm.errors.append(_("The two passwords differ."))
        else:
            try:
                with atomic():
                    user = invitations.use_link(token, purpose, form.password.data, now=now)
            except DomainError as exc:
                form.password.errors.append(getattr(exc, "errors", {}).get("password") or exc.explain())
            else:
                start_session(user)
                flash(_("Your password is saved and you are signed in."), "success")
                return redirect(url_for("portal.index") if user.role == "sponsor" else url_for("contracts.index"))
    return _no_referrer(render_template("account/choose_password.html", form=form, link=link, purpose=purpose,
                                        max_length=MAX_LENGTH), 422 if form.errors else 200)


@bp.route("/welcome/<token>", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def welcome(token: str):
    """An invitation link: choose a password and start."""
    return _choose_password(token, "invite")


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def reset(token: str):
    """A reset link: choose a new password."""
    return _choose_password(token, "reset")


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit("5 per minute", methods=["POST"])
def reset_request():
    """Ask for a reset link; the answer is the same whether or not the address has an account."""
    form = EmailForm()
    if form.validate_on_submit():
        started = time.monotonic()
        with atomic():
            invitations.request_reset(form.email.data, now=utcnow())
        # The same answer at the same time for every address: a link made and a mail queued take longer
        # than finding no account, so every answer waits until the same moment.
        time.sleep(max(0.0, started + current_app.config["PASSWORD_RESET_SECONDS"] - time.monotonic()))
        flash(_("If an account uses this address, a link to choose a new password is on its way. It works once, "
                "for 7 days."), "info")
        return redirect(url_for("auth.login"))
    return render_template("account/reset_request.html", form=form), (422 if form.errors else 200)


@bp.post("/renew")
@limiter.limit("5 per minute")
def renew():
    """A new link for the address an expired or used link was sent to (same answer in every case)."""
    form = RenewForm()
    if form.validate_on_submit():
        with atomic():
            invitations.renew(form.token.data, now=utcnow())
        flash(_("If the account is still open, a new link is on its way to its address. It works once, "
                "for 7 days."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
def token_page():
    """The person's integration tokens: create one (shown once), see when each was last used, revoke."""
    form = TokenForm()
    new_token = None
    if request.method == "POST":
        if form.validate_on_submit():
            done, new_token = attempt(lambda: tokens.create_named_token(
                current_user, form.name.data, actor=Actor.of(current_user), now=utcnow(), days=form.days.data))
            if not done:
                new_token = None
        elif not form.errors.get("csrf_token"):
            flash(_("Not done: %(why)s", why="; ".join(e for errs in form.errors.values() for e in errs)), "error")
        else:
            abort(400)
    page = render_template("account/tokens.html", form=TokenForm(formdata=None), rows=tokens.tokens_of(current_user),
                           new_token=new_token, revoke_form=RevokeForm(), now=utcnow())
    return _no_referrer(page, 201 if new_token else 200)


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    """Revoke one of the person's own tokens (another person's is not found)."""
    if not RevokeForm().validate_on_submit():
        abort(400)
    try:
        with atomic():
            row = tokens.revoke_token(current_user, token_id, actor=Actor.of(current_user), now=utcnow())
    except DomainError:
        abort(404)
    flash(_("Token %(name)s revoked: programs using it are refused from now on.", name=row.name or row.prefix),
          "success")
    return redirect(url_for("account.token_page"), 303)
