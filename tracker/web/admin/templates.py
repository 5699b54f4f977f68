"""Admin pages for contract templates: versions, upload, preview as PDF, download, fields, defaults, retiring."""
from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, StringField

from tracker.access import role_required
from tracker.audit import Actor
from tracker.database import utcnow
from tracker.documents import library, preview
from tracker.documents import operations as ops
from tracker.documents.blanks import required_fields
from tracker.documents.catalogue import FIELDS, sample_context, value_at
from tracker.errors import DomainError, InvalidInput
from tracker.extensions import db
from tracker.models import Contract, ContractTemplate
from tracker.timeutil import local_date
from tracker.transaction import atomic
from tracker.web.shared.helpers import attempt

bp = Blueprint("admin_templates", __name__, url_prefix="/admin/templates")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class TemplateForm(FlaskForm):
    name = StringField()
    file = FileField()


class RetireForm(FlaskForm):
    retire = HiddenField()


class RegulatedForm(FlaskForm):
    regulated = HiddenField()


class DefaultsForm(FlaskForm):
    pass


def _template(template_id: int) -> ContractTemplate:
    template = db.session.get(ContractTemplate, template_id)
    if template is None:
        abort(404)
    return template


@bp.route("", methods=["GET", "POST"])
@login_required
@role_required("admin")
def index():
    """Template versions, the upload of a new one, and the default template per site role and language."""
    form = TemplateForm()
    problems = []
    if form.validate_on_submit():
        try:
            if not form.file.data or not form.file.data.filename:
                raise InvalidInput({"file": _("Choose the .docx file to upload.")})
            with atomic():
                stored = library.store_template(form.name.data, form.file.data.read(), form.file.data.filename,
                                                actor=Actor.of(current_user), now=utcnow())
        except DomainError as exc:
            problems = getattr(exc, "problems", None) or list(getattr(exc, "errors", {}).values()) or [exc.message]
        else:
            flash(_("Template %(name)s version %(n)d stored.", name=stored.name, n=stored.version), "success")
            return redirect(url_for("admin_templates.index"))
    rows = db.session.execute(db.select(ContractTemplate).order_by(
        ContractTemplate.name, ContractTemplate.version.desc())).scalars().all()
    names = library.template_names()
    defaults = [(role, language, library.default_template(role, language),
                 [n for n in names if library.template_role(n) in (None, role)])
                for role in library.TRACK_ROLES for language in library.LANGUAGES]
    return render_template("documents/templates.html", form=form, rows=rows, problems=problems,
                           defaults=defaults, defaults_form=DefaultsForm(), title_of=library.template_title), (
        422 if problems else 200)


@bp.post("/defaults")
@login_required
@role_required("admin")
def defaults():
    """Save the template offered first for each site role and language."""
    if not DefaultsForm().validate_on_submit():
        abort(400)

    def work():
        for role in library.TRACK_ROLES:
            for language in library.LANGUAGES:
                key = f"{role}_{language}"
                if key in request.form:
                    library.set_default_template(role, language, request.form[key][:64] or None,
                                                 actor=Actor.of(current_user), now=utcnow())

    attempt(work, done=_("Default templates saved."))
    return redirect(url_for("admin_templates.index") + "#defaults")


def _examples() -> tuple[dict, str | None]:
    """Field values from the newest contract (its coordinating site), else the sample values."""
    contract = db.session.execute(db.select(Contract).order_by(Contract.id.desc()).limit(1)).scalar_one_or_none()
    if contract is None or contract.coordinating_track is None:
        return sample_context(), None
    track = contract.coordinating_track
    return ops.template_context(contract, track, local_date(utcnow(), track.site.timezone)), contract.reference


def _shown(value) -> str:
    """A value as the field list shows it: the budget as its number of rows, a column by its first value."""
    if isinstance(value, list) and any(isinstance(v, dict) for v in value):
        return ngettext("%(num)d row", "%(num)d rows", len(value))
    if isinstance(value, list):
        value = next((v for v in value if v not in (None, "")), None)
    return "" if value is None else str(value)


def _capital(text) -> str:
    text = str(text)
    return text[:1].upper() + text[1:]


@bp.get("/<int:template_id>")
@login_required
@role_required("admin")
def show(template_id: int):
    """One version: the fields it uses, what each means, an example from a real contract."""
    template = _template(template_id)
    context, reference = _examples()
    samples = sample_context()
    required = required_fields(template)
    fields = [{"name": name, "label": _capital(FIELDS[name].label) if name in FIELDS else "",
               "description": str(FIELDS[name].description) if name in FIELDS else "", "required": name in required,
               "example": _shown(value_at(context, name)), "sample": _shown(value_at(samples, name))}
              for name in sorted(template.fields, key=lambda n: (list(FIELDS).index(n) if n in FIELDS else 999, n))]
    return render_template("admin/template.html", template=template, fields=fields, reference=reference,
                           retire_form=RetireForm(), regulated_form=RegulatedForm(),
                           title_of=library.template_title)


@bp.get("/<int:template_id>/preview.pdf")
@login_required
@role_required("admin")
def preview_pdf(template_id: int):
    """The version filled with a sample contract, as PDF."""
    template = _template(template_id)
    try:
        pdf = preview.preview_pdf(template)
    except DomainError as exc:
        flash(_("Not done: %(why)s", why=exc.explain()), "error")
        return redirect(url_for("admin_templates.show", template_id=template.id))
    return send_file(BytesIO(pdf), mimetype="application/pdf", as_attachment=False,
                     download_name=template.filename.rsplit(".", 1)[0] + "-preview.pdf")


@bp.get("/<int:template_id>/download")
@login_required
@role_required("admin")
def download(template_id: int):
    """The version's .docx as uploaded."""
    template = _template(template_id)
    return send_file(BytesIO(template.content), as_attachment=True, mimetype=DOCX,
                     download_name=f"{template.name}-v{template.version}.docx")


@bp.post("/<int:template_id>/retire")
@login_required
@role_required("admin")
def retire(template_id: int):
    """Retire a version (no longer offered; kept) or offer it again."""
    template = _template(template_id)
    form = RetireForm()
    if not form.validate_on_submit():
        abort(400)
    retiring = form.retire.data == "1"
    attempt(lambda: library.set_retired(template, retiring, actor=Actor.of(current_user), now=utcnow()),
            done=_("Version %(n)d of %(name)s retired.", n=template.version, name=template.name) if retiring
            else _("Version %(n)d of %(name)s is offered again.", n=template.version, name=template.name))
    return redirect(url_for("admin_templates.show", template_id=template.id))


@bp.post("/<int:template_id>/regulated")
@login_required
@role_required("admin")
def regulated(template_id: int):
    """Mark the template as a regulated model (its text outside the fields locked), or not."""
    template = _template(template_id)
    form = RegulatedForm()
    if not form.validate_on_submit() or form.regulated.data not in ("0", "1"):
        abort(400)
    marking = form.regulated.data == "1"
    attempt(lambda: library.set_regulated(template, marking, actor=Actor.of(current_user), now=utcnow()),
            done=_("%(name)s is a regulated model: changes to its text outside the fields are deviations.",
                   name=template.name) if marking else _("%(name)s is no longer a regulated model.",
                                                         name=template.name))
    return redirect(url_for("admin_templates.show", template_id=template.id))
