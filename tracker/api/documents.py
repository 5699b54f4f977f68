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
from tracker.portal.documents import may_download, sponsor_documents
from tracker.documents import library
from tracker.documents import operations as ops
from tracker.transaction import atomic
from tracker.timeutil import local_date


def template_json(t: ContractTemplate) -> dict:
    return {"id": t.id, "name": t.name, "version": t.version, "filename": t.filename, "sha256": t.sha256,
            "size": t.size, "fields": t.fields, "created_at": t.created_at.isoformat(),
            "retired": t.retired_at is not None}


def document_json(d: Document, with_comparison: bool = False) -> dict:
    body = {"id": d.id, "version": d.version, "kind": d.kind, "site": d.site.code, "sha256": d.sha256,
            "size": d.size, "filename": d.filename, "created_at": d.created_at.isoformat(),
            "author": d.author.email if d.author else None, "draft": d.draft,
            "template": {"name": d.template.name, "version": d.template.version} if d.template else None,
            "compared_to": d.compared_to_id}
    if with_comparison and d.kind == "redline":
        result = ops.comparison(d)
        body["comparison"] = result.counts if result else None
    return body


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
    if caller().role == "sponsor":  # the versions sent to it and its redlines, not the sites' drafts
        rows = sorted(sponsor_documents(contract), key=lambda d: (d.site_id, d.version))
    else:
        rows = db.session.execute(db.select(Document).where(Document.contract_id == contract.id,
                                                            Document.withdrawn_at.is_(None))
                                  .order_by(Document.site_id, Document.version)).scalars().all()
    return jsonify({"documents": [document_json(d, with_comparison=True) for d in rows]})


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
    return jsonify(document_json(document)), 201


@bp.post("/contracts/<reference>/documents/upload")
@contract_route
def upload_document(contract: Contract):
    """Upload a sponsor's redline for one site; the answer counts changed, added and removed clauses."""
    data = _upload()
    with atomic():
        document = ops.upload_redline(contract, request.form.get("site"), data, actor=Actor.of(caller()), now=now())
    return jsonify(document_json(document, with_comparison=True)), 201


@bp.get("/documents/<int:document_id>/content")
def document_content(document_id: int):
    """The .docx itself, as an attachment."""
    document = db.session.get(Document, document_id)
    if not may_download(caller(), document):  # a sponsor gets only what was sent to it
        raise NotFound("No such document.")
    return send_file(BytesIO(document.content), as_attachment=True, download_name=document.filename,
                     mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
