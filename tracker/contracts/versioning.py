"""Every change to a contract moves its ``version``, whatever path made it (SPEC 5b: ETags).

A contract's JSON is made of the contract row and of what hangs on it: its tracks
(stage, owner, signatures), their events, its documents, the versions fixed for
signature, the signatories, their signing links and their signatures, and the names
it shows of its sponsor, its sites and its tracks' owners. Rather than trusting each
operation to remember, one listener looks at what every flush wrote and, in the same
transaction, adds one to the version of each contract concerned. The API's ETag and
its kept answers are made from that number (``tracker.api.etags``, ``tracker.api.answers``).
"""
from __future__ import annotations

from sqlalchemy import event, inspect, or_, select, update
from sqlalchemy.orm import Session

from tracker.models import (
    Contract, Document, Event, ExecutedAgreement, FixedVersion, Signatory, Signature, SigningLink, Site, Sponsor,
    Track, User,
)

# Rows that carry their contract's id, and rows that reach it through their track.
BY_CONTRACT = (Track, Event, Document)
BY_TRACK = (FixedVersion, Signatory, Signature, ExecutedAgreement)
# Rows shown by name in many contracts: what of each a contract shows, and how to reach those contracts.
SHOWN = {Sponsor: ("name",), User: ("name", "email"), Site: ("code", "timezone")}


def _shown_changed(obj) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in SHOWN[type(obj)])


def _reaching(changed: dict) -> list:
    """Conditions on Contract for the contracts that show these sponsors, owners and sites."""
    tracks = Track.__table__.c
    conditions = []
    if changed[Sponsor]:
        conditions.append(Contract.__table__.c.sponsor_id.in_(changed[Sponsor]))
    for column, ids in ((tracks.owner_id, changed[User]), (tracks.site_id, changed[Site])):
        if ids:
            conditions.append(Contract.__table__.c.id.in_(select(tracks.contract_id).where(column.in_(ids))))
    return conditions


def _concerned(session: Session) -> tuple[set[int], set[int], set[int], dict]:
    contract_ids: set[int] = set()
    track_ids: set[int] = set()
    signatory_ids: set[int] = set()
    shown: dict = {kind: set() for kind in SHOWN}
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
        elif isinstance(obj, SigningLink):
            if obj.signatory_id is not None:
                signatory_ids.add(obj.signatory_id)
        elif type(obj) in SHOWN and obj not in session.new and obj.id is not None and _shown_changed(obj):
            shown[type(obj)].add(obj.id)
    return contract_ids, track_ids, signatory_ids, shown


@event.listens_for(Session, "after_flush")
def _bump_versions(session: Session, _context) -> None:
    contract_ids, track_ids, signatory_ids, shown = _concerned(session)
    reaching = _reaching(shown)
    if not contract_ids and not track_ids and not signatory_ids and not reaching:
        return
    connection = session.connection()
    table = Contract.__table__
    if reaching:  # a rename: every contract showing the name, found by the database
        connection.execute(update(table).where(or_(*reaching)).values(version=table.c.version + 1))
    if signatory_ids:
        track_ids |= set(connection.execute(select(Signatory.__table__.c.track_id).where(
            Signatory.__table__.c.id.in_(signatory_ids))).scalars())
    if track_ids:
        contract_ids |= set(connection.execute(
            Track.__table__.select().with_only_columns(Track.__table__.c.contract_id)
            .where(Track.__table__.c.id.in_(track_ids))).scalars())
    if not contract_ids:
        return
    # A Core UPDATE, not the ORM: it flushes nothing more. A Contract object already loaded keeps
    # its old number until the transaction ends; readers of the tag ask the database.
    connection.execute(update(table).where(table.c.id.in_(sorted(contract_ids)))
                       .values(version=table.c.version + 1))
