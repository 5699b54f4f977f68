"""Contract templates and the documents generated from them or uploaded by sponsors.

File contents live in the database so that every app server sees the same files
and a backup of the database is a backup of the documents.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from tracker.database import UTCDateTime
from tracker.extensions import db
from tracker.models.people import User
from tracker.models.sites import Site


class ContractTemplate(db.Model):
    """One version of a named .docx template such as ``coordinating_fr``."""

    __tablename__ = "contract_templates"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    fields: Mapped[list] = mapped_column(JSON, default=list)
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # A retired version is no longer offered for new agreements; it stays for those made from it.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A regulated model (SPEC 5): its text outside the fields is locked, and changing it is a deviation.
    regulated: Mapped[bool] = mapped_column(default=False, server_default=sa_false())

    created_by: Mapped[User | None] = relationship()


class TemplateDefault(db.Model):
    """The template an admin chose for one site role and language (else the name decides)."""

    __tablename__ = "template_defaults"
    __table_args__ = (UniqueConstraint("role", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(2))
    name: Mapped[str] = mapped_column(String(64))


class Document(db.Model):
    """A numbered version of a contract's document for one site."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("contract_id", "site_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # generated, revised, redline, executed or signed_evidence
    # The language the text is written in (fr, en): only a version in the contract's language is fixed
    # by default, never a courtesy translation (SPEC 5d).
    language: Mapped[str | None] = mapped_column(String(2))
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    template_id: Mapped[int | None] = mapped_column(ForeignKey("contract_templates.id"))
    # For a redline: the version the site had sent, which it is compared with.
    compared_to_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    # For a revised version: the redline it adopts, or the version it replaces when uploaded.
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", name="fk_documents_based_on_id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Generated with blanks, by explicit choice: marked DRAFT and never the version fixed for signature.
    draft: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # A withdrawn version stays in the database and the audit trail but leaves every list.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # For a redline: the comparison's counts (changed, added, removed, same), built at upload.
    comparison: Mapped[dict | None] = mapped_column(JSON)
    # When the comparison's differences were stored as DocumentChange rows (None: not yet, or unreadable).
    compared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    site: Mapped[Site] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    template: Mapped[ContractTemplate | None] = relationship()

    @property
    def media_type(self) -> str:
        """What a download of this version is: a Word file, or a PDF (executed agreements, signed copies)."""
        if self.filename.lower().endswith(".pdf"):
            return "application/pdf"
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class DocumentChange(db.Model):
    """One difference between a document and the version it is compared with, computed once and kept.

    The positions of the clause in both versions (old_at, new_at) let a later choice of
    "accept these changes" rebuild a text; fragments hold the word-level detail (None when
    the clause is too long, or the comparison's budget was spent: the clause is shown whole).
    """

    __tablename__ = "document_changes"
    __table_args__ = (UniqueConstraint("document_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    position: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(8))  # changed, added or removed
    old_at: Mapped[int | None] = mapped_column(Integer)
    new_at: Mapped[int | None] = mapped_column(Integer)
    old_text: Mapped[str | None] = mapped_column(Text)
    new_text: Mapped[str | None] = mapped_column(Text)
    fragments: Mapped[list | None] = mapped_column(JSON)
