"""What is announced when a contract or a document version comes into being, just before it commits.

Contracts are created by one operation, but document versions by several (generated,
uploaded, adopted, executed, signed evidence). Rather than asking each to remember, a
session listener notes every new Contract and Document a flush writes and, when the
transaction is about to commit, announces each once; listeners (webhooks, notices) then
write in that same transaction, so what they queue commits or rolls back with the row.

Sent with the Contract or Document as sender.
"""
from __future__ import annotations

from blinker import Namespace
from sqlalchemy import event
from sqlalchemy.orm import Session

from tracker.models import Contract, Document

_signals = Namespace()
contract_created = _signals.signal("contract-created")
document_created = _signals.signal("document-created")

_KEY = "tracker_created_rows"


@event.listens_for(Session, "after_flush")
def _note_new_rows(session: Session, _context) -> None:
    for obj in session.new:
        if isinstance(obj, (Contract, Document)):
            session.info.setdefault(_KEY, []).append((type(obj), obj.id))


@event.listens_for(Session, "before_commit")
def _announce(session: Session) -> None:
    session.flush()
    # Listeners may create more rows (an executed PDF is a document): announce until none is left.
    for _round in range(10):
        noted = session.info.pop(_KEY, [])
        if not noted:
            return
        for model, row_id in noted:
            obj = session.get(model, row_id)
            if obj is None:  # undone by a rolled-back savepoint
                continue
            (contract_created if model is Contract else document_created).send(obj)
        session.flush()


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous) -> None:
    if not previous.nested:  # a savepoint's rows are looked up again before they are announced
        session.info.pop(_KEY, None)
