"""Every change to a contract moves its ``version``, whatever path made it (SPEC 5b: ETags).

A contract's JSON is made of the contract row and of what hangs on it: its tracks
(stage, owner, signatures), their events, its documents, the versions fixed for
signature, the signatories and their signatures. Rather than trusting each operation
to remember, one listener looks at what every flush wrote and, in the same
transaction, adds one to the version of each contract concerned. The API's ETag is
made from that number (``tracker.api.etags``).
"""
from __future__ import annotations

from sqlalchemy import event, update
from sqlalchemy.orm import Session

from tracker.models import (
    Contract, Document, Event, ExecutedAgreement, FixedVersion, Signatory, Signature, Track,
)

# Rows that carry their contract's id, and rows that reach it through their track.
BY_CONTRACT = (Track, Event, Document)
BY_TRACK = (FixedVersion, Signatory, Signature, ExecutedAgreement)


def _concerned(session: Session) -> tuple[set[int], set[int]]:
    contract_ids: set[int] = set()
    track_ids: set[int] = set()
    changed = [*session.new, *session.deleted,
               *(o for o in session.dirty if session.is_modified(o, include_collections=False))]
    for obj in changed:
        if isinstance(obj, Contract):
            if obj not in session.new and obj.id is not None:
                contract_ids.add(obj.id)
            if obj.amends_id is not None:  # the parent's JSON lists its amendments and their status
                contract_ids.add(obj.amends_id)
        elif isinstance(obj, BY_CONTRACT):
            if obj.contract_id is not None:
                contract_ids.add(obj.contract_id)
        elif isinstance(obj, BY_TRACK):
            if obj.track_id is not None:
                track_ids.add(obj.track_id)
    return contract_ids, track_ids


@event.listens_for(Session, "after_flush")
def _bump_versions(session: Session, _context) -> None:
    contract_ids, track_ids = _concerned(session)
    if not contract_ids and not track_ids:
        return
    connection = session.connection()
    if track_ids:
        contract_ids |= set(connection.execute(
            Track.__table__.select().with_only_columns(Track.__table__.c.contract_id)
            .where(Track.__table__.c.id.in_(track_ids))).scalars())
    table = Contract.__table__
    # A Core UPDATE, not the ORM: it flushes nothing more. A Contract object already loaded keeps
    # its old number until the transaction ends; readers of the tag ask the database.
    connection.execute(update(table).where(table.c.id.in_(sorted(contract_ids)))
                       .values(version=table.c.version + 1))
