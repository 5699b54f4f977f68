"""Who hears what happens to a signature besides the signatory (SPEC 5c).

* A decline: the track's owner and the site's legal staff, with the reason, so that they can
  name someone else or send a new link.
* The executed agreement: the track's owner, the site's managers, the sponsor's users and every
  signatory get one mail each (one per address), in their language, with the executed PDF
  attached; above the attachment limit the mail carries a link instead. A signatory's mail also
  carries their download link, valid 30 days.
"""
from __future__ import annotations

from datetime import datetime

from tracker.extensions import db
from tracker.mail.render import base_url, contract_link
from tracker.mail.smtp import MAX_ATTACHMENT
from tracker.models import Track, User
from tracker.signing import mails


def _users(track: Track, *, site_roles: tuple[str, ...], sponsor: bool) -> list[User]:
    conditions = [db.and_(User.role.in_(site_roles), User.site_id == track.site_id)]
    if sponsor:
        conditions.append(db.and_(User.role == "sponsor", User.sponsor_id == track.contract.sponsor_id))
    people = db.session.execute(db.select(User).where(User.active.is_(True), db.or_(*conditions))
                                .order_by(User.id)).scalars().all()
    owner = track.owner
    if owner is not None and owner.active and owner not in people:
        people.insert(0, owner)
    return people


def _recipient(user: User) -> mails.Recipient:
    return mails.Recipient(user.email, user.name, user.language or "fr", user.id)


def _page_for(track: Track, user: User | None) -> str:
    return contract_link(track.contract.reference, sponsor=user is not None and user.role == "sponsor")


def declined(link, reason: str, *, now: datetime, signatory=None) -> int:
    """Tell the owner and the site's legal staff that a signatory declined, and why (``signatory``: the same
    person's signatory at another site, for an agreement the same link would have signed)."""
    signatory = signatory or link.signatory
    track = signatory.track
    sent = 0
    for user in _users(track, site_roles=("legal",), sponsor=False):
        values = mails.track_values(track, signatory.party, audience="staff", signatory=signatory.name,
                                    email=signatory.email, reason=reason, link=_page_for(track, user))
        sent += mails.queue("declined", f"signing_declined:{link.id}:{signatory.id}:{user.id}", _recipient(user), track, values,
                            now=now)
    return sent


def executed(track: Track, agreement, copy_links: dict[str, tuple[str, datetime]], *, now: datetime) -> int:
    """One mail per address with the executed PDF; ``copy_links`` maps a signatory's address to their
    download link and its expiry."""
    from tracker.signing.signatories import named

    document = agreement.document
    attached = document.size <= MAX_ATTACHMENT
    common = {"executed_sha256": agreement.sha256, "verify": base_url() + "/verify", "attached": attached,
              "document": {"version": agreement.fixed_version.document.version,
                           "sha256": agreement.fixed_version.sha256}}
    done: set[str] = set()
    sent = 0
    for signatory in named(track).values():
        if signatory.email in done:
            continue
        done.add(signatory.email)
        link, expires_at = copy_links[signatory.email]
        values = mails.track_values(track, signatory.party, link=link, expires_at=expires_at, **common)
        sent += mails.queue("executed", f"signing_executed:{agreement.id}:{signatory.email}",
                            mails.Recipient(signatory.email, signatory.name, signatory.language, signatory.user_id),
                            track, values, now=now, attachment_document_id=document.id if attached else None)
    for user in _users(track, site_roles=("manager",), sponsor=True):
        if user.email.lower() in done:
            continue
        done.add(user.email.lower())
        link = _page_for(track, user)
        values = mails.track_values(track, None, audience="staff", link=link, expires_at=None, **common)
        sent += mails.queue("executed", f"signing_executed:{agreement.id}:{user.email.lower()}", _recipient(user),
                            track, values, now=now, attachment_document_id=document.id if attached else None)
    return sent
