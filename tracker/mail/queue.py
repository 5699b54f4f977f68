"""Writing to the outbox: the one place where mails are queued, and where a spent link's mail is forgotten.

``OutboxMessage.key`` is unique: that index, not the caller's care, is what makes
a mail go out at most once when several sweeps run at the same moment; a key already
there is skipped, not an error. Rows are added in the caller's transaction, and each
person's notification choices (``tracker.notices.choices``) apply as they are.

Mails to people (invitations, messages, signing links) answer something a person just
did, so they are not held to a site's working hours (``site_id`` stays empty): the
next run of the sender delivers them.
"""
from __future__ import annotations

from datetime import datetime
from typing import Callable, Iterable

from sqlalchemy.exc import IntegrityError

from tracker.extensions import db
from tracker.mail import hooks
from tracker.many_rows import insert_skipping_existing, one_of
from tracker.mail.render import language_of, render, rendering
from tracker.models import Contract, OutboxMessage

CHUNK = 200

# The kinds of mails to people written by ``queue``; they are not deadline alerts.
PERSONAL_KINDS = ("invitation", "password_reset", "message", "sponsor_file", "sponsor_replied", "redline_received",
                  "conformity_started", "signature_recorded", "notice_digest", "webhook_failed")
# What a forgotten mail keeps of its bodies: nothing that would still open the link or give the code.
FORGOTTEN = "—"


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def outbox_row(*, key: str, kind: str, person, subject_text_html: tuple[str, str, str], language: str,
               now: datetime, not_before: datetime, site_id: int | None = None, contract_id: int | None = None,
               track_id: int | None = None, visit: int | None = None, payload: dict | None = None,
               attachment_document_id: int | None = None) -> dict:
    """One outbox row, ready for ``insert_new``; ``site_id`` is the site whose working hours it waits for.

    With ``payload`` the bodies are left empty: the sender renders them from it (``alerts.mails.bodies_of``).
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
    for chunk in _chunks(keys, 1000):
        found.update(db.session.execute(
            db.select(OutboxMessage.key).where(one_of(OutboxMessage.key, chunk))).scalars())
    return found


def insert_new(rows: list[dict]) -> int:
    """Insert outbox rows, silently skipping keys that exist; return how many were added.

    Callers pass rows in a stable order (track, then key), so two sweeps racing
    over the same keys take the index entries in the same order and cannot
    deadlock on PostgreSQL: the second one waits, then skips.
    """
    rows = hooks.choices(rows)  # a notification kind follows each person's choice: at once, digest or off
    if not rows:
        return 0
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":  # each chunk as column arrays (tracker.many_rows); RETURNING as below
        return sum(len(insert_skipping_existing(OutboxMessage.__table__, chunk, "key"))
                   for chunk in _chunks(rows, 1000))
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        return _insert_one_by_one(rows)
    # SQLite: one statement for every chunk: its parameters vary, not its text, so it is compiled once
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


def queue(kind: str, key: str, recipients: list, template: str, values: dict,
          subject: Callable[[dict], str], *, now: datetime, fallback: str = "fr", contract_id: int | None = None,
          track_id: int | None = None, attachment_document_id: int | None = None, own_key: bool = False) -> int:
    """Render ``emails/<template>`` for each recipient in their language and queue it now; return how many.

    The outbox key is ``key`` + the recipient's id, or ``key`` itself with ``own_key`` (one recipient, who
    may have no account). A document to attach goes by id: the sender reads it when it sends.
    """
    rows = []
    with rendering():
        for person in recipients:
            language = language_of(person.language, fallback)
            rendered = render(template, language, {**values, "name": person.name}, subject)
            rows.append(outbox_row(key=key if own_key else f"{key}:{person.id}", kind=kind, person=person,
                                   subject_text_html=rendered, language=language, now=now, not_before=now,
                                   site_id=None, contract_id=contract_id, track_id=track_id,
                                   attachment_document_id=attachment_document_id))
    return insert_new(rows)


def forget(*, key: str | None = None, recipient_id: int | None = None, kind: str | None = None) -> None:
    """A spent or replaced link's mail leaves the outbox: an unsent one is dropped (superseded) and a sent one
    loses its text, so the database keeps no usable copy of the link or code. One being sent is left alone.

    The mail is named by its ``key``, or as every mail of a ``kind`` to a ``recipient_id``.
    """
    if key is None and (recipient_id is None or kind is None):
        raise ValueError("forget needs a key, or a recipient and a kind")
    stmt = db.select(OutboxMessage)
    if key is not None:
        stmt = stmt.where(OutboxMessage.key == key)
    else:
        stmt = stmt.where(OutboxMessage.recipient_id == recipient_id, OutboxMessage.kind == kind)
    for row in db.session.execute(stmt).scalars():
        if row.status == "sending":
            continue
        if row.status in ("queued", "failed"):
            row.status = "superseded"
        row.body_text = row.body_html = FORGOTTEN


def held(now: datetime) -> list:
    """The notifications held for a digest and queued by ``now``, with their contract's reference and status,
    by recipient."""
    return db.session.execute(
        db.select(OutboxMessage, Contract.reference, Contract.status)
        .outerjoin(Contract, Contract.id == OutboxMessage.contract_id)
        .where(OutboxMessage.status == "held", OutboxMessage.created_at <= now)
        .order_by(OutboxMessage.recipient_id, OutboxMessage.id)).all()


def settle_held(rows: list, status: str) -> None:
    """Held notifications now gathered into a digest (``digested``) or no longer true (``superseded``)."""
    if status not in ("digested", "superseded"):
        raise ValueError(status)
    for row in rows:
        row.status = status
