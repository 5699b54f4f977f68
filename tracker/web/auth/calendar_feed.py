"""A staff user's calendar feed: make, renew or revoke its secret address, and serve it."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from tracker.access import role_required
from tracker.audit import Actor
from tracker.database import utcnow
from tracker.extensions import db
from tracker.metrics import feeds
from tracker.people.roles import STAFF_ROLES
from tracker.timeutil import local_date
from tracker.transaction import atomic

bp = Blueprint("profile", __name__)


def _page(token: str | None = None):
    feed = feeds.active_feed(current_user)
    url = url_for("profile.feed", token=token, _external=False) if token else None
    if url:
        url = current_app.config["BASE_URL"].rstrip("/") + url
    return render_template("profile/calendar.html", feed=feed, url=url, form=FlaskForm())


@bp.get("/profile/calendar")
@login_required
@role_required(*STAFF_ROLES)
def calendar():
    """The state of my feed and the buttons to make, renew or revoke it."""
    return _page()


@bp.post("/profile/calendar/renew")
@login_required
@role_required(*STAFF_ROLES)
def renew():
    """A new secret address; the old one stops at once. Shown on this page only, this once."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    with atomic():
        token = feeds.issue(current_user, actor=Actor.of(current_user), now=utcnow())
    return _page(token)


@bp.post("/profile/calendar/revoke")
@login_required
@role_required(*STAFF_ROLES)
def revoke():
    """Stop the feed: its address answers 404 from now on."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    with atomic():
        done = feeds.revoke(current_user, actor=Actor.of(current_user), now=utcnow())
    flash(_("Your calendar feed is revoked; calendars using it will stop updating.") if done
          else _("You had no calendar feed."), "success")
    return redirect(url_for("profile.calendar"))


@bp.get("/calendar/<token>.ics")
def feed(token: str):
    """The feed itself, for calendar programs: no sign-in, the secret address is the key."""
    now = utcnow()
    with atomic():
        found = feeds.feed_for(token, now)
        if found is None:
            abort(404)
        user = found.user
        site = user.site
        body = feeds.calendar(user, now=now, base_url=current_app.config["BASE_URL"].rstrip("/"),
                              today=local_date(now, site.timezone if site else "Europe/Paris"))
    db.session.remove()
    return Response(body, mimetype="text/calendar", headers={
        "Content-Type": "text/calendar; charset=utf-8", "Cache-Control": "private, max-age=300",
        "Content-Disposition": 'inline; filename="deadlines.ics"'})
