"""Comparisons kept: a redline's (or revised version's) differences with the version it answers, computed once
when it is stored.

A comparison costs work proportional to the documents (bounded in tracker.documents.engine.compare);
computing it on every view would let anyone who can open the page spend that work again and
again. So the differences are stored as DocumentChange rows when the redline arrives, and the
pages read one page of rows. A redline stored before comparisons were kept gets its rows the
first time someone opens its comparison.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tracker.documents.engine.checks import DocumentRejected
from tracker.documents.engine.compare import Comparison, clauses_of, compare_clauses
from tracker.documents.wording import words
from tracker.extensions import db
from tracker.models import Document, DocumentChange

PER_PAGE = 100


class ComparisonUnavailable(Exception):
    """One of the two versions cannot be read: the comparison is shown as unavailable, never as an error."""


def compare_with(base: Document, received: list[str]) -> Comparison | None:
    """The comparison of received clauses with a stored version; None when that version cannot be read
    (stored before uploads were checked)."""
    try:
        return compare_clauses(clauses_of(base.content), received)
    except DocumentRejected:
        return None


def keep(document: Document, result: Comparison | None, *, now: datetime) -> None:
    """Store a comparison's counts on the document and its differences as rows."""
    if result is None:
        document.comparison = None
        return
    document.comparison = result.counts
    document.compared_at = now
    db.session.flush()
    rows = [{"document_id": document.id, "position": position, "status": clause.status,
             "old_at": clause.old_at, "new_at": clause.new_at, "old_text": clause.old, "new_text": clause.new,
             "fragments": [list(part) for part in fragments] if fragments is not None else None}
            for position, (clause, fragments) in enumerate(result.detailed())]
    if rows:
        db.session.execute(db.insert(DocumentChange), rows)


@dataclass(frozen=True)
class ChangesPage:
    """One page of a stored comparison, for the comparison pages."""

    counts: dict
    changes: list[DocumentChange]
    page: int
    pages: int


def compared(document: Document) -> bool:
    """Whether the document has a comparison to show (a redline linked to the version it answers, or a revised
    version linked to the one it replaced or the one its adopted redline answered)."""
    return document.kind in ("redline", "revised") and document.compared_to_id is not None


def needs_keeping(document: Document) -> bool:
    """A redline kept before comparisons were stored: keep_late must run (in a write transaction) first."""
    return compared(document) and document.compared_at is None


def changes_page(document: Document, page: int) -> ChangesPage | None:
    """Page ``page`` of a redline's stored differences; None when it has nothing to be compared with."""
    if not compared(document) or document.compared_at is None:
        return None
    counts = document.comparison
    total = counts["changed"] + counts["added"] + counts["removed"]
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    page = min(max(page, 1), pages)
    changes = db.session.execute(
        db.select(DocumentChange).where(DocumentChange.document_id == document.id)
        .order_by(DocumentChange.position).offset((page - 1) * PER_PAGE).limit(PER_PAGE)).scalars().all()
    return ChangesPage(counts, list(changes), page, pages)


def keep_late(document_id: int, *, now: datetime) -> None:
    """Compare a redline kept before comparisons were stored, once, and keep the result.

    Raises ComparisonUnavailable when one of the two versions cannot be read.
    """
    document = db.session.get(Document, document_id, with_for_update=True)
    if document.compared_at is not None:
        return  # another request kept it meanwhile
    sent = db.session.get(Document, document.compared_to_id)
    try:
        result = compare_clauses(clauses_of(sent.content), clauses_of(document.content))
    except DocumentRejected as exc:
        raise ComparisonUnavailable(words(exc.problems)) from None
    keep(document, result, now=now)
