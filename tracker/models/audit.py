"""The audit trail: append-only rows chained by SHA-256."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.database import UTCDateTime
from tracker.extensions import db


class AuditEntry(db.Model):
    """Who changed which field of what, when, from what to what.

    Each row's hash covers its content and the previous row's hash, so editing
    or deleting a row in the database breaks the chain from that row on.
    The application only ever inserts here.
    """

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[int | None] = mapped_column()
    actor_email: Mapped[str | None] = mapped_column(String(254))
    actor_role: Mapped[str | None] = mapped_column(String(16))
    actor_site: Mapped[str | None] = mapped_column(String(16))
    actor_sponsor: Mapped[str | None] = mapped_column(String(200))
    entity: Mapped[str] = mapped_column(String(32), index=True)
    entity_id: Mapped[str] = mapped_column(String(40), index=True)
    contract_id: Mapped[int | None] = mapped_column(index=True)
    field: Mapped[str] = mapped_column(String(64))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
