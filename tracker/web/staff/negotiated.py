"""Pages for negotiated versions (SPEC 5d): upload a revised version, adopt a redline, download its changes
as tracked changes. Their routes join the documents blueprint."""
from __future__ import annotations

from io import BytesIO

from flask import abort, flash, redirect, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from tracker.access import contract_route, role_required
from tracker.audit import Actor
from tracker.database import utcnow
from tracker.documents import conformity, negotiation
from tracker.documents.versions import LANGUAGE_NAMES, current_of, current_version, fixed_or_executed_ids
from tracker.errors import DomainError, InvalidInput
from tracker.extensions import db
from tracker.models import Contract, Document
from tracker.people.roles import STAFF_ROLES, is_site_staff
from tracker.models.signing import FixedVersion
from tracker.web.staff import documents_bp as bp
from tracker.web.staff.documents import _back, _document_of
from tracker.web.shared.helpers import attempt


class RevisedForm(FlaskForm):
    site = SelectField(_l("Site"), validate_choice=False)
    language = SelectField(_l("Language of this version"), validate_choice=False)
    file = FileField(_l("Word file (.docx)"))


class AdoptForm(FlaskForm):
    """Nothing to fill: the CSRF token says the person meant it."""


def revised_form(contract: Contract, tracks) -> RevisedForm:
    form = RevisedForm(prefix="rev", formdata=None)
    form.site.choices = [SelectChoice(t.site.code, t.site.name) for t in tracks]
    form.language.choices = [SelectChoice(code, str(name)) for code, name in LANGUAGE_NAMES.items()]
    form.language.data = contract.language
    return form


@bp.post("/contracts/<reference>/documents/revised")
@login_required
@role_required(*STAFF_ROLES)
@contract_route
def upload_revised(contract: Contract):
    """Keep the site's own edited agreement as its next, current version."""
    form = RevisedForm(prefix="rev")
    if not form.validate_on_submit():
        abort(400)

    def work():
        if not form.file.data or not form.file.data.filename:
            raise InvalidInput({"file": _("Choose the .docx file to upload.")})
        return negotiation.upload_revised(contract, form.site.data, form.file.data.read(),
                                          actor=Actor.of(current_user), now=utcnow(), language=form.language.data)

    done, document = attempt(work)
    if done:
        flash(_("Revised version stored as version %(n)d: it is now the current version of %(site)s.",
                n=document.version, site=document.site.name), "success")
    return _back(contract)


@bp.post("/contracts/<reference>/documents/<int:document_id>/adopt")
@login_required
@role_required(*STAFF_ROLES)
@contract_route
def adopt(contract: Contract, document_id: int):
    """Adopt the sponsor's redline as the site's next revised version (its tracked changes accepted)."""
    document = _document_of(contract, document_id)
    if not is_site_staff(current_user, document.site_id):
        abort(403)
    if not AdoptForm().validate_on_submit():
        abort(400)
    done, revised = attempt(lambda: negotiation.adopt(document, actor=Actor.of(current_user), now=utcnow()))
    if done:
        flash(_("Redline adopted: version %(n)d of %(site)s holds its text with the changes accepted. It is the "
                "current version, to send or to agree.", n=revised.version, site=revised.site.name), "success")
        return _back(contract)
    return redirect(url_for("documents.compare", reference=contract.reference, document_id=document.id), 303)


@bp.get("/contracts/<reference>/documents/<int:document_id>/changes")
@login_required
@role_required(*STAFF_ROLES)
@contract_route
def changes(contract: Contract, document_id: int):
    """The version compared with, carrying this version's changes as Word tracked changes."""
    document = _document_of(contract, document_id)
    try:
        data, filename = negotiation.changes_docx(document)
    except DomainError as exc:
        flash(_("Not done: %(why)s", why=exc.explain()), "error")
        return _back(contract)
    return send_file(BytesIO(data), as_attachment=True, download_name=filename, mimetype=document.media_type)


def compare_context(contract: Contract, document: Document, shown: dict | None) -> dict:
    """What the comparison page offers: adopt (a redline not adopted yet, to staff of its site), agree at
    once (an unmodified one), the tracked-changes file."""
    staff = is_site_staff(current_user, document.site_id)
    adopted = negotiation.adopted_from(document) if document.kind == "redline" else None
    track = next(t for t in contract.tracks if t.site_id == document.site_id)
    counts = shown["counts"] if shown is not None else None
    unmodified = counts is not None and not (counts["changed"] or counts["added"] or counts["removed"])
    found = negotiation.deviations_of(document) if shown is not None else []
    return {"adopt_form": AdoptForm() if staff and document.kind == "redline" and adopted is None
            and contract.status != "cancelled" else None,
            "adopted": adopted, "unmodified": unmodified, "track": track,
            "deviation_at": {d.index for d in found}, "regulated": bool(found) or _regulated(document),
            "may_agree": staff and unmodified and track.stage in ("review", "with_sponsor", "conformity")}


def _regulated(document: Document) -> bool:
    template = negotiation.model_of(document)
    return template is not None and template.regulated


def section_context(contract: Contract, documents: list[Document], tracks,
                    fixed_versions: dict[int, FixedVersion]) -> dict:
    """The documents table's markers: each site's current version, the fixed ones, what may be withdrawn.

    ``documents`` are the contract's versions in use and ``fixed_versions`` each track's standing fixed
    version, both read once for the whole page."""
    current = {t.site_id: getattr(current_of(documents, t), "id", None) for t in contract.tracks}
    fixed = {f.document_id for f in fixed_versions.values()}
    evidence = fixed_or_executed_ids([d for d in documents if d.kind == "signed_evidence"])
    locked = {d.id for d in documents if d.id in fixed or d.kind == "executed" or d.id in evidence}
    coordinating = contract.coordinating_track
    coordinator_fixed = fixed_versions.get(coordinating.id) if coordinating is not None else None
    return {"current_ids": set(current.values()) - {None}, "fixed_ids": fixed,
            "may_withdraw": lambda d: d.id not in locked and is_site_staff(current_user, d.site_id),
            "revised_form": revised_form(contract, tracks) if tracks else None,
            "conformity": {t.id: conformity.check_of(t, coordinator_fixed, current_of(documents, t))
                           for t in contract.tracks
                           if t.role == "associated" and t.stage in ("conformity", "signature")},
            "language_name": lambda code: str(LANGUAGE_NAMES.get(code or "", code or ""))}


def after_withdrawal(document: Document) -> str:
    """What the withdrawal of this version changes, said on its confirmation page."""
    contract = db.session.get(Contract, document.contract_id)
    track = next(t for t in contract.tracks if t.site_id == document.site_id)
    current = current_version(track)
    if current is not None and current.id == document.id:
        previous = db.session.execute(db.select(Document).where(
            Document.contract_id == contract.id, Document.site_id == document.site_id,
            Document.kind.in_(("generated", "revised")), Document.language == contract.language,
            Document.withdrawn_at.is_(None), Document.id != document.id)
            .order_by(Document.version.desc()).limit(1)).scalar_one_or_none()
        if previous is None:
            return _("%(site)s will have no current version left: generate or upload one before sending or "
                     "agreeing.", site=track.site.name)
        return _("Version %(n)d becomes the current version of %(site)s: the one sent and agreed unless "
                 "another is named.", n=previous.version, site=track.site.name)
    if document.kind == "redline":
        return _("The sponsor will no longer see this redline, and it can no longer be adopted.")
    return _("The current version of %(site)s does not change.", site=track.site.name)

