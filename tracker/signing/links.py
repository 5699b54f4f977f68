"""One-time signing links: issued to a named signatory once the version is fixed, valid 30 days.

Only the token's SHA-256 is stored. A link opens the signing page until it is used (the party
signed), it expires, or it is voided: a new link for the same signatory, another signatory named
for the party, a reopen or a cancellation. After the three signatures each signatory gets a
``copy`` link, valid 30 days, to fetch the executed agreement.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from tracker import audit
from tracker.extensions import db
from tracker.mail.render import base_url
from tracker.models.signing import FixedVersion, Signatory, SigningLink
from tracker.signing import mails

LIFETIME = {"sign": timedelta(days=30), "copy": timedelta(days=30)}
PATHS = {"sign": "/sign/", "copy": "/signed/"}


class LinkUnusable(Exception):
    """``reason`` is unknown, used, declined, expired or voided; ``link`` the link when it exists."""

    def __init__(self, reason: str, link: SigningLink | None = None):
        super().__init__(reason)
        self.reason = reason
        self.link = link


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def mail_key(link: SigningLink) -> str:
    return f"signing_{'link' if link.purpose == 'sign' else 'copy'}:{link.id}"


def issue(signatory: Signatory, fixed: FixedVersion | None, *, actor: audit.Actor, now: datetime,
          purpose: str = "sign", values: dict | None = None, mail: bool = True, what: str | None = None,
          expires_at: datetime | None = None) -> str:
    """Void the signatory's open links of this purpose, make a new one and e-mail it (unless the caller
    sends it in a mail of its own); return the token.

    One person signing for the same party on several sites' agreements of a contract holds one signing
    link: it replaces the links of those other signatories, and its page signs each agreement."""
    void_open(signatory, now=now, purpose=purpose)
    others = siblings(signatory) if purpose == "sign" else []
    for other in others:
        void_open(other, now=now)
    token = secrets.token_urlsafe(32)
    link = SigningLink(signatory_id=signatory.id, purpose=purpose, fixed_version_id=fixed.id if fixed else None,
                       token_hash=token_hash(token), created_at=now,
                       expires_at=expires_at or now + LIFETIME[purpose])
    db.session.add(link)
    db.session.flush()
    audit.record(actor, "signing_link", link.id, {"signatory": (None, signatory.email),
                                                  "party": (None, signatory.party), "purpose": (None, purpose)},
                 now=now, contract_id=signatory.track.contract_id)
    if not mail:
        return token
    track = signatory.track
    document = fixed.document if fixed else None
    extra = {"link": base_url() + PATHS[purpose] + token, "expires_at": link.expires_at,
             "document": document and {"version": document.version, "sha256": fixed.sha256},
             "verify": base_url() + "/verify", "also": _signable_sites(others), **(values or {})}
    mails.queue(what or ("link" if purpose == "sign" else "executed"), mail_key(link),
                mails.Recipient(signatory.email, signatory.name, signatory.language, signatory.user_id),
                track, mails.track_values(track, signatory.party, **extra), now=now)
    return token


def _signable_sites(others: list[Signatory]) -> list[str]:
    from tracker.signing.fixing import current_fixed

    return [o.track.site.name for o in others if o.track.stage == "signature" and current_fixed(o.track) is not None]


def siblings(signatory: Signatory) -> list[Signatory]:
    """The same person (by address) named for the same party on the contract's other sites' agreements."""
    from tracker.models import Track

    return db.session.execute(db.select(Signatory).join(Track, Track.id == Signatory.track_id).where(
        Track.contract_id == signatory.track.contract_id, Signatory.track_id != signatory.track_id,
        Signatory.party == signatory.party, db.func.lower(Signatory.email) == signatory.email.lower(),
        Signatory.ended_at.is_(None)).order_by(Track.id)).scalars().all()


def void_open(signatory: Signatory, *, now: datetime, purpose: str = "sign") -> None:
    """Every link of this signatory still open stops working, and its mail is forgotten."""
    rows = db.session.execute(db.select(SigningLink).where(
        SigningLink.signatory_id == signatory.id, SigningLink.purpose == purpose,
        SigningLink.used_at.is_(None), SigningLink.voided_at.is_(None))).scalars().all()
    for link in rows:
        link.voided_at = now
        mails.forget(mail_key(link))


def open_link(signatory: Signatory) -> SigningLink | None:
    """The signatory's signing link still waiting to be used (it may have expired)."""
    return db.session.execute(db.select(SigningLink).where(
        SigningLink.signatory_id == signatory.id, SigningLink.purpose == "sign", SigningLink.used_at.is_(None),
        SigningLink.voided_at.is_(None)).order_by(SigningLink.id.desc()).limit(1)).scalar_one_or_none()


def parties_with_open_links(track_ids: list[int], now: datetime) -> dict[int, set[str]]:
    """For each of these tracks, the parties whose named signatory holds a live signing link."""
    if not track_ids:
        return {}
    rows = db.session.execute(
        db.select(Signatory.track_id, Signatory.party).join(SigningLink, SigningLink.signatory_id == Signatory.id)
        .where(Signatory.track_id.in_(track_ids), Signatory.ended_at.is_(None), SigningLink.purpose == "sign",
               SigningLink.used_at.is_(None), SigningLink.voided_at.is_(None), SigningLink.expires_at > now)).all()
    found: dict[int, set[str]] = {}
    for track_id, party in rows:
        found.setdefault(track_id, set()).add(party)
    return found


def sign_links_by_signatory(signatory_ids: list[int]) -> dict[int, tuple[SigningLink | None, SigningLink | None]]:
    """For each of these signatories, ``open_link`` and ``declined_link`` together, in one query."""
    if not signatory_ids:
        return {}
    rows = db.session.execute(db.select(SigningLink).where(
        SigningLink.signatory_id.in_(signatory_ids), SigningLink.purpose == "sign")
        .order_by(SigningLink.id)).scalars().all()
    latest: dict[int, SigningLink] = {}
    waiting: dict[int, SigningLink] = {}
    for link in rows:
        latest[link.signatory_id] = link
        if link.used_at is None and link.voided_at is None:
            waiting[link.signatory_id] = link
    found = {}
    for signatory_id in signatory_ids:
        last = latest.get(signatory_id)
        found[signatory_id] = (waiting.get(signatory_id),
                               last if last is not None and last.declined_at is not None else None)
    return found


def declined_link(signatory: Signatory) -> SigningLink | None:
    """The signatory's latest link, when they declined through it (the reason is shown to staff)."""
    link = db.session.execute(db.select(SigningLink).where(
        SigningLink.signatory_id == signatory.id, SigningLink.purpose == "sign")
        .order_by(SigningLink.id.desc()).limit(1)).scalar_one_or_none()
    return link if link is not None and link.declined_at is not None else None


def find(token, now: datetime, purpose: str = "sign") -> SigningLink:
    """The usable link behind a token, else LinkUnusable saying why (an altered token is simply unknown)."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        raise LinkUnusable("unknown")
    link = db.session.execute(db.select(SigningLink).where(
        SigningLink.token_hash == token_hash(token))).scalar_one_or_none()
    if link is None or link.purpose != purpose:
        raise LinkUnusable("unknown")
    if link.used_at is not None and purpose == "sign":
        raise LinkUnusable("used", link)
    if link.declined_at is not None:
        raise LinkUnusable("declined", link)
    if link.voided_at is not None or link.signatory.ended_at is not None:
        raise LinkUnusable("voided", link)
    if now >= link.expires_at:
        raise LinkUnusable("expired", link)
    return link
