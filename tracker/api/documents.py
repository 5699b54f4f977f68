"""Templates and documents over the API (SPEC 5b)."""
from __future__ import annotations

from io import BytesIO

from flask import jsonify, request, send_file

from tracker.access import caller, contract_route, role_required
from tracker.api import bp, now
from tracker.api.errors import json_body
from tracker.audit import Actor
from tracker.errors import InvalidInput, NotFound
from tracker.extensions import db
from tracker.models import Contract, ContractTemplate, Document
from tracker.people.roles import STAFF_ROLES
from tracker.contracts.visibility import may_see
from tracker.portal.documents import may_download, sponsor_documents
from tracker.documents import library
from tracker.documents import negotiation
from tracker.documents import operations as ops
from tracker.transaction import atomic
from tracker.timeutil import local_date


def template_json(t: ContractTemplate) -> dict:
    return {"id": t.id, "name": t.name, "version": t.version, "filename": t.filename, "sha256": t.sha256,
            "size": t.size, "fields": t.fields, "created_at": t.created_at.isoformat(),
            "retired": t.retired_at is not None, "regulated": t.regulated}


def author_json(user) -> dict | None:
    """Who made a version, as anyone who may see the contract may know it: a name and where they work.

    Staff e-mail addresses are for staff; a sponsor sees a name and a site (SPEC 1).
    """
    if user is None:
        return None
    return {"name": user.name, "site": user.site.code if user.site else None,
            "sponsor": user.sponsor.name if user.sponsor else None}


def document_json(d: Document, with_comparison: bool = False, *, for_sponsor: bool = True) -> dict:
    body = {"id": d.id, "version": d.version, "kind": d.kind, "site": d.site.code, "sha256": d.sha256,
            "size": d.size, "filename": d.filename, "created_at": d.created_at.isoformat(),
            "author": author_json(d.author), "draft": d.draft,
            "template": {"name": d.template.name, "version": d.template.version} if d.template else None,
            "compared_to": d.compared_to_id, "language": d.language, "based_on": d.based_on_id,
            "withdrawn_at": d.withdrawn_at.isoformat() if d.withdrawn_at else None}
    if not for_sponsor:
        body["author_email"] = d.author.email if d.author else None
    if with_comparison and d.kind in negotiation.CHANGED_KINDS:
        body["comparison"] = comparison_json(d)
        body["comparison_available"] = body["comparison"] is not None or d.compared_to_id is None
    return body


def comparison_json(d: Document) -> dict | None:
    """SPEC 5b: {base_id, changed, added, removed, unmodified, deviations} (and the clauses left the same)."""
    counts = ops.comparison_counts(d)
    if counts is None:
        return None
    return {"base_id": d.compared_to_id, **counts,
            "unmodified": not (counts["changed"] or counts["added"] or counts["removed"]),
            "deviations": [found.as_json() for found in negotiation.deviations_of(d)]}


def _for_sponsor() -> bool:
    return caller().role == "sponsor"


def _visible_document(document_id: int) -> Document:
    """A document of a contract the caller may see; a withdrawn one only to staff (for the audit)."""
    document = db.session.get(Document, document_id)
    if document is None or not may_see(caller(), document.contract_id) or (
            document.withdrawn_at is not None and _for_sponsor()):
        raise NotFound("No such document.")
    return document


def _upload() -> bytes:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidInput({"file": "Attach the .docx as the multipart field 'file'."})
    return upload.read()


@bp.get("/templates")
def list_templates():
    """Every template version, newest first per name."""
    rows = db.session.execute(db.select(ContractTemplate).order_by(
        ContractTemplate.name, ContractTemplate.version.desc())).scalars().all()
    return jsonify({"templates": [template_json(t) for t in rows]})


@bp.patch("/templates/<int:template_id>")
@role_required("admin")
def patch_template(template_id: int):
    """Mark a template as a regulated model or not (admin): ``{"regulated": true}``; every version of its name."""
    data = json_body()
    unknown = sorted(set(data) - {"regulated"})
    if unknown or not isinstance(data.get("regulated"), bool):
        raise InvalidInput({k: "Unknown field." for k in unknown} or {"regulated": "Expected true or false."})
    template = db.session.get(ContractTemplate, template_id)
    if template is None:
        raise NotFound("No such template.")
    with atomic():
        library.set_regulated(template, data["regulated"], actor=Actor.of(caller()), now=now())
    return jsonify(template_json(template))


@bp.post("/templates")
@role_required("admin")
def post_template():
    """Upload a new version of a template (admin): 201, or 422 listing the problems."""
    data = _upload()
    with atomic():
        template = library.store_template(request.form.get("name", ""), data, request.files["file"].filename,
                                          actor=Actor.of(caller()), now=now())
    return jsonify(template_json(template)), 201


