"""PDF work for signing: a version converted once by LibreOffice, and the checks on an uploaded PDF.

The conversion (``tracker.documents.preview.to_pdf``, LibreOffice headless) takes seconds, so each
document version's PDF is kept in the database, and in a small per-process memory keyed by the
source's SHA-256. An uploaded PDF (a signature made elsewhere, or one to verify) is refused
before anything is stored when it is too large, is not a PDF, or cannot be read.
"""
from __future__ import annotations

import hashlib
import io
import logging
from datetime import datetime

from flask_babel import lazy_gettext as _l

from tracker.documents.preview import to_pdf, to_pdfs
from tracker.errors import DocumentProblems, DomainError
from tracker.extensions import db
from tracker.models import Document
from tracker.models.signing import DocumentPdf
from tracker.recent import Recent

MAX_UPLOAD = 15 * 1024 * 1024
MAX_PAGES = 2000
_MEMORY_MAX = 8
_MEMORY = Recent(_MEMORY_MAX)  # PDF by source SHA-256, the most recently used
log = logging.getLogger(__name__)


def document_pdf(document: Document, *, now: datetime) -> bytes:
    """The version as PDF: kept from an earlier conversion, else converted now and kept (PreviewUnavailable
    when LibreOffice cannot do it)."""
    if document.filename.lower().endswith(".pdf"):
        return document.content
    kept = db.session.get(DocumentPdf, document.id)
    if kept is not None and kept.source_sha256 == document.sha256:
        return kept.content
    data = _MEMORY.get(document.sha256)
    if data is None:
        data = to_pdf(document.content)
        _MEMORY.put(document.sha256, data)
    _keep(document, kept, data, now)
    db.session.flush()
    return data


def _keep(document: Document, kept: DocumentPdf | None, data: bytes, now: datetime) -> None:
    if kept is None:
        db.session.add(DocumentPdf(document_id=document.id, source_sha256=document.sha256, content=data,
                                   created_at=now))
    else:
        kept.source_sha256, kept.content, kept.created_at = document.sha256, data, now


def convert_ahead(documents: list[Document], *, now: datetime) -> None:
    """Convert, in one LibreOffice run, the versions among these that have no PDF kept yet, and keep
    theirs: for work that is about to fix many versions at once. Those LibreOffice could not convert
    are left for ``document_pdf`` to try again, one by one, when they are needed."""
    wanted = []
    for document in documents:
        kept = db.session.get(DocumentPdf, document.id)
        if not document.filename.lower().endswith(".pdf") and (kept is None or kept.source_sha256 != document.sha256):
            wanted.append((document, kept))
    if not wanted:
        return
    try:
        converted = to_pdfs([document.content for document, _kept in wanted])
    except DomainError as exc:
        log.warning("PDFs of %d documents unavailable: %s", len(wanted), exc.message)
        return
    for (document, kept), data in zip(wanted, converted):
        if data is not None:
            _keep(document, kept, data, now)
    db.session.flush()


def pdf_sha256(document: Document, *, now: datetime) -> str | None:
    """The SHA-256 of the version's PDF, the one the signing page shows; None when LibreOffice cannot make it."""
    try:
        with db.session.begin_nested():
            return hashlib.sha256(document_pdf(document, now=now)).hexdigest()
    except DomainError as exc:
        log.warning("PDF of document %s unavailable: %s", document.id, exc.message)
        return None


def kept_sha256(document: Document) -> str | None:
    """The SHA-256 of the PDF already kept for this version (no conversion), else None."""
    kept = db.session.get(DocumentPdf, document.id)
    if kept is None or kept.source_sha256 != document.sha256:
        return None
    return hashlib.sha256(kept.content).hexdigest()


def check_upload(data: bytes) -> int:
    """Refuse what is not a readable PDF of reasonable size; return its page count."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if not data:
        raise DocumentProblems([str(_l("The file is empty."))])
    if len(data) > MAX_UPLOAD:
        raise DocumentProblems([str(_l("The file is larger than %(n)d MB.", n=MAX_UPLOAD // (1024 * 1024)))])
    if not data.lstrip()[:5] == b"%PDF-":
        raise DocumentProblems([str(_l("The file is not a PDF."))])
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise DocumentProblems([str(_l("The PDF is encrypted; send it without a password."))])
        pages = len(reader.pages)
    except DocumentProblems:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError, OSError) as exc:
        log.info("unreadable PDF refused: %s", exc)
        raise DocumentProblems([str(_l("The PDF cannot be read."))]) from None
    if not 0 < pages <= MAX_PAGES:
        raise DocumentProblems([str(_l("The PDF has no page, or more than %(n)d.", n=MAX_PAGES))])
    return pages
