"""Storing templates, generating agreements and receiving sponsors' redlines (SPEC 5)."""
from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from datetime import date, datetime
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from tracker import audit
from tracker.documents.checks import DocumentRejected, check_docx, check_template
from tracker.documents.compare import Comparison, compare_documents
from tracker.documents.render import PreparedTemplate, TemplateError, prepare
from tracker.errors import Conflict, DocumentProblems, Forbidden, InvalidInput
from tracker.extensions import db
from tracker.models import Contract, ContractTemplate, Document, Track

BUILTIN_DIR = Path(__file__).resolve().parents[2] / "contract_templates"
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,63}$")
_PREPARED: OrderedDict[str, PreparedTemplate] = OrderedDict()
_PREPARED_MAX = 32


def _prepared(template: ContractTemplate) -> PreparedTemplate:
    """Prepare a template once per process and version; rendering reuses it."""
    cached = _PREPARED.get(template.sha256)
    if cached is None:
        cached = prepare(template.content)
        _PREPARED[template.sha256] = cached
        if len(_PREPARED) > _PREPARED_MAX:
            _PREPARED.popitem(last=False)
    else:
        _PREPARED.move_to_end(template.sha256)
    return cached


def latest_template(name: str) -> ContractTemplate | None:
    return db.session.execute(
        db.select(ContractTemplate).where(ContractTemplate.name == name)
        .order_by(ContractTemplate.version.desc()).limit(1)).scalar_one_or_none()


def template_names() -> list[str]:
    return list(db.session.execute(
        db.select(ContractTemplate.name).distinct().order_by(ContractTemplate.name)).scalars())


def store_template(name: str, data: bytes, filename: str | None, *, actor: audit.Actor,
                   now: datetime) -> ContractTemplate:
    """Check an uploaded template and keep it as the next version of its name."""
    name = (name or "").strip().lower()
    if not NAME_RE.match(name):
        raise InvalidInput({"name": str(_l("Use 2 to 64 lower-case letters, digits, '-' or '_', "
                                            "such as coordinating_fr."))})
    try:
        prepared = check_template(data)
    except DocumentRejected as exc:
        raise DocumentProblems(exc.problems)
    previous = latest_template(name)
    template = ContractTemplate(
        name=name, version=(previous.version if previous else 0) + 1, filename=_safe_filename(filename or name),
        sha256=hashlib.sha256(data).hexdigest(), size=len(data), fields=sorted(prepared.fields),
        content=data, created_at=now, created_by_id=actor.user_id)
    db.session.add(template)
    _flush_or_conflict()
    _PREPARED[template.sha256] = prepared
    audit.record(actor, "template", template.id, {"name": (None, name), "version": (None, template.version),
                                                  "sha256": (None, template.sha256)}, now=now)
    return template


def ensure_builtin_templates(*, now: datetime) -> int:
    """Store the shipped agreements as version 1 of their names when missing."""
    added = 0
    for path in sorted(BUILTIN_DIR.glob("*.docx")):
        if latest_template(path.stem) is None:
            store_template(path.stem, path.read_bytes(), path.name, actor=audit.SYSTEM, now=now)
            added += 1
    return added


