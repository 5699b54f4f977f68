"""Writing and verifying the hash-chained audit trail.

Every operation that changes contracts, tracks, documents, users or policy calls
``record`` inside its own transaction, so the change and its audit rows commit or
roll back together.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Iterable

from sqlalchemy import text
from sqlalchemy.orm import Session

from tracker.extensions import db
from tracker.models import AuditEntry

GENESIS = "0" * 64
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
    if value is None:
        return None
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return str(value)


def _digest(entry: AuditEntry) -> str:
    body = json.dumps(
        [
            entry.id,
            # The column hands times back in UTC whatever zone they were written in;
            # hash that same form, or a row written with a Paris clock would never verify.
            entry.at.astimezone(timezone.utc).isoformat(),
            entry.actor_id,
            entry.actor_email,
            entry.actor_role,
            entry.actor_site,
            entry.actor_sponsor,
            entry.entity,
            entry.entity_id,
            entry.contract_id,
            entry.field,
            entry.old_value,
            entry.new_value,
            entry.reason,
            entry.prev_hash,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode()).hexdigest()


def _lock_chain(session: Session) -> None:
    # SQLite transactions are already serialised by BEGIN IMMEDIATE; PostgreSQL
    # needs an explicit lock so two appends cannot both link to the same tail.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK})


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
    for field, (old, new) in changes.items():
        entry = AuditEntry(
            id=next_id,
            at=now,
            actor_id=actor.user_id,
            actor_email=actor.email,
            actor_role=actor.role,
            actor_site=actor.site_code,
            actor_sponsor=actor.sponsor_name,
            entity=entity,
            entity_id=str(entity_id),
            contract_id=contract_id,
            field=field,
            old_value=_text(old),
            new_value=_text(new),
            reason=reason,
            prev_hash=prev_hash,
        )
        entry.hash = _digest(entry)
        session.add(entry)
        rows.append(entry)
        prev_hash = entry.hash
        next_id += 1
    session.flush()
    return rows


def diff(obj: Any, fields: Iterable[str], new_values: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The (old, new) pairs of the fields that a change really alters."""
    return {
        f: (getattr(obj, f), new_values[f])
        for f in fields
        if f in new_values and getattr(obj, f) != new_values[f]
    }


def verify(session: Session, batch: int = 5000) -> AuditEntry | None:
    """Walk the chain in id order; return the first row that does not check out."""
    prev_hash = GENESIS
    expected_id = None
    last_id = 0
    while True:
        rows = session.execute(
            db.select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch)
        ).scalars().all()
        if not rows:
            return None
        for row in rows:
            if expected_id is not None and row.id != expected_id:
                return row  # a row before this one was deleted
            if row.prev_hash != prev_hash or row.hash != _digest(row):
                return row
            prev_hash = row.hash
            expected_id = row.id + 1
            last_id = row.id
            session.expunge(row)  # keep memory flat over a long trail, leave the caller's objects alone
