"""Sponsor pages: the list (search, pages), a new sponsor (admin) and its legal identity and contacts.

Admins see and change every sponsor; legal staff and managers those their site works with
(``people.sponsors.may_edit_sponsor``). The checks are the operation's, as for the API.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, FieldList, Form, FormField, StringField

from tracker.access import role_required
from tracker.audit import Actor
from tracker.database import utcnow
from tracker.extensions import db
from tracker.models import Sponsor
from tracker.people.roles import STAFF_ROLES
from tracker.people.sponsors import (
    IDENTITY_FIELDS, create_sponsor, editable_sponsors, may_edit_sponsor, search_sponsors, update_sponsor,
)
from tracker.web.shared.forms import SponsorIdentityForm, attempt_form, country_choices, place_errors, render_form
from tracker.web.shared.paging import page_number, pager

bp = Blueprint("admin_sponsors", __name__, url_prefix="/sponsors")
# The fields an agreement needs from a sponsor; the list says how many are still empty.
AGREEMENT_FIELDS = ("legal_name", "legal_form", "registration_number", "address", "country", "representative",
                    "representative_title")


class ContactForm(Form):
    name = StringField(_l("Name"))
    email = StringField(_l("E-mail"))
    role = StringField(_l("Role"), description=_l("Such as clinical operations or legal counsel."))
    phone = StringField(_l("Telephone"))
    remove = BooleanField(_l("Remove"))

    def is_blank(self) -> bool:
        return not any((f.data or "").strip() for f in (self.name, self.email, self.role, self.phone))


class SponsorForm(FlaskForm, SponsorIdentityForm):
    contacts = FieldList(FormField(ContactForm), max_entries=60)


def missing(sponsor: Sponsor) -> int:
    return sum(1 for field in AGREEMENT_FIELDS if not getattr(sponsor, field))


@bp.get("")
@login_required
@role_required(*STAFF_ROLES)
def index():
    """Sponsors this person may change, searchable by name, paginated."""
    q = request.args.get("q", "").strip()[:100]
    stmt = search_sponsors(editable_sponsors(current_user), q)
    page = db.paginate(stmt, page=page_number(), per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template("admin/sponsors.html", page=page, q=q, missing=missing, pager=pager(page, q=q))


def _form(sponsor: Sponsor | None = None) -> SponsorForm:
    form = SponsorForm(obj=sponsor) if request.method == "GET" and sponsor else SponsorForm()
    form.country.choices = country_choices()
    if not form.contacts.entries or not form.contacts.entries[-1].form.is_blank():
        form.contacts.append_entry()
    return form


def _submitted(form: SponsorForm) -> tuple[dict, list]:
    """The identity and the kept contacts, with the form row each contact came from."""
    data = {name: form[name].data or "" for name in IDENTITY_FIELDS}
    rows = [entry.form for entry in form.contacts.entries
            if not entry.form.is_blank() and not entry.form.remove.data]
    data["contacts"] = [{"name": r.name.data, "email": r.email.data, "role": r.role.data, "phone": r.phone.data}
                        for r in rows]
    return data, rows


def _show_errors(form: SponsorForm, rows: list, errors: dict) -> list[str]:
    contact_errors = {k: v for k, v in errors.items() if k.startswith("contacts.")}
    for key, message in contact_errors.items():
        _contacts, number, field = (key.split(".") + ["", ""])[:3]
        if number.isdigit() and 0 < int(number) <= len(rows) and field in rows[int(number) - 1]._fields:
            rows[int(number) - 1][field].errors = [str(message)]
    return place_errors(form, {k: v for k, v in errors.items() if k not in contact_errors})


def _save(form: SponsorForm, work):
    data, rows = _submitted(form)
    return attempt_form(form, lambda: work(data), place=lambda errors: _show_errors(form, rows, errors))


@bp.route("/new", methods=["GET", "POST"])
@login_required
@role_required("admin")
def new():
    """Register a sponsor with its legal identity and contacts."""
    form = _form()
    problems = []
    if form.validate_on_submit():
        outcome = _save(form, lambda data: create_sponsor(data, actor=Actor.of(current_user), now=utcnow()))
        if outcome.done:
            flash(_("Sponsor %(name)s created.", name=outcome.value.name), "success")
            return redirect(url_for("admin_sponsors.edit", sponsor_id=outcome.value.id))
        problems = outcome.problems
    elif request.method == "POST":
        abort(400)
    return render_form("admin/sponsor_form.html", form, problems, sponsor=None)


@bp.route("/<int:sponsor_id>", methods=["GET", "POST"])
@login_required
@role_required(*STAFF_ROLES)
def edit(sponsor_id: int):
    """Change a sponsor's legal identity and contacts; each change is audited field by field."""
    sponsor = db.get_or_404(Sponsor, sponsor_id)
    if not may_edit_sponsor(current_user, sponsor):
        abort(404)  # answered like a sponsor that does not exist
    form = _form(sponsor)
    problems = []
    if form.validate_on_submit():
        outcome = _save(form, lambda data: update_sponsor(sponsor, data, actor=Actor.of(current_user), now=utcnow()))
        if outcome.done:
            flash(_("Sponsor %(name)s saved.", name=sponsor.name) if outcome.value else _("Nothing changed."),
                  "success")
            return redirect(url_for("admin_sponsors.edit", sponsor_id=sponsor.id))
        problems = outcome.problems
    elif request.method == "POST":
        abort(400)
    return render_form("admin/sponsor_form.html", form, problems, sponsor=sponsor)
