"""What a sponsor does on its contract: send a redline (with its reply), record its signature.

Both go through the features that own the state: ``documents.operations.upload_redline``
for the file and ``pipeline.operations.apply_action`` for the track, in the caller's
single transaction, so a redline and the reply it carries are stored together or not at all.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l

from tracker import audit
from tracker.documents.operations import upload_redline
from tracker.errors import InvalidInput
from tracker.models import Contract, Document, Event, Track, User
from tracker.pipeline.operations import apply_action
from tracker.portal.messages import post_message
from tracker.timeutil import local_date, start_of_day


def send_redline(contract: Contract, site_code, data: bytes, *, reply: bool, comment: str | None, author: User,
                 now: datetime) -> Document:
    """Keep the sponsor's redline; with ``reply``, record ``sponsor_replied`` (with the comment) on that site.

    Without a reply, a comment goes to the site as a message.
    """
    actor = audit.Actor.of(author)
    document = upload_redline(contract, site_code, data, actor=actor, now=now)
    track = next(t for t in contract.tracks if t.site_id == document.site_id)
    if reply:
        apply_action(track, "sponsor_replied", actor=actor, now=now, comment=comment or None, for_sponsor=True)
    elif comment:
        post_message(contract, comment, author=author, now=now, site_code=track.site.code)
    return document


def parse_day(value) -> date | None:
    """A date typed in a form (YYYY-MM-DD); None when empty; InvalidInput when not a date."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise InvalidInput({"signed_on": str(_l("Use a date such as 2026-03-09."))})


def signature_instant(track: Track, signed_on: date | None, now: datetime) -> datetime:
    """When a signature dated ``signed_on`` (at the site) took effect: now for today, else that day's end."""
    today = local_date(now, track.site.timezone)
    if signed_on is None or signed_on == today:
        return now
    if signed_on > today:
        raise InvalidInput({"signed_on": str(_l("The signature date cannot be in the future."))})
    return start_of_day(signed_on + timedelta(days=1), track.site.timezone) - timedelta(seconds=1)


def sponsor_action(track: Track, action: str, *, author: User, now: datetime, comment=None, signed_on=None,
                   expected_version=None) -> Event:
    """Take one of the sponsor's actions (submit_documents, sponsor_replied, its sign) on a track."""
    actor = audit.Actor.of(author)
    if action == "sign":
        return apply_action(track, "sign", actor=actor, now=now, party="sponsor", comment=comment or None,
                            effective_at=signature_instant(track, parse_day(signed_on), now),
                            expected_version=expected_version)
    return apply_action(track, action, actor=actor, now=now, comment=comment or None, for_sponsor=True,
                        expected_version=expected_version)
