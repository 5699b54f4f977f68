"""The evidence of each signature, written with the ``sign`` event through the pipeline (SPEC 5c).

An online signature keeps the party, the name typed, the e-mail address the link went to, the
fixed version and its SHA-256, the time, the IP address and the user agent. A signature made
elsewhere (wet ink, another provider) is recorded by staff or the sponsor with ``sign`` as before,
optionally with the signed PDF kept as a document version of kind ``signed_evidence``. Either way
the pipeline's one operation records the event, so deadlines, alerts, the audit trail and "1/2
sites executed" follow.
"""
from __future__ import annotations

import hashlib
from datetime import datetime

from flask_babel import lazy_gettext as _l

from tracker import audit
from tracker.errors import InvalidInput
from tracker.extensions import db
from tracker.models import Document, Event, Track
from tracker.models.signing import Signature, SigningLink
from tracker.stages import rules
from tracker.pipeline.operations import apply_action
from tracker.signing import links, pdf
from tracker.signing.fixing import current_fixed


def signatory_actor(signatory) -> audit.Actor:
    """Who acts through a signing link: the person named, known by the address the link went to."""
    return audit.Actor(user_id=None, email=signatory.email, role="signatory")


def sign_online(link: SigningLink, code, *, now: datetime, ip_address, user_agent, signatory=None,
                fixed=None) -> Signature:
    """Keep the evidence, then record ``sign`` for the link's party (or, in the same session, for the same
    person's ``signatory`` of another site with that site's ``fixed`` version); the link is spent."""
    signatory = signatory or link.signatory
    track = signatory.track
    fixed = fixed or link.fixed_version
    signature = Signature(
        track_id=track.id, party=signatory.party, method="online", signatory_id=signatory.id,
        typed_name=code.typed_name, email=signatory.email, document_id=fixed.document_id,
        document_version=fixed.document.version, sha256=fixed.sha256, signed_at=now,
        pdf_sha256=pdf.pdf_sha256(fixed.document, now=now), capacity=signatory.capacity,
        consent_text=code.consent_text,
        ip_address=(ip_address or "")[:45] or None, user_agent=(user_agent or "")[:500] or None)
    db.session.add(signature)
    db.session.flush()
    actor = signatory_actor(signatory)
    audit.record(actor, "signature", signature.id, {
        "party": (None, signature.party), "typed_name": (None, signature.typed_name), "email": (None, signature.email),
        "document": (None, f"v{signature.document_version}"), "sha256": (None, signature.sha256),
        "pdf_sha256": (None, signature.pdf_sha256), "consent_text": (None, signature.consent_text),
        "ip_address": (None, signature.ip_address), "user_agent": (None, signature.user_agent)},
        now=now, contract_id=track.contract_id)
    link.used_at = now
    _sign(track, signature, actor=actor, now=now, party=signatory.party)
    return signature


def _sign(track: Track, signature: Signature | None, **arguments) -> Event:
    """Apply ``sign`` to the track, handing ``signature`` (the evidence just kept, if any) to on_sign, which ties
    it to the event the action writes."""
    handed = _handed_over()
    if signature is not None:
        handed[track.id] = signature
    try:
        return apply_action(track, "sign", **arguments)
    finally:
        handed.pop(track.id, None)  # already taken, unless the action was refused


def _handed_over() -> dict:
    """The signatures handed to on_sign, by track id, for this session's transaction."""
    return db.session.info.setdefault("signing.handed_over", {})


