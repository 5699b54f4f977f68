"""The audit chain's hashes, and the walk that verifies them against the key and the anchors.

Each row's hash is an HMAC-SHA256, keyed with TRACKER_AUDIT_KEY, of its content and the
previous row's hash.  Someone who can write to the database but does not hold the key can
neither alter a row and recompute the hashes after it, nor forge new rows; rows deleted from
the end, or all of them, are caught by the anchors (anchors.py), copies of the chain's head
kept outside the database.

Trails written before the chain was keyed hold plain SHA-256 hashes.  They still verify, as
a prefix: the first keyed row seals them (its keyed hash covers the last plain hash), and so
does the first anchor.  After the first keyed row, or past the first anchor, a plain hash is
refused - that is what a forger without the key would have to write.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import timezone
from operator import attrgetter, itemgetter

from sqlalchemy.orm import Session

from tracker.extensions import db
from tracker.models import AuditEntry

GENESIS = "0" * 64


# The hashed columns of a row besides its place in the chain (its id and the previous row's hash).
CONTENT = ("at", "actor_id", "actor_email", "actor_role", "actor_site", "actor_sponsor", "entity", "entity_id",
           "contract_id", "field", "old_value", "new_value", "reason")


content_of = attrgetter(*CONTENT)  # an entry's CONTENT values, in order
values_of = itemgetter(*CONTENT)  # the same from a row's column values
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # json.dumps would build one per call


def content(at, *rest) -> bytes:
    """The middle of a row's hashed body: the values of ``CONTENT``, in that order, as JSON list items."""
    # The column hands times back in UTC whatever zone they were written in;
    # hash that same form, or a row written with a Paris clock would never verify.
    return _JSON.encode([at.astimezone(timezone.utc).isoformat(), *rest])[1:-1].encode()


def _linked(entry_id: int, middle: bytes, prev_hash: str) -> bytes:
    # The bytes json.dumps gives for [id, *content, prev_hash]: an integer and a hex digest need no escaping.
    return b'[%d,%s,"%s"]' % (entry_id, middle, prev_hash.encode())


def _body(entry: AuditEntry) -> bytes:
    return _linked(entry.id, content(*content_of(entry)), entry.prev_hash)


def keyed_digest(entry: AuditEntry, key: str) -> str:
    # hmac.digest is the one-shot C path: the same HMAC-SHA256, without building an HMAC object per row.
    return hmac.digest(key.encode(), _body(entry), "sha256").hex()


def link(contents: list[bytes], first_id: int, prev_hash: str, key: str) -> list[str]:
    """The keyed hashes of the rows ``first_id``, ``first_id + 1``... whose ``content`` is ``contents``,
    chained after ``prev_hash``: what ``keyed_digest`` gives each of them once stored."""
    secret = key.encode()
    hashes = []
    for entry_id, middle in enumerate(contents, first_id):
        prev_hash = hmac.digest(secret, _linked(entry_id, middle, prev_hash), "sha256").hex()
        hashes.append(prev_hash)
    return hashes


def plain_digest(entry: AuditEntry) -> str:
    """The hash of trails written before the chain was keyed."""
    return hashlib.sha256(_body(entry)).hexdigest()


@dataclass(frozen=True)
class Finding:
    """What verify found wrong: a sentence naming it, and the entry it concerns if there is one."""

    message: str
    entry: AuditEntry | None = None

    @property
    def id(self) -> int | None:
        return self.entry.id if self.entry is not None else None


def _described(row: AuditEntry) -> str:
    return (f"Audit trail broken at entry {row.id} ({row.entity} {row.entity_id}, field {row.field}, "
            f"recorded {row.at.isoformat()})")


class _Walk:
    """State of one pass over the chain in id order."""

    def __init__(self, key: str, anchored: dict[int, list], plain_until: int | None) -> None:
        self.key = key
        self.anchored = anchored  # seq -> the anchors that record it
        self.plain_until = plain_until  # no plain hash past the first anchor
        self.prev_hash = GENESIS
        self.expected_id: int | None = None
        self.keyed_seen = False
        self.plain_count = 0
        self.count = 0
        self.last_id = 0
        self.hashes: dict[int, str] = {}  # anchored seq -> hash found

    def check(self, row: AuditEntry) -> Finding | None:
        if self.expected_id is not None and row.id != self.expected_id:
            return Finding(f"{_described(row)}: entries {self.expected_id} to {row.id - 1} are missing.", row)
        if row.prev_hash != self.prev_hash:
            return Finding(f"{_described(row)}: it does not link to the entry before it.", row)
        if row.hash != keyed_digest(row, self.key):
            plain_allowed = not self.keyed_seen and (self.plain_until is None or row.id <= self.plain_until)
            if not (plain_allowed and row.hash == plain_digest(row)):
                return Finding(f"{_described(row)}: its content or hash was altered.", row)
            self.plain_count += 1
        else:
            self.keyed_seen = True
        if row.id in self.anchored:
            self.hashes[row.id] = row.hash
        self.prev_hash, self.expected_id, self.last_id = row.hash, row.id + 1, row.id
        self.count += 1
        return None


def walk(session: Session, key: str, anchors: list, batch: int = 5000) -> tuple[Finding | None, _Walk]:
    """Check every row's link and keyed hash, then every anchor against the rows it records."""
    anchored: dict[int, list] = {}
    for anchor in anchors:
        anchored.setdefault(anchor.seq, []).append(anchor)
    state = _Walk(key, anchored, min((a.seq for a in anchors), default=None))
    while True:
        rows = session.execute(
            db.select(AuditEntry).where(AuditEntry.id > state.last_id).order_by(AuditEntry.id).limit(batch)
        ).scalars().all()
        if not rows:
            break
        for row in rows:
            finding = state.check(row)
            if finding is not None:
                return finding, state
            session.expunge(row)  # keep memory flat over a long trail, leave the caller's objects alone
    return _against_anchors(state, anchors), state


def _against_anchors(state: _Walk, anchors: list) -> Finding | None:
    for anchor in sorted(anchors, key=lambda a: a.seq):
        if anchor.seq == 0:
            continue  # anchored while the trail was empty
        if anchor.seq > state.last_id:
            first = state.last_id + 1
            return Finding(f"Audit trail broken: entries {first} to {anchor.seq} are missing "
                           f"(deleted from the end: the anchor of {anchor.at} records entry {anchor.seq}).")
        if state.hashes.get(anchor.seq) != anchor.hash:
            return Finding(f"Audit trail broken at entry {anchor.seq}: its hash differs from the anchor of "
                           f"{anchor.at} (the entry or the ones before it were rewritten).")
    return None
