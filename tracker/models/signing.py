"""Online signing (SPEC 5c): the version fixed for signature, the signatories, their links and codes,
the evidence of each signature, and the executed agreements.

Tokens and codes are kept only as hashes, so these tables alone cannot be used to sign.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from tracker.database import UTCDateTime
from tracker.extensions import db
from tracker.models.contracts import Track
from tracker.models.documents import Document
from tracker.models.people import User


class FixedVersion(db.Model):
    """The version of a site's agreement that its parties sign, fixed by ``agree`` or ``conformity_ok``.

    It is never edited: a reopen ends it (``ended_at``) and the next agreement fixes another.
    ``sha256`` is the document's hash when it was fixed; a document that no longer has it is refused.
    """

    __tablename__ = "fixed_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("tracks.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    sha256: Mapped[str] = mapped_column(String(64))
    fixed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    track: Mapped[Track] = relationship()
    document: Mapped[Document] = relationship()


class Signatory(db.Model):
    """The person named to sign for one party of a site's agreement; replaced ones keep ``ended_at``."""

    __tablename__ = "signatories"

    id: Mapped[int] = mapped_column(primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("tracks.id"), index=True)
    party: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    capacity: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(2), default="fr")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    named_at: Mapped[datetime] = mapped_column(UTCDateTime())
    named_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    track: Mapped[Track] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])


class SigningLink(db.Model):
    """A one-time link e-mailed to a signatory: ``sign`` opens the signing page once; ``copy`` fetches the
    executed agreement afterwards. Only the token's SHA-256 is kept."""

    __tablename__ = "signing_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    signatory_id: Mapped[int] = mapped_column(ForeignKey("signatories.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(8), default="sign")
    fixed_version_id: Mapped[int | None] = mapped_column(ForeignKey("fixed_versions.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decline_reason: Mapped[str | None] = mapped_column(Text)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    signatory: Mapped[Signatory] = relationship()
    fixed_version: Mapped[FixedVersion | None] = relationship()


class SigningCode(db.Model):
    """A one-time code e-mailed to confirm a signature, with the name typed and the consent it confirms."""

    __tablename__ = "signing_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("signing_links.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    typed_name: Mapped[str] = mapped_column(String(200))
    consent_text: Mapped[str | None] = mapped_column(Text)
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    link: Mapped[SigningLink] = relationship()


class Signature(db.Model):
    """The evidence of one party's signature: ``online`` through a link, or ``recorded`` by someone who saw
    it made elsewhere (optionally with the signed PDF). A reopen voids it."""

    __tablename__ = "signatures"

    id: Mapped[int] = mapped_column(primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("tracks.id"), index=True)
    party: Mapped[str] = mapped_column(String(16))
    method: Mapped[str] = mapped_column(String(16))
    signatory_id: Mapped[int | None] = mapped_column(ForeignKey("signatories.id"))
    typed_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    capacity: Mapped[str | None] = mapped_column(String(200))
    consent_text: Mapped[str | None] = mapped_column(Text)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    document_version: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(500))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    evidence_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])
    evidence: Mapped[Document | None] = relationship(foreign_keys=[evidence_document_id])


class ExecutedAgreement(db.Model):
    """A track's executed agreement: the fixed version as PDF followed by the signature certificate.

    The PDF itself is a document version of kind ``executed``; its SHA-256 here is what the
    verification page looks up.
    """

    __tablename__ = "executed_agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("tracks.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    fixed_version_id: Mapped[int] = mapped_column(ForeignKey("fixed_versions.id"))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    track: Mapped[Track] = relationship()
    document: Mapped[Document] = relationship()
    fixed_version: Mapped[FixedVersion] = relationship()


class DocumentPdf(db.Model):
    """A document version converted to PDF by LibreOffice, kept so that it is converted once."""

    __tablename__ = "document_pdfs"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), primary_key=True, autoincrement=False)
    source_sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
