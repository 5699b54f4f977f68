"""Pages for documents: generate, upload a redline, download, compare (templates: admin_templates)."""
from __future__ import annotations

from io import BytesIO

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice

from tracker.access import contract_route, role_required
from tracker.audit import Actor
from tracker.portal.documents import may_download
from tracker.database import utcnow
from tracker.documents import comparisons, library
from tracker.documents import operations as ops
from tracker.documents.versions import is_fixed_or_executed
from tracker.models.signing import FixedVersion
from tracker.errors import InvalidInput
from tracker.extensions import db
from tracker.models import Contract, Document
from tracker.people.roles import STAFF_ROLES, is_site_staff
from tracker.timeutil import local_date
from tracker.web.staff import documents_bp as bp
from tracker.web.staff.blanks import blank_links
from tracker.web.shared.comparing import comparison_page
from tracker.web.shared.helpers import attempt



class GenerateForm(FlaskForm):
    template = SelectField(_l("Template"), validate_choice=False)
    site = HiddenField()
    draft = BooleanField(_l("Generate a draft anyway: it will say DRAFT and cannot be signed"))


class UploadForm(FlaskForm):
    site = SelectField(validate_choice=False)
    file = FileField()


class WithdrawForm(FlaskForm):
    reason = TextAreaField(_l("Why (kept in the audit trail)"))


def _back(contract: Contract):
    return redirect(url_for("contracts.show", reference=contract.reference) + "#documents"), 303


@bp.post("/contracts/<reference>/documents/generate")
@login_required
@role_required(*STAFF_ROLES)
@contract_route
def generate(contract: Contract):
    """Fill a template for one site and keep it as the next version."""
    prefix = next((f"gen{t.id}" for t in contract.tracks if f"gen{t.id}-site" in request.form), "")
    form = GenerateForm(prefix=prefix)
    if not form.validate_on_submit():
        abort(400)
    now = utcnow()
    done, document = attempt(lambda: ops.generate(contract, form.site.data, form.template.data,
                                                  actor=Actor.of(current_user), now=now, today=local_date(now),
                                                  draft=bool(form.draft.data)))
    if done:
        flash(_("Version %(n)d generated: %(name)s", n=document.version, name=document.filename), "success")
    return _back(contract)


@bp.post("/contracts/<reference>/documents/upload")
@login_required
@role_required(*STAFF_ROLES)
@contract_route
def upload(contract: Contract):
    """Keep the sponsor's marked-up .docx for one site."""
    form = UploadForm()
    if not form.validate_on_submit():
        abort(400)
    def work():
        if not form.file.data or not form.file.data.filename:
            raise InvalidInput({"file": _("Choose the .docx file to upload.")})
        return ops.upload_redline(contract, form.site.data, form.file.data.read(), actor=Actor.of(current_user),
                                  now=utcnow())

    done, document = attempt(work)
    if done:
        flash(_("Redline stored as version %(n)d.", n=document.version), "success")
    return _back(contract)


@bp.get("/documents/<int:document_id>/download")
@login_required
def download(document_id: int):
    """The .docx as an attachment with a safe file name."""
    document = db.session.get(Document, document_id)
    if not may_download(current_user, document):  # a sponsor gets only what was sent to it, never a withdrawn one
        abort(404)  # a withdrawn version stays available to staff, for the audit
    return send_file(BytesIO(document.content), as_attachment=True, download_name=document.filename,
                     mimetype=document.media_type)


@bp.get("/contracts/<reference>/documents/<int:document_id>/compare")
@login_required
@role_required(*STAFF_ROLES)
@contract_route
def compare(contract: Contract, document_id: int):
    """The redline beside the version the site sent, clause by clause, a page of differences at a time."""
    document = _document_of(contract, document_id)
    if not comparisons.compared(document):
        abort(404)
    from tracker.web.staff.negotiated import compare_context

    shown, unavailable = comparison_page(document)
    sent = db.session.get(Document, document.compared_to_id)
    return render_template("documents/compare.html", contract=contract, document=document, sent=sent,
                           shown=shown, unavailable=unavailable, **compare_context(contract, document, shown))


def _document_of(contract: Contract, document_id: int) -> Document:
    document = db.session.get(Document, document_id)
    if document is None or document.contract_id != contract.id or document.withdrawn_at is not None:
        abort(404)
    return document


@bp.route("/contracts/<reference>/documents/<int:document_id>/withdraw", methods=["GET", "POST"])
@login_required
@role_required(*STAFF_ROLES)
@contract_route
def withdraw(contract: Contract, document_id: int):
    """Withdraw a version, after a confirmation page: it leaves the lists and stays in the audit trail."""
    document = _document_of(contract, document_id)
    if not is_site_staff(current_user, document.site_id):
        abort(403)
    if request.method == "GET" and is_fixed_or_executed(document):
        flash(_("Not done: %(why)s", why=_("Version %(n)d is fixed for signature; reopen to change the terms.",
                                           n=document.version)), "error")
        return _back(contract)
    form = WithdrawForm()
    if form.validate_on_submit():
        attempt(lambda: ops.withdraw(document, actor=Actor.of(current_user), now=utcnow(),
                                                     reason=form.reason.data),
                                done=_("Version %(n)d of %(site)s withdrawn.", n=document.version,
                                       site=document.site.name))
        return _back(contract)
    from tracker.web.staff.negotiated import after_withdrawal

    return render_template("documents/withdraw.html", contract=contract, document=document, form=form,
                           after=after_withdrawal(document))


def page_context(contract: Contract, documents: list[Document], fixed: dict[int, FixedVersion]) -> dict:
    """What the contract page needs to show its documents section.

    ``documents`` are the contract's versions in use (``versions.in_use``), ``fixed`` each track's
    standing fixed version: the page reads them once and the signing section uses them too. Each
    site the person may work for gets its own "generate" form, with the template written for that
    site's role, in the language of the sponsor's contracts, chosen.
    """
    tracks = [t for t in contract.ordered_tracks if is_site_staff(current_user, t.site_id)]
    names = library.template_names()
    language = contract.language
    generate_forms = []
    for track in tracks:
        form = GenerateForm(prefix=f"gen{track.id}", formdata=None)
        form.template.choices = [SelectChoice(n, library.template_title(n)) for n in names
                                 if library.template_role(n) in (None, track.role)]
        form.template.data = library.default_template(track.role, language, contract.amends_id is not None, names=names)
        form.site.data = track.site.code
        blanks = []
        if form.template.data and contract.status != "cancelled":
            found = ops.blanks_for(contract, track.site.code, form.template.data, today=local_date(utcnow()))
            blanks = blank_links(contract, track, found, current_user)
        generate_forms.append((track, form, blanks))
    upload_form = UploadForm()
    upload_form.site.choices = [SelectChoice(t.site.code, t.site.name) for t in tracks]
    from tracker.web.staff.negotiated import section_context

    return {"documents": documents, "generate_forms": generate_forms, "upload_form": upload_form,
            "template_title": library.template_title, "author_label": author_label,
            "can_generate": contract.status != "cancelled", **section_context(contract, documents, tracks, fixed)}


def author_label(document: Document) -> str:
    """Who made a version: a name and a site (or the sponsor), never an e-mail address."""
    user = document.author
    if user is None:
        return ""
    where = user.site.code if user.site else (user.sponsor.name if user.sponsor else None)
    return f"{user.name} ({where})" if where else user.name