def _safe_filename(name: str) -> str:
    """Letters, digits, dot, dash and underscore only, so a download name cannot do harm."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name).name).strip("._") or "document"
    if not stem.lower().endswith(".docx"):
        stem += ".docx"
    return stem[-120:]


def _flush_or_conflict() -> None:
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(str(_l("Someone stored another version at the same moment; try again.")))


def _track(contract: Contract, site_code) -> Track:
    if not isinstance(site_code, str) or not site_code.strip():
        raise InvalidInput({"site": str(_l("This field is required."))})
    track = next((t for t in contract.tracks if t.site.code == site_code.strip().upper()), None)
    if track is None:
        raise InvalidInput({"site": str(_l("Site %(code)s does not take part in %(ref)s.",
                                            code=site_code, ref=contract.reference))})
    return track


def _may_handle(actor: audit.Actor, contract: Contract, track: Track, *, sponsor_allowed: bool) -> None:
    if actor.role == "admin" or (actor.role in ("legal", "manager") and actor.site_id == track.site_id):
        return
    if sponsor_allowed and actor.role == "sponsor" and actor.sponsor_id == contract.sponsor_id:
        return
    raise Forbidden(str(_l("Only staff of %(site)s can do this for its track.", site=track.site.name)))


def template_context(contract: Contract, track: Track, today: date) -> dict:
    """The fields of SPEC 5 for one contract and site."""
    site, sponsor = track.site, contract.sponsor
    coordinating = contract.coordinating_track
    return {
        "sponsor": {"name": sponsor.name, "address": sponsor.address, "country": sponsor.country,
                    "registration_number": sponsor.registration_number, "representative": sponsor.representative},
        "site": {"code": site.code, "name": site.name, "legal_name": site.legal_name, "address": site.address,
                 "finess": site.finess, "siret": site.siret, "representative": site.representative,
                 "role": track.role},
        "investigator": {"name": track.investigator_name or (coordinating.investigator_name
                                                             if coordinating is track else None)},
        "contract": {"reference": contract.reference, "title": contract.title, "acronym": contract.acronym,
                     "protocol_number": contract.protocol_number, "eu_ct_number": contract.eu_ct_number,
                     "phase": contract.phase, "indication": contract.indication, "patients": contract.patients},
        "budget": [dict(row) for row in (contract.budget or [])],
        "today": today.isoformat(),
    }


def _next_version(contract: Contract, track: Track) -> int:
    last = db.session.execute(db.select(db.func.max(Document.version)).where(
        Document.contract_id == contract.id, Document.site_id == track.site_id)).scalar()
    return (last or 0) + 1


def _store(contract, track, kind, data, *, actor, now, template=None, compared_to=None) -> Document:
    version = _next_version(contract, track)
    suffix = "redline" if kind == "redline" else "v"
    document = Document(
        contract_id=contract.id, site_id=track.site_id, version=version, kind=kind,
        filename=_safe_filename(f"{contract.reference}-{track.site.code}-{suffix}{version}.docx"),
        sha256=hashlib.sha256(data).hexdigest(), size=len(data), content=data,
        template_id=template.id if template else None, compared_to_id=compared_to.id if compared_to else None,
        author_id=actor.user_id, created_at=now)
    db.session.add(document)
    _flush_or_conflict()
    audit.record(actor, "document", document.id,
                 {"kind": (None, kind), "version": (None, version), "sha256": (None, document.sha256),
                  "template": (None, f"{template.name} v{template.version}" if template else None)},
                 now=now, contract_id=contract.id)
    return document


def generate(contract: Contract, site_code, template_name, *, actor: audit.Actor, now: datetime,
             today: date) -> Document:
    """Fill a template for one site of a contract and keep the result as its next version."""
    track = _track(contract, site_code)
    _may_handle(actor, contract, track, sponsor_allowed=False)
    template = latest_template(template_name) if isinstance(template_name, str) else None
    if template is None:
        raise InvalidInput({"template": str(_l("Unknown template %(name)s; available: %(names)s.",
                                                name=template_name, names=", ".join(template_names())))})
    try:
        data = _prepared(template).render(template_context(contract, track, today))
    except TemplateError as exc:
        raise DocumentProblems(exc.problems, field="template")
    return _store(contract, track, "generated", data, actor=actor, now=now, template=template)


def upload_redline(contract: Contract, site_code, data: bytes, *, actor: audit.Actor, now: datetime) -> Document:
    """Keep a sponsor's marked-up .docx, linked to the version the site last sent."""
    track = _track(contract, site_code)
    _may_handle(actor, contract, track, sponsor_allowed=True)
    try:
        check_docx(data)
    except DocumentRejected as exc:
        raise DocumentProblems(exc.problems)
    sent = db.session.execute(
        db.select(Document).where(Document.contract_id == contract.id, Document.site_id == track.site_id,
                                  Document.kind == "generated").order_by(Document.version.desc()).limit(1)
    ).scalar_one_or_none()
    return _store(contract, track, "redline", data, actor=actor, now=now, compared_to=sent)


def comparison(document: Document) -> Comparison | None:
    """The clause-by-clause comparison of a redline with the version the site sent."""
    if document.kind != "redline" or document.compared_to_id is None:
        return None
    sent = db.session.get(Document, document.compared_to_id)
    return compare_documents(sent.content, document.content)
