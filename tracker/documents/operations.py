"""Generating agreements and receiving sponsors' redlines for a contract (SPEC 5)."""
from __future__ import annotations

import hashlib
from datetime import date, datetime
from io import BytesIO

import docx
from docx.shared import RGBColor
from flask_babel import lazy_gettext as _l

from tracker import audit
from tracker.documents.blanks import BlankFields, find_blanks
from tracker.documents.engine.checks import DocumentRejected
from tracker.documents import comparisons
from tracker.documents.engine.compare import clauses_of
from tracker.documents.context import template_context, template_language  # noqa: F401 (callers import it here)
from tracker.documents.library import (
    flush_or_conflict, latest_template, prepared, safe_filename, template_names, template_role, template_title,
)
from tracker.documents.engine.render import TemplateError
from tracker.documents.versions import (  # noqa: F401  (check_fixable: also read from here)
    check_fixable, current_version, refuse_if_fixed, version_to_send,
)
from tracker.documents.wording import words
from tracker.errors import Conflict, DocumentProblems, Forbidden, InvalidInput
from tracker.extensions import db
from tracker.models import Contract, Document, Event, Track
from tracker.people.roles import is_contract_sponsor, is_site_staff, require_site_staff
from tracker.stages.rules import ROLE_LABELS

MAX_REASON = 500


def _track(contract: Contract, site_code) -> Track:
    if not isinstance(site_code, str) or not site_code.strip():
        raise InvalidInput({"site": str(_l("This field is required."))})
    track = next((t for t in contract.tracks if t.site.code == site_code.strip().upper()), None)
    if track is None:
        raise InvalidInput({"site": str(_l("Site %(code)s does not take part in %(ref)s.",
                                            code=site_code[:20], ref=contract.reference))})
    return track


def _may_handle(actor: audit.Actor, contract: Contract, track: Track, *, sponsor_allowed: bool) -> None:
    if is_site_staff(actor, track.site_id) or (sponsor_allowed and is_contract_sponsor(actor, contract)):
        return
    raise Forbidden(str(_l("Only staff of %(site)s can do this for its track.", site=track.site.name)))


def contract_language(contract: Contract) -> str:
    """The language the contract's agreements are written in (SPEC 5d: set at its creation, French by default)."""
    return contract.language or "fr"


def _next_version(contract: Contract, track: Track) -> int:
    last = db.session.execute(db.select(db.func.max(Document.version)).where(
        Document.contract_id == contract.id, Document.site_id == track.site_id)).scalar()
    return (last or 0) + 1


def _store(contract, track, kind, data, *, actor, now, template=None, compared_to=None, draft=False,
           language=None, based_on=None) -> Document:
    """Keep a new version; its language is the one given, else that of the version it is compared with."""
    version = _next_version(contract, track)
    suffix = {"redline": "redline", "revised": "revised"}.get(kind, "v")
    language = language or (compared_to.language if compared_to is not None else None) or contract.language
    document = Document(
        contract_id=contract.id, site_id=track.site_id, version=version, kind=kind, draft=draft,
        filename=safe_filename(f"{contract.reference}-{track.site.code}-{suffix}{version}"
                               f"{'-draft' if draft else ''}.docx"),
        sha256=hashlib.sha256(data).hexdigest(), size=len(data), content=data,
        template_id=template.id if template else None, compared_to_id=compared_to.id if compared_to else None,
        author_id=actor.user_id, created_at=now, language=language,
        based_on_id=based_on.id if based_on is not None else None)
    db.session.add(document)
    flush_or_conflict()
    audit.record(actor, "document", document.id,
                 {"kind": (None, kind), "version": (None, version), "sha256": (None, document.sha256),
                  "template": (None, f"{template.name} v{template.version}" if template else None),
                  "language": (None, language)}
                 | ({"draft": (None, True)} if draft else {})
                 | ({"based_on": (None, based_on.id)} if based_on is not None else {}),
                 now=now, contract_id=contract.id)
    return document


def _template_for(track: Track, template_name):
    template = latest_template(template_name) if isinstance(template_name, str) and len(template_name) <= 64 else None
    if template is None:
        raise InvalidInput({"template": str(_l("Unknown template %(name)s; available: %(names)s.",
                                                name=str(template_name)[:64], names=", ".join(template_names())))})
    written_for = template_role(template.name)
    if written_for is not None and written_for != track.role:
        raise InvalidInput({"template": str(_l(
            "%(name)s is written for a %(wanted)s site, but %(site)s is the %(role)s site of this contract.",
            name=template_title(template.name), wanted=ROLE_LABELS[written_for], site=track.site.name,
            role=ROLE_LABELS[track.role]))})
    return template


def blanks_for(contract: Contract, site_code, template_name, *, today: date):
    """The fields the template would print empty for this contract and site, by label."""
    track = _track(contract, site_code)
    template = _template_for(track, template_name)
    return find_blanks(template, template_context(contract, track, today,
                                                  template_language(template.name, contract_language(contract))))


