"""Account security: one-time links (invitations, password resets) and each user's session generation."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.database import UTCDateTime
from tracker.extensions import db
from tracker.models.people import User

LINK_PURPOSES = ("invite", "reset")


class AccountLink(db.Model):
    """A one-time link e-mailed to a person: an invitation to choose a password, or a reset.

    Only the SHA-256 of the token is kept, so the table alone cannot be used to sign in.
    A link is spent once (``used_at``), lapses at ``expires_at`` and is voided when a newer
    link of the same kind replaces it or the account is disabled (``voided_at``).
    """

    __tablename__ = "account_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(8))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    def usable(self, now: datetime) -> bool:
        return self.used_at is None and self.voided_at is None and now < self.expires_at


class SessionGeneration(db.Model):
    """How many times a user's sessions were ended; a session cookie names the generation it was made in.

    No row means generation 0. Disabling an account or changing its password moves the
    generation on, and the sign-in check refuses every cookie of an older one.
    """

    __tablename__ = "session_generations"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, autoincrement=False)
    generation: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SignInFailure(db.Model):
    """One failed sign-in for an account, kept for the lockout window only (tracker.people.sign_in_limits).

    The account is named by the SHA-256 of its normalised e-mail, so failures against
    addresses that have no account are counted the same way without storing what was typed.
    Used when no Redis is configured, so that every worker of the server shares the count.
    """

    __tablename__ = "sign_in_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_key: Mapped[str] = mapped_column(String(64), index=True)
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