@bp.get("/contracts/<reference>/documents")
@contract_route
def list_documents(contract: Contract):
    """The contract's document versions, per site."""
    for_sponsor = _for_sponsor()
    if for_sponsor:  # the versions sent to it and its redlines, not the sites' drafts
        rows = sorted(sponsor_documents(contract), key=lambda d: (d.site_id, d.version))
    else:
        rows = db.session.execute(db.select(Document).where(Document.contract_id == contract.id,
                                                            Document.withdrawn_at.is_(None))
                                  .order_by(Document.site_id, Document.version)).scalars().all()
    return jsonify({"documents": [document_json(d, with_comparison=True, for_sponsor=for_sponsor) for d in rows]})


@bp.post("/contracts/<reference>/documents")
@contract_route
def post_document(contract: Contract):
    """Generate an agreement from a template for one site."""
    data = json_body()
    unknown = sorted(set(data) - {"template", "site", "draft"})
    if unknown:
        raise InvalidInput({k: "Unknown field." for k in unknown})
    draft = data.get("draft", False)
    if not isinstance(draft, bool):
        raise InvalidInput({"draft": "Expected true or false."})
    at = now()
    site = data.get("site")
    with atomic():
        document = ops.generate(contract, site, data.get("template"), actor=Actor.of(caller()), now=at,
                                today=local_date(at), draft=draft)
    return jsonify(document_json(document, for_sponsor=_for_sponsor())), 201


@bp.post("/contracts/<reference>/documents/upload")
@contract_route
def upload_document(contract: Contract):
    """Upload a sponsor's redline for one site (``kind=revised``: the site's own edited version, staff only);
    the answer counts changed, added and removed clauses."""
    kind = request.form.get("kind") or "redline"
    if kind not in ("redline", "revised"):
        raise InvalidInput({"kind": "Expected redline or revised."})
    if kind == "redline" and request.form.get("language"):
        raise InvalidInput({"language": "A redline is in the language of the version it answers."})
    data = _upload()
    actor, site = Actor.of(caller()), request.form.get("site")
    with atomic():
        if kind == "revised":
            document = negotiation.upload_revised(contract, site, data, actor=actor, now=now(),
                                                  language=request.form.get("language"))
        else:
            document = ops.upload_redline(contract, site, data, actor=actor, now=now())
    return jsonify(document_json(document, with_comparison=True, for_sponsor=_for_sponsor())), 201


@bp.post("/documents/<int:document_id>/adopt")
@role_required(*STAFF_ROLES)
def adopt_document(document_id: int):
    """Adopt a sponsor's redline (staff of its site): 201 with the new revised version."""
    if request.content_length:
        data = json_body()
        if data:
            raise InvalidInput({k: "Unknown field." for k in data})
    document = _visible_document(document_id)
    with atomic():
        revised = negotiation.adopt(document, actor=Actor.of(caller()), now=now())
    return jsonify(document_json(revised, with_comparison=True, for_sponsor=False)), 201


@bp.get("/documents/<int:document_id>/changes")
def document_changes(document_id: int):
    """The version a redline or revised version is compared with, carrying its changes as Word revisions."""
    document = db.session.get(Document, document_id)
    base = db.session.get(Document, document.compared_to_id) if document and document.compared_to_id else None
    if not may_download(caller(), document) or (base is not None and not may_download(caller(), base)):
        raise NotFound("No such document.")
    data, filename = negotiation.changes_docx(document)
    return send_file(BytesIO(data), as_attachment=True, download_name=filename, mimetype=document.media_type)


@bp.post("/documents/<int:document_id>/withdraw")
@role_required(*STAFF_ROLES)
def withdraw_document(document_id: int):
    """Withdraw a version (staff of its site): hidden from lists, kept in the database and the audit trail."""
    data = json_body() if request.content_length else {}
    unknown = sorted(set(data) - {"reason"})
    if unknown:
        raise InvalidInput({k: "Unknown field." for k in unknown})
    reason = data.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise InvalidInput({"reason": "Expected text."})
    document = _visible_document(document_id)
    with atomic():
        ops.withdraw(document, actor=Actor.of(caller()), now=now(), reason=reason)
    return jsonify(document_json(document, for_sponsor=False))


@bp.get("/documents/<int:document_id>/content")
def document_content(document_id: int):
    """The .docx itself, as an attachment."""
    document = db.session.get(Document, document_id)
    if not may_download(caller(), document):  # a sponsor gets only what was sent to it, never a withdrawn one
        raise NotFound("No such document.")
    return send_file(BytesIO(document.content), as_attachment=True, download_name=document.filename,
                     mimetype=document.media_type)