def record_elsewhere(track: Track, wanted, evidence_pdf: bytes | None, *, actor: audit.Actor,
                     now: datetime) -> Event:
    """``sign`` for a signature made elsewhere (from the staff page), with the signed PDF (checked first) or the
    reason there is none."""
    if wanted.action != "sign":
        raise InvalidInput({"action": str(_l("Only a signature can be recorded here."))})
    if evidence_pdf is None and not (wanted.comment or "").strip():
        raise InvalidInput({"file": str(_l("Attach the signed PDF, or say in the comment why there is none."))})
    signature = None
    if evidence_pdf is not None:
        pdf.check_upload(evidence_pdf)
        document = new_version(track, "signed_evidence", evidence_pdf, "signed.pdf", actor=actor, now=now)
        signature = Signature(track_id=track.id, party=wanted.party or "", method="recorded", signed_at=now,
                              recorded_by_id=actor.user_id, evidence_document_id=document.id)
        db.session.add(signature)
        db.session.flush()
    return _sign(track, signature, actor=actor, now=now, **wanted.arguments())


def new_version(track: Track, kind: str, data: bytes, suffix: str, *, actor: audit.Actor, now: datetime) -> Document:
    """Keep a PDF as the site's next document version, audited with its SHA-256."""
    last = db.session.execute(db.select(db.func.max(Document.version)).where(
        Document.contract_id == track.contract_id, Document.site_id == track.site_id)).scalar()
    version = (last or 0) + 1
    document = Document(contract_id=track.contract_id, site_id=track.site_id, version=version, kind=kind,
                        filename=f"{track.contract.reference}-{track.site.code}-v{version}-{suffix}",
                        sha256=hashlib.sha256(data).hexdigest(), size=len(data), content=data,
                        author_id=actor.user_id, created_at=now)
    db.session.add(document)
    db.session.flush()
    audit.record(actor, "document", document.id, {"kind": (None, kind), "version": (None, version),
                                                  "sha256": (None, document.sha256)},
                 now=now, contract_id=track.contract_id)
    return document


def on_sign(track: Track, event: Event, actor, now: datetime) -> None:
    """Tie the evidence sign_online kept just before to the event, or note a signature made elsewhere; the
    signatory's open links stop working."""
    pending = _handed_over().pop(track.id, None)
    fixed = current_fixed(track)
    if pending is None:
        pending = Signature(track_id=track.id, party=event.party, method="recorded", signed_at=event.effective_at,
                            recorded_by_id=actor.user_id)
        db.session.add(pending)
    pending.party = event.party
    pending.event_id = event.id
    if pending.method == "recorded":
        pending.signed_at = event.effective_at
        pending.recorded_by_id = actor.user_id
        if fixed is not None:
            pending.document_id, pending.document_version = fixed.document_id, fixed.document.version
            pending.sha256 = fixed.sha256
    db.session.flush()
    from tracker.signing.signatories import named

    signatory = named(track).get(event.party)
    if signatory is not None:
        links.void_open(signatory, now=now)
        pending.signatory_id = pending.signatory_id or (signatory.id if pending.method == "online" else None)


def void(track: Track, now: datetime) -> None:
    """A reopen voids the signatures recorded since the agreement, and every open link of the track."""
    for signature in db.session.execute(db.select(Signature).where(
            Signature.track_id == track.id, Signature.voided_at.is_(None))).scalars():
        signature.voided_at = now
    from tracker.signing.signatories import named

    for signatory in named(track).values():
        links.void_open(signatory, now=now)


def standing(track: Track) -> dict[str, Signature]:
    """The signature of each party that stands (not voided), by party."""
    return standing_by_track([track.id]).get(track.id, {})


def standing_by_track(track_ids: list[int]) -> dict[int, dict[str, Signature]]:
    """The standing signatures of each of these tracks, by party (one query for a whole contract)."""
    if not track_ids:
        return {}
    rows = db.session.execute(db.select(Signature).where(
        Signature.track_id.in_(track_ids), Signature.voided_at.is_(None), Signature.event_id.is_not(None))
        .order_by(Signature.id)).scalars().all()
    found: dict[int, dict[str, Signature]] = {}
    for row in rows:
        found.setdefault(row.track_id, {})[row.party] = row
    return found


def party_label(party: str) -> str:
    return str(rules.PARTY_LABELS.get(party, party))
