"""Every page request: end a session that has run out of time, and log refused access.

The limits themselves are in tracker.people.sessions; this hook only reads the session,
passes the clock, and signs an expired session out with a message on the sign-in page.
"""
from __future__ import annotations

from flask import Flask, flash, g, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from tracker import security_log
from tracker.access import api_user
from tracker.database import utcnow
from tracker.people import sessions

EXPIRED = {
    "idle": _l("You were signed out after a while without activity. Please sign in again."),
    "absolute": _l("Your session has reached its time limit. Please sign in again."),
}


def end_session_keeping_language() -> None:
    """Forget everything the session holds but the chosen language (and let Flask-Login drop its cookie)."""
    language = session.get("lang")
    logout_user()
    remember = session.get("_remember")
    session.clear()
    if remember:
        session["_remember"] = remember  # "clear": the remember-me cookie is deleted with the response
    if language:
        session["lang"] = language
        session.permanent = True


def enforce_time_limits():
    if request.endpoint == "static" or request.for_api:
        return None
    if not current_user.is_authenticated:  # also brings a remembered session back from its cookie
        return None
    now = utcnow()
    sid = sessions.parse(session.get("_user_id"))
    last_seen = sessions.from_epoch(session.get("_seen_at"))
    reason = "absolute" if sid is None else sessions.expiry(sid, current_user.role, last_seen, now)
    if reason is None:
        if sessions.needs_touch(last_seen, now):
            session["_seen_at"] = sessions.epoch(now)
        return None
    security_log.log("session_expired", now=now, user=current_user, reason=reason)
    end_session_keeping_language()
    flash(EXPIRED[reason], "info")
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("auth.login", next=target))


def log_refusals(response):
    """401 and 403 on pages and the API, and 429 anywhere, each leave a security line."""
    if response.status_code in (401, 403, 429) and not g.get("security_logged"):
        user = api_user()
        if user is None and not request.for_api and current_user.is_authenticated:
            user = current_user
        event = "rate_limited" if response.status_code == 429 else "access_refused"
        security_log.log(event, now=utcnow(), user=user, status=response.status_code)
    return response


def init_app(app: Flask) -> None:
    security_log.init_logging()
    app.before_request(enforce_time_limits)
    app.after_request(log_refusals)
