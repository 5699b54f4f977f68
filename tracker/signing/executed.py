"""The executed agreement: once a track's three parties have signed, the fixed version as PDF followed by
the signature certificate, kept as a document version of kind ``executed`` (SPEC 5c).

Its SHA-256 goes into the audit trail with the new version, and each named signatory gets a
link to download it. When LibreOffice cannot convert the version at that moment the signatures
stand all the same; the contract page then offers to build the agreement again.
"""
from __future__ import annotations

import io
import logging
from datetime import datetime

from flask_babel import lazy_gettext as _l
from pypdf import PdfReader, PdfWriter

from tracker import audit
from tracker.documents.operations import contract_language
from tracker.documents.preview import to_pdf
from tracker.errors import Conflict, DomainError
from tracker.extensions import db
from tracker.mail.render import base_url
from tracker.models import Track
from tracker.models.signing import ExecutedAgreement
from tracker.people.roles import require_site_staff
from tracker.stages import rules
from tracker.signing import blocks, evidence, links, notices, seal
from tracker.signing.certificate import certificate_pdf
from tracker.signing.fixing import current_fixed
from tracker.signing.pdf import document_pdf

log = logging.getLogger(__name__)


def executed_of(track: Track) -> ExecutedAgreement | None:
    return db.session.execute(db.select(ExecutedAgreement).where(ExecutedAgreement.track_id == track.id)
                              .order_by(ExecutedAgreement.id.desc()).limit(1)).scalar_one_or_none()


def executed_by_track(track_ids: list[int]) -> dict[int, ExecutedAgreement]:
    """``executed_of`` each of these tracks, in one query."""
    if not track_ids:
        return {}
    rows = db.session.execute(db.select(ExecutedAgreement).where(ExecutedAgreement.track_id.in_(track_ids))
                              .order_by(ExecutedAgreement.id)).scalars().all()
    return {row.track_id: row for row in rows}


def join(parts: list[bytes], title: str) -> bytes:
    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)))
    writer.add_metadata({"/Title": title, "/Producer": "Fast-track contract tracker"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def signed_pages(track: Track, fixed, signatures: dict, language: str, *, now: datetime) -> list[bytes]:
    """The agreement with each signature in its block; when its blocks cannot be found, the agreement as it was
    fixed followed by a page of the filled blocks."""
    document = fixed.document
    filled = None
    if not document.filename.lower().endswith(".pdf"):
        filled = blocks.fill_docx(document.content, track, signatures, language)
    if filled is not None:
        return [to_pdf(filled)]
    return [document_pdf(document, now=now), blocks.signatures_page(track, signatures, language)]


def build(track: Track, *, actor: audit.Actor, now: datetime) -> ExecutedAgreement:
    """Make, keep and send the executed agreement of an executed track with a fixed version."""
    fixed = current_fixed(track)
    if track.stage != rules.EXECUTED or fixed is None:
        raise Conflict(str(_l("The agreement is executed once its three parties have signed a fixed version.")))
    if executed_of(track) is not None:
        raise Conflict(str(_l("The executed agreement of %(site)s already exists.", site=track.site.name)))
    contract = track.contract
    signatures = evidence.standing(track)
    language = contract_language(contract)
    certificate = certificate_pdf({"contract": contract, "track": track, "fixed": fixed, "signatures": signatures,
                                   "issued_at": now, "verify": base_url() + "/verify"}, language)
    unsealed = join([*signed_pages(track, fixed, signatures, language, now=now), certificate],
                    f"{contract.reference} — {track.site.name} — executed agreement")
    data = seal.seal(unsealed, reason=f"{contract.reference} — {track.site.name}: executed agreement",
                     location=track.site.name)
    document = evidence.new_version(track, "executed", data, "executed.pdf", actor=actor, now=now)
    agreement = ExecutedAgreement(track_id=track.id, document_id=document.id, fixed_version_id=fixed.id,
                                  sha256=document.sha256, created_at=now)
    db.session.add(agreement)
    db.session.flush()
    audit.record(actor, "executed_agreement", agreement.id, {"sha256": (None, agreement.sha256),
                                                             "fixed_sha256": (None, fixed.sha256)},
                 now=now, contract_id=contract.id)
    _send_copies(track, agreement, actor=actor, now=now)
    return agreement


def _send_copies(track: Track, agreement: ExecutedAgreement, *, actor, now: datetime) -> None:
    """Each signatory's download link, then one mail per person with the executed PDF attached."""
    from tracker.signing.signatories import named

    copy_links = {}
    for signatory in named(track).values():
        if signatory.email not in copy_links:
            token = links.issue(signatory, agreement.fixed_version, actor=actor, now=now, purpose="copy", mail=False)
            copy_links[signatory.email] = (base_url() + links.PATHS["copy"] + token, now + links.LIFETIME["copy"])
    notices.executed(track, agreement, copy_links, now=now)


def build_quietly(track: Track, *, actor: audit.Actor, now: datetime) -> ExecutedAgreement | None:
    """``build`` inside the last signature's transaction: a conversion that fails leaves the signature
    standing (inside a savepoint, so nothing half-made stays) and is logged."""
    try:
        with db.session.begin_nested():
            return build(track, actor=actor, now=now)
    except DomainError as exc:
        log.warning("executed agreement of track %s not built: %s", track.id, exc.message)
        return None


def rebuild(track: Track, *, actor: audit.Actor, now: datetime) -> ExecutedAgreement:
    """Build it again from the contract page (staff of the site), after a failed conversion."""
    require_site_staff(actor, track)
    return build(track, actor=actor, now=now)
