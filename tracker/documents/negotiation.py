"""The negotiated text as versions of their own (SPEC 5d): a site's revised upload, an adopted redline,
and the changes of either as a Word file with tracked changes.

A ``revised`` version carries the site's terms like a generated one: it becomes the site's
current version, is sent, compared and fixed for signature. Uploaded by the site's staff, it is
based on (and compared with) the current version it replaces; adopted from a redline, it is
based on that redline and compared with the version the sponsor had received, so its
comparison is the redline's.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

from tracker import audit
from tracker.documents.engine.checks import DocumentRejected, check_docx
from tracker.documents import comparisons
from tracker.documents.engine.compare import clauses_of
from tracker.documents.engine.deviations import Deviation, deviations, locked_patterns
from tracker.documents.operations import _may_handle, _refuse_repeat, _store, _track
from tracker.documents.engine.revisions import accept_all
from tracker.documents.engine.tracked import tracked_changes
from tracker.documents.versions import LANGUAGE_NAMES, current_version
from tracker.documents.wording import words
from tracker.errors import Conflict, DocumentProblems, InvalidInput
from tracker.extensions import db
from tracker.models import Contract, ContractTemplate, Document, DocumentChange, FixedVersion, Track
from tracker.people.roles import require_site_staff

CHANGED_KINDS = ("redline", "revised")  # the versions whose changes can be compared and written out


def _language(value, fallback: str) -> str:
    if value in (None, ""):
        return fallback
    if value not in LANGUAGE_NAMES:
        raise InvalidInput({"language": str(_l("Unknown language; choose one of %(languages)s.",
                                               languages=", ".join(LANGUAGE_NAMES)))})
    return value


def _open(contract: Contract, track) -> None:
    if contract.status == "cancelled" or track.stage == "cancelled":
        raise Conflict(str(_l("%(ref)s is cancelled: its agreements no longer change.", ref=contract.reference)))


def upload_revised(contract: Contract, site_code, data: bytes, *, actor: audit.Actor, now: datetime,
                   language=None) -> Document:
    """Keep the site's own edited agreement as its next (and current) version; site staff only.

    Checked in full like any upload before anything is stored. Its language is the one given, else
    that of the version it replaces, else the contract's.
    """
    track = _track(contract, site_code)
    _may_handle(actor, contract, track, sponsor_allowed=False)
    _open(contract, track)
    base = current_version(track)
    language = _language(language, base.language if base is not None else contract.language)
    try:
        received = clauses_of(data)  # every upload check, then the clauses
    except DocumentRejected as exc:
        raise DocumentProblems(words(exc.problems))
    _refuse_repeat(contract, track, data)
    result = comparisons.compare_with(base, received) if base is not None else None
    document = _store(contract, track, "revised", data, actor=actor, now=now, compared_to=base, language=language,
                      based_on=base)
    comparisons.keep(document, result, now=now)
    return document


def adopt(redline: Document, *, actor: audit.Actor, now: datetime) -> Document:
    """Make a sponsor's redline the site's next revised version: its tracked changes accepted (insertions
    kept, deletions dropped, moves resolved) and its comments removed. Staff of its site only."""
    contract = db.session.get(Contract, redline.contract_id)
    track = next(t for t in contract.tracks if t.site_id == redline.site_id)
    require_site_staff(actor, redline, _l("Only staff of %(site)s can adopt a redline for its agreement."))
    if redline.kind != "redline" or redline.withdrawn_at is not None:
        raise Conflict(str(_l("Only a sponsor's redline still in use can be adopted; version %(n)d is not one.",
                              n=redline.version)))
    _open(contract, track)
    earlier = adopted_from(redline)
    if earlier is not None:
        raise Conflict(str(_l("This redline was already adopted as version %(n)d.", n=earlier.version)))
    try:
        data = accept_all(redline.content)
        check_docx(data)
        received = clauses_of(data)
    except DocumentRejected as exc:
        raise DocumentProblems(words(exc.problems))
    base = db.session.get(Document, redline.compared_to_id) if redline.compared_to_id else None
    result = comparisons.compare_with(base, received) if base is not None else None
    document = _store(contract, track, "revised", data, actor=actor, now=now, compared_to=base,
                      language=redline.language, based_on=redline)
    comparisons.keep(document, result, now=now)
    return document


def adopted_from(redline: Document) -> Document | None:
    """The revised version that adopted this redline and stands, if any."""
    return db.session.execute(db.select(Document).where(
        Document.based_on_id == redline.id, Document.kind == "revised", Document.withdrawn_at.is_(None))
        .limit(1)).scalar_one_or_none()


def changes_docx(document: Document) -> tuple[bytes, str]:
    """The version this redline or revised version is compared with, carrying its changes as Word tracked
    changes (author: who made it, date: when it was stored); and a file name for it."""
    if document.kind not in CHANGED_KINDS or document.compared_to_id is None:
        raise Conflict(str(_l("Version %(n)d is compared with no earlier version: it has no changes to show.",
                              n=document.version)))
    base = db.session.get(Document, document.compared_to_id)
    author = _author(document)
    try:
        check_docx(base.content)
        check_docx(document.content)
        data = tracked_changes(base.content, document.content, author=author, date=document.created_at)
    except DocumentRejected as exc:
        raise DocumentProblems(words(exc.problems))
    stem = document.filename.rsplit(".", 1)[0]
    return data, f"{stem}-changes.docx"


def _author(document: Document) -> str:
    """Who the review pane names: the sponsor for a redline (and a version adopting one), else the person
    (and site) who uploaded the revised version."""
    based = db.session.get(Document, document.based_on_id) if document.based_on_id else None
    if document.kind == "redline" or (based is not None and based.kind == "redline"):
        return db.session.get(Contract, document.contract_id).sponsor.name
    user = document.author
    return f"{user.name} ({document.site.code})" if user is not None else document.site.name


_PATTERNS: dict[str, list] = {}  # a template version's locked patterns, by its SHA-256 (the file never changes)


def model_of(document: Document) -> ContractTemplate | None:
    """The template the version compared with came from: followed back through revised versions."""
    seen: set[int] = set()
    current = db.session.get(Document, document.compared_to_id) if document.compared_to_id else None
    while current is not None and current.id not in seen:
        if current.template_id is not None:
            return current.template
        seen.add(current.id)
        origin = current.based_on_id or current.compared_to_id
        current = db.session.get(Document, origin) if origin else None
    return None


def deviations_of(document: Document) -> list[Deviation]:
    """The changes of a redline or revised version that touch the locked text of a regulated model (SPEC 5d),
    read from its stored comparison (``index`` is a stored change's position); none when its agreement was
    not made from one."""
    template = model_of(document)
    if template is None or not template.regulated:
        return []
    patterns = _PATTERNS.get(template.sha256)
    if patterns is None:
        try:
            patterns = locked_patterns(template.content)
        except DocumentRejected:
            patterns = []
        _PATTERNS[template.sha256] = patterns
    if document.compared_at is None:
        return []
    rows = db.session.execute(db.select(DocumentChange).where(DocumentChange.document_id == document.id)
                              .order_by(DocumentChange.position)).scalars().all()
    return [Deviation(row.position, found.status, found.old, found.new)
            for row in rows for found in deviations([_Change(row.status, row.old_text, row.new_text)], patterns)]


@dataclass(frozen=True, slots=True)
class _Change:
    """A stored change read as a comparison's clause."""

    status: str
    old: str | None
    new: str | None


def portal_markers(contract: Contract) -> dict:
    """What the sponsor's page says of its documents (SPEC 5d): each site's current version, the versions
    fixed for signature, and which of its redlines a site adopted (as which version)."""
    adopted = db.session.execute(db.select(Document.based_on_id, Document.version).where(
        Document.contract_id == contract.id, Document.kind == "revised", Document.based_on_id.is_not(None),
        Document.withdrawn_at.is_(None))).all()
    fixed = set(db.session.execute(db.select(FixedVersion.document_id).join(Track, Track.id == FixedVersion.track_id)
                                   .where(Track.contract_id == contract.id, FixedVersion.ended_at.is_(None))).scalars())
    current = {getattr(current_version(t), "id", None) for t in contract.tracks} - {None}
    return {"adopted_as": {redline: version for redline, version in adopted}, "fixed_ids": fixed,
            "current_ids": current}
