"""Reminding the signatories who have not signed (SPEC 5c).

A signatory whose link is still open is reminded ``signatory_reminder_every`` working days (of the
site's calendar; 3 by default, a policy setting) after the link went out, and again every as many
days after the last reminder, until they sign, decline, are replaced, or the link expires 30 days
after it was first sent. Only a token's hash is kept, so a reminder carries a new link that
replaces the previous one and keeps its expiry. The sweep calls this; the database says what is
due (``reminded_at``), so a second run the same day sends nothing.
"""
from __future__ import annotations

from datetime import datetime

from tracker import audit
from tracker.extensions import db
from tracker.models import Track
from tracker.models.signing import Signatory, SigningLink
from tracker.stages import rules
from tracker.signing import links
from tracker.sla.policy import settings_of


def open_links(now: datetime) -> list[SigningLink]:
    """Signing links still waiting on tracks in signature (few: one per party left to sign)."""
    return db.session.execute(
        db.select(SigningLink).join(Signatory, Signatory.id == SigningLink.signatory_id)
        .join(Track, Track.id == Signatory.track_id)
        .where(SigningLink.purpose == "sign", SigningLink.used_at.is_(None), SigningLink.voided_at.is_(None),
               SigningLink.declined_at.is_(None), SigningLink.expires_at > now, Signatory.ended_at.is_(None),
               Track.stage == rules.SIGNATURE).order_by(SigningLink.id)).scalars().all()


def due(link: SigningLink, window, now: datetime) -> bool:
    """Whether the link's signatory is owed a reminder today, in the site's calendar."""
    track = link.signatory.track
    every = settings_of(track.policy_id)["signatory_reminder_every"]
    last = window.local(link.reminded_at or link.created_at).date()
    return window.calendar.add_working_days(last, every) <= window.today(now)


def remind(now: datetime, windows: dict) -> int:
    """Send each signatory owed a reminder a new link (same expiry); return how many were sent."""
    sent = 0
    for link in open_links(now):
        signatory = link.signatory
        track = signatory.track
        window = windows.get(track.site_id)
        if window is None or getattr(track, f"{signatory.party}_signed_at") is not None or not due(link, window, now):
            continue
        links.issue(signatory, link.fixed_version, actor=audit.SYSTEM, now=now, what="reminder",
                    expires_at=link.expires_at, values={"first_sent_at": link.created_at})
        links.open_link(signatory).reminded_at = now  # the next reminder counts from this one
        sent += 1
    return sent
