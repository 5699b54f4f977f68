"""Writing, anchoring and verifying the keyed hash chain of the audit trail.

Every operation that changes contracts, tracks, documents, users or policy calls
``record`` inside its own transaction, so the change and its audit rows commit or
roll back together.  The hashes are keyed with TRACKER_AUDIT_KEY (chain.py) and the
chain's head is copied outside the database by ``anchor`` (anchors.py).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Iterable

from flask import current_app
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from tracker.audit.anchors import Anchor, AnchorLogError, append_anchor, log_path, read_anchors
from tracker.audit import chain
from tracker.audit.chain import GENESIS, Finding, keyed_digest, walk
from tracker.extensions import db
from tracker.models import AuditEntry
# Any constant works; it names the PostgreSQL advisory lock that serialises appends.
_CHAIN_LOCK = 7_734_001


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in person, a token holder, or the system itself."""

    user_id: int | None
    email: str | None
    role: str | None
    site_code: str | None = None
    sponsor_name: str | None = None
    sponsor_id: int | None = None
    site_id: int | None = None

    @classmethod
    def of(cls, user) -> "Actor":
        return cls(
            user_id=user.id,
            email=user.email,
            role=user.role,
            site_code=user.site.code if user.site else None,
            sponsor_name=user.sponsor.name if user.sponsor else None,
            sponsor_id=user.sponsor_id,
            site_id=user.site_id,
        )


SYSTEM = Actor(user_id=None, email=None, role="system")


def _text(value: Any) -> str | None:
    if value is None or type(value) is str:
        return value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return str(value)


def _key() -> str:
    return current_app.config["AUDIT_KEY"]


def _digest(entry: AuditEntry) -> str:
    """The row's keyed hash, with the application's key."""
    return keyed_digest(entry, _key())


def lock_chain(connection: Connection) -> None:
    """Hold the chain's tail for this transaction (a bulk loader appending many rows takes it once per chunk)."""
    # SQLite transactions are already serialised by BEGIN IMMEDIATE; PostgreSQL
    # needs an explicit lock so two appends cannot both link to the same tail.
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK})


def _lock_chain(session: Session) -> None:
    lock_chain(session.connection())


def record(
    actor: Actor,
    entity: str,
    entity_id: Any,
    changes: dict[str, tuple[Any, Any]],
    *,
    now: datetime,
    contract_id: int | None = None,
    reason: str | None = None,
) -> list[AuditEntry]:
    """Append one audit row per changed field, linked to the previous row."""
    session = db.session
    _lock_chain(session)
    session.flush()
    tail = session.execute(
        db.select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    prev_hash = tail.hash if tail else GENESIS
    next_id = (tail.id if tail else 0) + 1
    rows = []
    for values in entries(actor, entity, entity_id, changes, at=now, contract_id=contract_id, reason=reason,
                          next_id=next_id, prev_hash=prev_hash, key=_key()):
        entry = AuditEntry(**values)
        session.add(entry)
        rows.append(entry)
    session.flush()
    return rows


def entries(actor: Actor, entity: str, entity_id: Any, changes: dict[str, tuple[Any, Any]], *, at: datetime,
            contract_id: int | None, reason: str | None, next_id: int, prev_hash: str, key: str) -> list[dict]:
    """The chained rows (as column values) for one change, continuing the chain after ``prev_hash``."""
    return link(unlinked(actor, entity, entity_id, changes, at=at, contract_id=contract_id, reason=reason),
                next_id=next_id, prev_hash=prev_hash, key=key)


def unlinked(actor: Actor, entity: str, entity_id: Any, changes: dict[str, tuple[Any, Any]], *, at: datetime,
             contract_id: int | None, reason: str | None) -> list[dict]:
    """One row per changed field, without its place in the chain (id, previous hash, hash): see ``link``."""
    common = {"at": at, "actor_id": actor.user_id, "actor_email": actor.email, "actor_role": actor.role,
              "actor_site": actor.site_code, "actor_sponsor": actor.sponsor_name, "entity": entity,
              "entity_id": str(entity_id), "contract_id": contract_id}
    return [{**common, "field": field, "old_value": _text(old), "new_value": _text(new), "reason": reason}
            for field, (old, new) in changes.items()]


def link(rows: list[dict], *, next_id: int, prev_hash: str, key: str) -> list[dict]:
    """Give ``unlinked`` rows their ids from ``next_id`` on and their keyed hashes after ``prev_hash``.

    ``record`` links each change's rows as it writes them; the bulk demo loader links a whole
    chunk's rows at once, before inserting them.
    """
    hashes = chain.link([chain.content(*chain.values_of(row)) for row in rows], next_id,
                        prev_hash, key)
    for entry_id, (row, digest) in enumerate(zip(rows, hashes), next_id):
        row["id"], row["prev_hash"], row["hash"] = entry_id, prev_hash, digest
        prev_hash = digest
    return rows


def diff(obj: Any, fields: Iterable[str], new_values: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The (old, new) pairs of the fields that a change really alters."""
    return {
        f: (getattr(obj, f), new_values[f])
        for f in fields
        if f in new_values and getattr(obj, f) != new_values[f]
    }


def head(session: Session | Connection | None = None) -> tuple[int, str]:
    """The chain's last entry as (sequence number, hash); (0, GENESIS) for an empty trail."""
    session = session or db.session
    tail = session.execute(db.select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)).first()
    return (tail.id, tail.hash) if tail else (0, GENESIS)


def anchor_directory() -> str:
    return current_app.config["AUDIT_ANCHOR_DIR"]


def anchor(now: datetime, session: Session | None = None) -> Anchor | None:
    """Append the chain's head to the anchor log; None when the last anchor already records it.

    Raises AnchorLogError when the head does not continue the last anchor (rows deleted or
    rewritten since) or the log itself was altered.
    """
    seq, digest = head(session)
    return append_anchor(anchor_directory(), _key(), seq, digest, now)


@dataclass(frozen=True)
class Verification:
    entries: int
    plain: int  # entries from before the chain was keyed
    anchors: list[Anchor]


def verify(session: Session, batch: int = 5000) -> Finding | None:
    """Walk the chain in id order, then check the anchors; the first thing that does not check out, or None."""
    finding, _summary = verify_all(session, batch)
    return finding


def verify_all(session: Session, batch: int = 5000, *,
               require_log: bool = False) -> tuple[Finding | None, Verification | None]:
    """verify(), with a summary; `require_log`: a trail with entries and no anchor log at all is a finding
    (the log was deleted - or nothing was ever anchored, which the scheduler does every few minutes)."""
    try:
        anchors = read_anchors(anchor_directory(), _key())
    except AnchorLogError as exc:
        return Finding(str(exc)), None
    finding, state = walk(session, _key(), anchors, batch)
    path = log_path(anchor_directory())
    if finding is None and require_log and state.count and not path.exists():
        finding = Finding(f"Anchor log missing: {path} does not exist, yet the trail holds {state.count} entries "
                          f"(the log was deleted, or the trail was never anchored: on a new installation, run "
                          f"`audit anchor` once)")
    return finding, Verification(state.count, state.plain_count, anchors)
