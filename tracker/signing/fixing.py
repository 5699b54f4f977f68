"""The version of a site's agreement that its parties sign (SPEC 5c).

``agree`` (coordinating site) and ``conformity_ok`` (associated site) fix it: the version the
caller named, else the site's current version in the contract's language (SPEC 5d:
``tracker.documents.versions.fixable_version``, never a courtesy translation by default). A
track that reached signature with no such version gets one fixed later by its staff, once
they have generated it. A fixed version is never edited or replaced while it stands: a
``reopen`` ends it, and only the next agreement fixes another.
"""
from __future__ import annotations

import hashlib
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import undefer

from tracker import audit
from tracker.documents.versions import current_version, fixable_version
from tracker.errors import Conflict
from tracker.extensions import db
from tracker.models import Document, Track
from tracker.models.signing import FixedVersion
from tracker.people.roles import require_site_staff
from tracker.stages import rules

FIXING_ACTIONS = ("agree", "conformity_ok")


def current_fixed(track: Track) -> FixedVersion | None:
    """The version fixed for signature on this track now, if any."""
    return db.session.execute(db.select(FixedVersion).where(
        FixedVersion.track_id == track.id, FixedVersion.ended_at.is_(None))
        .order_by(FixedVersion.id.desc()).limit(1)).scalar_one_or_none()


def fixed_by_track(track_ids: list[int]) -> dict[int, FixedVersion]:
    """The standing fixed version of each of these tracks (for lists and the API)."""
    if not track_ids:
        return {}
    rows = db.session.execute(db.select(FixedVersion).where(
        FixedVersion.track_id.in_(track_ids), FixedVersion.ended_at.is_(None))
        .order_by(FixedVersion.id)).scalars().all()
    return {row.track_id: row for row in rows}


def signable_version(track: Track) -> Document | None:
    """The version a track in signature with none fixed would get (for the staff page's offer)."""
    return current_version(track, signable=True)


def fix(track: Track, document: Document, *, actor: audit.Actor, now: datetime,
        event_id: int | None = None) -> FixedVersion:
    """Fix this version for signature on the track; audited with its SHA-256."""
    fixed = FixedVersion(track_id=track.id, document_id=document.id, sha256=document.sha256, fixed_at=now,
                         event_id=event_id)
    db.session.add(fixed)
    db.session.flush()
    audit.record(actor, "fixed_version", fixed.id,
                 {"track": (None, track.site.code), "document": (None, f"v{document.version}"),
                  "sha256": (None, document.sha256)}, now=now, contract_id=track.contract_id)
    from tracker.signing.pdf import pdf_sha256

    pdf_sha256(document, now=now)  # rendered once now and kept: the PDF the signatories read is this one
    return fixed


def on_agreement(track: Track, event, actor, now: datetime) -> FixedVersion | None:
    """What ``agree`` or ``conformity_ok`` fixes: the named version (a draft refuses the action), else the
    current one in the contract's language; none when the site has no version yet."""
    document = fixable_version(track, event.document_id)
    if document is None:
        return None
    return fix(track, document, actor=actor, now=now, event_id=event.id)


def fix_later(track: Track, *, actor: audit.Actor, now: datetime) -> FixedVersion:
    """Fix the newest signable version of a track already in signature with none fixed (staff of its site)."""
    require_site_staff(actor, track)
    if track.stage != rules.SIGNATURE:
        raise Conflict(str(_l("A version is fixed only while the track is in signature.")))
    if current_fixed(track) is not None:
        raise Conflict(str(_l("A version is already fixed for signature; changing the terms needs a new "
                              "agreement round (reopen).")))
    document = fixable_version(track)
    if document is None:
        raise Conflict(str(_l("%(site)s has no generated agreement without blanks to fix; generate it first.",
                              site=track.site.name)))
    return fix(track, document, actor=actor, now=now)


def end(track: Track, *, actor: audit.Actor, now: datetime) -> FixedVersion | None:
    """A reopen ends the standing version: the next agreement fixes a new one."""
    fixed = current_fixed(track)
    if fixed is not None:
        fixed.ended_at = now
        audit.record(actor, "fixed_version", fixed.id, {"ended_at": (None, now)}, now=now,
                     contract_id=track.contract_id)
    return fixed


def intact_by_id(fixed: list[FixedVersion]) -> dict[int, bool]:
    """``intact`` of each of these fixed versions, by id: their documents' contents read in one query."""
    if not fixed:
        return {}
    db.session.execute(db.select(Document).where(Document.id.in_({f.document_id for f in fixed}))
                       .options(undefer(Document.content))).scalars().all()
    return {f.id: intact(f) for f in fixed}


def intact(fixed: FixedVersion) -> bool:
    """The fixed document still has the content it had when it was fixed (its stored hash matches)."""
    document = fixed.document
    return (document.sha256 == fixed.sha256 and hashlib.sha256(document.content).hexdigest() == fixed.sha256
            and document.withdrawn_at is None)
