"""Messages between a sponsor and a site about one contract."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.database import UTCDateTime
from tracker.extensions import db
from tracker.models.contracts import Contract
from tracker.models.people import User
from tracker.models.sites import Site

MESSAGE_SIDES = ("sponsor", "site")


class Message(db.Model):
    """What one side wrote to the other; both sides see it in the contract's timeline.

    ``site_id`` is the site the conversation is with: the one a sponsor user wrote to,
    or the site of the staff member who wrote.
    """

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    side: Mapped[str] = mapped_column(String(8))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    contract: Mapped[Contract] = relationship()
    site: Mapped[Site] = relationship()
    author: Mapped[User | None] = relationship()
