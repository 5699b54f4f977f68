"""Personal iCalendar feeds: the due dates a staff user's site holds and the regulatory ceilings.

A feed lives at a secret address; only the SHA-256 of its token is stored, so the
address is shown once, when it is made. Renewing makes a new address and revokes the
old one; revoking ends it. Calendar programs fetch the feed again from time to time,
so the events follow the contracts as they move: each event's UID names the track
and its stage visit, and a stage that ends drops out of the feed.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar, Event

from tracker import audit
from tracker.extensions import db
from tracker.addresses import contract_path
from tracker.metrics.ranking import open_tracks
from tracker.models import CalendarFeed, Site, Track, User
from tracker.stages.rules import STAGE_LABELS

TOKEN_PREFIX = "ftc_"
PAST_DAYS = 60  # overdue deadlines stay in the calendar this long
LIMIT = 2000  # events of each kind in one feed


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def active_feed(user: User) -> CalendarFeed | None:
    return db.session.execute(db.select(CalendarFeed).where(
        CalendarFeed.user_id == user.id, CalendarFeed.revoked_at.is_(None))).scalar_one_or_none()


def revoke(user: User, *, actor: audit.Actor, now: datetime) -> bool:
    """End the user's feed address; False when there was none."""
    feed = active_feed(user)
    if feed is None:
        return False
    feed.revoked_at = now
    db.session.flush()
    audit.record(actor, "calendar_feed", feed.id, {"revoked_at": (None, now)}, now=now)
    return True


def issue(user: User, *, actor: audit.Actor, now: datetime) -> str:
    """A new feed address for the user (the old one stops working); returns the token, shown this once."""
    revoke(user, actor=actor, now=now)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    feed = CalendarFeed(user_id=user.id, token_hash=_hash(token), prefix=token[:12], created_at=now)
    db.session.add(feed)
    db.session.flush()
    audit.record(actor, "calendar_feed", feed.id, {"user": (None, user.email), "prefix": (None, feed.prefix)},
                 now=now)
    return token


def feed_for(token: str, now: datetime) -> CalendarFeed | None:
    """The live feed behind a token, of an active staff user; else None."""
    if not isinstance(token, str) or not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    feed = db.session.execute(db.select(CalendarFeed).where(
        CalendarFeed.token_hash == _hash(token), CalendarFeed.revoked_at.is_(None))).scalar_one_or_none()
    if feed is None or not feed.user.active or not feed.user.is_staff:
        return None
    if feed.last_used_at is None or now - feed.last_used_at > timedelta(hours=1):
        feed.last_used_at = now  # coarse, so a calendar polling every minute does not write every time
    return feed


def _rows(user: User, column, since):
    stmt = open_tracks().where(column.is_not(None), column >= since)
    if user.role != "admin":
        stmt = stmt.where(Track.site_id == user.site_id)
    return db.session.execute(stmt.order_by(column, Track.id).limit(LIMIT)).all()


def _event(uid: str, day, summary: str, description: str, url: str, now: datetime) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", now)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("url", url)
    event.add("transp", "TRANSPARENT")
    return event


def calendar(user: User, *, now: datetime, base_url: str, today) -> bytes:
    """The user's feed as iCalendar bytes, in their language."""
    codes = dict(db.session.execute(db.select(Site.id, Site.code)).all())
    since = today - timedelta(days=PAST_DAYS)
    host = base_url.split("//")[-1].split("/")[0] or "tracker"
    cal = Calendar()
    cal.add("prodid", "-//Fast-track contract tracker//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    with force_locale(user.language or "fr"):
        cal.add("x-wr-calname", _("Contract deadlines"))
        for row in _rows(user, Track.due_on, since):
            site = codes[row.site_id]
            cal.add_component(_event(
                f"due-{row.id}-{row.visit}@{host}", row.due_on,
                _("%(ref)s: %(stage)s due at %(site)s", ref=row.reference, stage=STAGE_LABELS[row.stage], site=site),
                f"{row.sponsor} · {row.acronym or row.title}", base_url + contract_path(row.reference, anchor=f"track-{site}"),
                now))
        for row in _rows(user, Track.regulatory_due_on, since):
            site = codes[row.site_id]
            cal.add_component(_event(
                f"ceiling-{row.id}@{host}", row.regulatory_due_on,
                _("%(ref)s: regulatory ceiling at %(site)s", ref=row.reference, site=site),
                f"{row.sponsor} · {row.acronym or row.title}", base_url + contract_path(row.reference, anchor=f"track-{site}"),
                now))
    return cal.to_ical()