def generate(contract: Contract, site_code, template_name, *, actor: audit.Actor, now: datetime,
             today: date, draft: bool = False) -> Document:
    """Fill a template for one site of a contract and keep the result as its next version.

    Refused (BlankFields, naming each one) while a field the template needs is empty,
    unless the caller explicitly asks for a draft: that one says DRAFT in its header and
    can never be the version fixed for signature.
    """
    track = _track(contract, site_code)
    _may_handle(actor, contract, track, sponsor_allowed=False)
    if contract.status == "cancelled" or track.stage == "cancelled":
        raise Conflict(str(_l("%(ref)s is cancelled: no agreement can be generated for it.", ref=contract.reference)))
    template = _template_for(track, template_name)
    context = template_context(contract, track, today, template_language(template.name, contract_language(contract)))
    blanks = find_blanks(template, context)
    if blanks and not draft:
        raise BlankFields(blanks)
    try:
        data = prepared(template).render(context)
    except TemplateError as exc:
        raise DocumentProblems(words(exc.problems), field="template")
    language = template_language(template.name, contract.language)
    if draft:
        data = mark_draft(data, language)
    return _store(contract, track, "generated", data, actor=actor, now=now, template=template, draft=draft,
                  language=language)


DRAFT_WORDS = {"fr": "PROJET (DRAFT) — des champs sont vides : ne pas signer",
               "en": "DRAFT — some fields are empty: not for signature"}


def mark_draft(data: bytes, language: str) -> bytes:
    """Put a red DRAFT line at the top of every header the document shows."""
    document = docx.Document(BytesIO(data))
    words = DRAFT_WORDS.get(language, DRAFT_WORDS["en"])
    for index, section in enumerate(document.sections):
        headers = [section.header]
        if section.different_first_page_header_footer:
            headers.append(section.first_page_header)
        if document.settings.odd_and_even_pages_header_footer:
            headers.append(section.even_page_header)
        for header in headers:
            if header.is_linked_to_previous:
                if index:
                    continue  # shows the previous section's header, already marked
                header.is_linked_to_previous = False
            first = header.paragraphs[0] if header.paragraphs else None
            paragraph = first.insert_paragraph_before() if first is not None else header.add_paragraph()
            run = paragraph.add_run(words)
            run.bold = True
            run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    out = BytesIO()
    document.save(out)
    return out.getvalue()


def signable_version(track: Track) -> Document | None:
    """The site's current version that may be fixed for signature (never a draft; SPEC 5d)."""
    return current_version(track, signable=True)


def upload_redline(contract: Contract, site_code, data: bytes, *, actor: audit.Actor, now: datetime) -> Document:
    """Keep a sponsor's marked-up .docx, linked to the version the site last sent.

    Everything that could fail later is done now, before anything is stored: the file is
    checked part by part and its clauses are read and compared with the version sent, so a
    stored redline can always be listed and compared.  The comparison is kept with it
    (tracker.documents.comparisons), so no page computes it again.  A file identical to the
    latest version is refused, so that a retry after a lost reply does not add a version.
    """
    track = _track(contract, site_code)
    _may_handle(actor, contract, track, sponsor_allowed=True)
    try:
        received = clauses_of(data)  # runs every upload check, then reads the clauses
    except DocumentRejected as exc:
        raise DocumentProblems(words(exc.problems))
    _refuse_repeat(contract, track, data)
    sent = sent_version(track)
    result = comparisons.compare_with(sent, received) if sent is not None else None
    document = _store(contract, track, "redline", data, actor=actor, now=now, compared_to=sent)
    comparisons.keep(document, result, now=now)
    return document


def _refuse_repeat(contract: Contract, track: Track, data: bytes) -> None:
    latest = db.session.execute(
        db.select(Document).where(Document.contract_id == contract.id, Document.site_id == track.site_id,
                                  Document.withdrawn_at.is_(None))
        .order_by(Document.version.desc()).limit(1)).scalar_one_or_none()
    if latest is not None and latest.sha256 == hashlib.sha256(data).hexdigest():
        raise Conflict(str(_l("This file is identical to version %(n)d (%(name)s): nothing was stored.",
                              n=latest.version, name=latest.filename)))


def withdraw(document: Document, *, actor: audit.Actor, now: datetime, reason: str | None = None) -> Document:
    """Take a version out of every list; it stays in the database, downloadable by staff, and in the audit trail.

    Staff of the document's site (or an admin) may do it, for a version uploaded by mistake
    or one that should never have been kept; never for a version fixed for signature or an
    executed agreement (SPEC 5d: the terms change by a new round, and /verify keeps answering).
    """
    require_site_staff(actor, document, _l("Only staff of %(site)s can withdraw its documents."))
    refuse_if_fixed(document)
    if document.withdrawn_at is not None:
        raise Conflict(str(_l("Version %(n)d was already withdrawn.", n=document.version)))
    reason = (reason or "").strip() or None
    if reason is not None and len(reason) > MAX_REASON:
        raise InvalidInput({"reason": str(_l("At most %(n)d characters.", n=MAX_REASON))})
    document.withdrawn_at = now
    audit.record(actor, "document", document.id, {"withdrawn_at": (None, now)}, now=now,
                 contract_id=document.contract_id, reason=reason)
    return document


def sent_version(track: Track) -> Document | None:
    """The version the site last sent to the sponsor (SPEC 5), else its current one (SPEC 5d)."""
    sent_id = db.session.execute(
        db.select(Event.document_id).where(Event.track_id == track.id, Event.action == "send_to_sponsor",
                                           Event.document_id.is_not(None))
        .order_by(Event.seq.desc()).limit(1)).scalar()
    if sent_id is not None:
        return db.session.get(Document, sent_id)
    return version_to_send(track)


def comparison_counts(document: Document) -> dict | None:
    """The counts kept at upload; None when there is nothing to compare, or the version sent could not be read."""
    if document.kind not in ("redline", "revised") or document.compared_to_id is None:
        return None
    return document.comparison
