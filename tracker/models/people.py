"""People and programs: sponsors, users with roles, and API tokens."""
from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.database import UTCDateTime
from tracker.extensions import db
from tracker.models.sites import Site

ROLES = ("admin", "manager", "legal", "sponsor")
STAFF_ROLES = ("admin", "manager", "legal")


class Sponsor(db.Model):
    """A sponsor company, with the legal identity that fills its agreements (SPEC 5)."""

    __tablename__ = "sponsors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    country: Mapped[str | None] = mapped_column(String(2))
    legal_name: Mapped[str | None] = mapped_column(String(300))
    legal_form: Mapped[str | None] = mapped_column(String(100))
    address: Mapped[str | None] = mapped_column(String(500))
    # France: the SIREN (9 digits) or SIRET (14 digits), digits only; elsewhere as the register writes it.
    registration_number: Mapped[str | None] = mapped_column(String(64))
    vat_number: Mapped[str | None] = mapped_column(String(20))
    # As the agreements print them: "1 000 000 €", and the city of the RCS (trade register) it is entered at.
    share_capital: Mapped[str | None] = mapped_column(String(100))
    rcs_city: Mapped[str | None] = mapped_column(String(100))
    representative: Mapped[str | None] = mapped_column(String(200))
    representative_title: Mapped[str | None] = mapped_column(String(200))
    # The language its agreements are written in (fr or en); unset: French for a French sponsor.
    language: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    contacts: Mapped[list[SponsorContact]] = relationship(
        back_populates="sponsor", order_by="SponsorContact.id", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Sponsor {self.name}>"


class SponsorContact(db.Model):
    """A person to write to at a sponsor company (not a user: contacts do not sign in)."""

    __tablename__ = "sponsor_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    sponsor_id: Mapped[int] = mapped_column(ForeignKey("sponsors.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    role: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(40))

    sponsor: Mapped[Sponsor] = relationship(back_populates="contacts")


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    sponsor_id: Mapped[int | None] = mapped_column(ForeignKey("sponsors.id"))
    password_hash: Mapped[str] = mapped_column(String(256))
    language: Mapped[str | None] = mapped_column(String(5))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # When the person last signed in through the sign-in page or a one-time link (not API use).
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Per notification kind, what the person chose: "now", "digest" or "off" (tracker.notices.kinds);
    # a kind missing here takes its default.
    notification_choices: Mapped[dict | None] = mapped_column(JSON)

    site: Mapped[Site | None] = relationship()
    sponsor: Mapped[Sponsor | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login reads this
        return self.active

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class ApiToken(db.Model):
    """A program's credential; only its SHA-256 is kept, the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    name: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # None: valid until revoked

    user: Mapped[User] = relationship()

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now
