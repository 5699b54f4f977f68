"""Writing alert rows to the outbox so that a key already there is skipped, not an error.

``OutboxMessage.key`` is unique: that index, not the caller's care, is what makes
an alert go out at most once when several sweeps run at the same moment. Rows are
added in the caller's transaction.
"""
from __future__ import annotations

from datetime import datetime
from typing import Iterable

from sqlalchemy.exc import IntegrityError

from tracker.extensions import db
from tracker.models import OutboxMessage
from tracker.notices.choices import apply as apply_choices

CHUNK = 200


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def outbox_row(*, key: str, kind: str, person, subject_text_html: tuple[str, str, str], language: str,
               now: datetime, not_before: datetime, site_id: int | None = None, contract_id: int | None = None,
               track_id: int | None = None, visit: int | None = None, payload: dict | None = None,
               attachment_document_id: int | None = None) -> dict:
    """One outbox row, ready for ``insert_new``; ``site_id`` is the site whose working hours it waits for.

    With ``payload`` the bodies are left empty: the sender renders them from it (``mails.bodies_of``).
    """
    subject, text, html = subject_text_html
    return {
        "key": key, "kind": kind, "contract_id": contract_id, "track_id": track_id, "visit": visit,
        "site_id": site_id, "recipient_id": person.id, "to_address": person.email, "language": language,
        "subject": subject, "body_text": text, "body_html": html, "payload": payload, "status": "queued",
        "attempts": 0, "created_at": now, "not_before": not_before, "claimed_at": None, "sent_at": None,
        "last_error": None, "attachment_document_id": attachment_document_id,
    }


def existing_keys(keys: Iterable[str]) -> set[str]:
    """The keys among these that the outbox already holds (looked up through the unique index)."""
    keys = sorted(set(keys))
    found: set[str] = set()
    for chunk in _chunks(keys, 500):
        found.update(db.session.execute(
            db.select(OutboxMessage.key).where(OutboxMessage.key.in_(chunk))).scalars())
    return found


def insert_new(rows: list[dict]) -> int:
    """Insert outbox rows, silently skipping keys that exist; return how many were added.

    Callers pass rows in a stable order (track, then key), so two sweeps racing
    over the same keys take the index entries in the same order and cannot
    deadlock on PostgreSQL: the second one waits, then skips.
    """
    rows = apply_choices(rows)  # a notification kind follows each person's choice: at once, digest or off
    if not rows:
        return 0
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        return _insert_one_by_one(rows)
    # One statement for every chunk: its parameters vary, not its text, so it is compiled once
    # (SQLAlchemy batches the rows into multi-row INSERTs itself); RETURNING lists the rows
    # really inserted, not those an existing key skipped.
    stmt = (insert(OutboxMessage.__table__).on_conflict_do_nothing(index_elements=["key"])
            .returning(OutboxMessage.__table__.c.key))
    return sum(len(db.session.execute(stmt, chunk).all()) for chunk in _chunks(rows))


def _insert_one_by_one(rows: list[dict]) -> int:
    """Other databases: pre-filter, then a savepoint per row so a lost race skips that row only."""
    present = existing_keys(row["key"] for row in rows)
    added = 0
    for row in rows:
        if row["key"] in present:
            continue
        try:
            with db.session.begin_nested():
                db.session.execute(db.insert(OutboxMessage).values(**row))
            added += 1
        except IntegrityError:
            pass
    return added
