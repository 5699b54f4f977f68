"""Which document versions a sponsor sees: those sent to it, the redlines returned on its side, the versions
fixed for signature and the executed agreements.

The site's other drafts stay internal. Staff see every version of a contract they may see.
"""
from __future__ import annotations

from tracker.contracts.visibility import may_see
from tracker.extensions import db
from tracker.models import Contract, Document, Event, FixedVersion, Track


def _sent_ids(contract_id: int):
    return db.select(Event.document_id).where(Event.contract_id == contract_id, Event.action == "send_to_sponsor",
                                              Event.document_id.is_not(None))


def _fixed_ids(contract_id: int):
    """The versions fixed for signature that stand (SPEC 5c): what the sponsor is asked to sign."""
    return db.select(FixedVersion.document_id).join(Track, Track.id == FixedVersion.track_id).where(
        Track.contract_id == contract_id, FixedVersion.ended_at.is_(None))


def sponsor_documents(contract: Contract) -> list[Document]:
    """The versions the sponsor may see on its contract, per site, newest first: those sent to it, its
    redlines, the versions fixed for signature and the executed agreements."""
    return db.session.execute(db.select(Document).where(
        Document.contract_id == contract.id, Document.withdrawn_at.is_(None),
        db.or_(Document.kind.in_(("redline", "executed")), Document.id.in_(_sent_ids(contract.id)),
               Document.id.in_(_fixed_ids(contract.id))))
        .order_by(Document.site_id, Document.version.desc())).scalars().all()


def sent_document_ids(contract: Contract) -> set[int]:
    return set(db.session.execute(_sent_ids(contract.id)).scalars())


def fixed_document_ids(contract: Contract) -> set[int]:
    return set(db.session.execute(_fixed_ids(contract.id)).scalars())


def may_download(user, document: Document | None) -> bool:
    """Whether this person may fetch this version: staff of a contract they see, a sponsor only what it was sent."""
    if document is None or not getattr(user, "is_authenticated", False):
        return False
    if user.role != "sponsor":
        return may_see(user, document.contract_id)
    contract = db.session.get(Contract, document.contract_id)
    if contract is None or contract.sponsor_id != user.sponsor_id or document.withdrawn_at is not None:
        return False
    return document.kind in ("redline", "executed") or document.id in sent_document_ids(contract) \
        or document.id in fixed_document_ids(contract)
