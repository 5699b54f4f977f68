"""Messages between a sponsor and a site about a contract (the conversation both timelines show).

A sponsor user writes to one site of its contract; the site's owner of that track hears
of it by e-mail (or, with no owner, every legal user of the site). Staff write for their
own site (an admin for the site they choose); every active contact of the sponsor hears
of it.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker import audit
from tracker.documents.operations import contract_language
from tracker.errors import InvalidInput, NotFound
from tracker.extensions import db
from tracker.mail import queue as outbox
from tracker.mail.render import contract_link
from tracker.models import Contract, Message, Track, User
from tracker.people.roles import is_admin, is_contract_sponsor, is_site_staff, takes_part

MAX_BODY = 5000


def contract_messages(contract: Contract) -> list[Message]:
    return db.session.execute(db.select(Message).where(Message.contract_id == contract.id)
                              .order_by(Message.created_at, Message.id)).scalars().all()


def visible_message(user, message_id: int) -> Message | None:
    """The message if this person may read it (the contract's sponsor, or staff who see the contract)."""
    message = db.session.get(Message, message_id) if isinstance(message_id, int) else None
    if message is None:
        return None
    contract = message.contract
    if user.role == "sponsor":
        return message if is_contract_sponsor(user, contract) else None
    return message if takes_part(user, contract) else None


def writable_tracks(user, contract: Contract) -> list[Track]:
    """The sites this person can write for (staff) or to (sponsor) on this contract."""
    if user.role == "sponsor":
        return contract.ordered_tracks if is_contract_sponsor(user, contract) else []
    if is_admin(user):
        return contract.ordered_tracks
    return [t for t in contract.ordered_tracks if is_site_staff(user, t.site_id)]


def _track(user, contract: Contract, site_code) -> Track:
    tracks = writable_tracks(user, contract)
    if not tracks:
        raise NotFound(str(_l("No such contract.")))
    if not site_code:
        return tracks[0]
    track = next((t for t in tracks if t.site.code == str(site_code).strip().upper()[:16]), None)
    if track is None:
        raise InvalidInput({"site": str(_l("Choose one of the sites of this contract you can write for."))})
    return track


def _recipients(track: Track, side: str) -> list[User]:
    if side == "site":
        return db.session.execute(db.select(User).where(
            User.role == "sponsor", User.sponsor_id == track.contract.sponsor_id, User.active.is_(True))
            .order_by(User.id)).scalars().all()
    owner = track.owner
    if owner is not None and owner.active and owner.role == "legal" and owner.site_id == track.site_id:
        return [owner]
    return db.session.execute(db.select(User).where(
        User.role == "legal", User.site_id == track.site_id, User.active.is_(True)).order_by(User.id)).scalars().all()


def _subject(v: dict) -> str:
    if v["side"] == "sponsor":
        return f"[{v['reference']}] " + _("Message from %(sponsor)s to %(site)s", sponsor=v["sponsor"], site=v["site"])
    return f"[{v['reference']}] " + _("Message from %(site)s", site=v["site"])


def post_message(contract: Contract, body, *, author: User, now: datetime, site_code=None) -> Message:
    """Add a message to the contract's conversation and e-mail the other side."""
    track = _track(author, contract, site_code)
    text = body.strip() if isinstance(body, str) else ""
    if not text:
        raise InvalidInput({"body": str(_l("Write a message."))})
    if len(text) > MAX_BODY:
        raise InvalidInput({"body": str(_l("At most %(n)d characters.", n=MAX_BODY))})
    side = "sponsor" if author.role == "sponsor" else "site"
    message = Message(contract_id=contract.id, site_id=track.site_id, author_id=author.id, side=side, body=text,
                      created_at=now)
    db.session.add(message)
    db.session.flush()
    audit.record(audit.Actor.of(author), "message", message.id,
                 {"site": (None, track.site.code), "side": (None, side), "body": (None, text)},
                 now=now, contract_id=contract.id)
    portal = side == "site"
    values = {"reference": contract.reference, "title": contract.title, "sponsor": contract.sponsor.name,
              "site": track.site.name, "side": side, "author": author.name, "body": text,
              "audience": "sponsor" if portal else "staff",
              "link": contract_link(contract.reference, sponsor=portal, anchor=f"message-{message.id}")}
    outbox.queue("message", f"message:{message.id}", _recipients(track, side), "message", values, _subject,
                  now=now, contract_id=contract.id, track_id=track.id,
                  fallback=contract_language(contract) if portal else "fr")
    return message
