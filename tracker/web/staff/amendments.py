"""Staff pages: amending an executed contract (form, confirmation, then the new contract's page), and
recording the trial's regulatory status from the contract's page."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from tracker.access import contract_route, role_required
from tracker.audit import Actor
from tracker.contracts import amendments, regulatory
from tracker.database import utcnow
from tracker.errors import DomainError, InvalidInput
from tracker.models import Contract
from tracker.people.roles import STAFF_ROLES, is_site_staff, takes_part
from tracker.timeutil import local_date
from tracker.web.shared.forms import MultiCheckboxField, attempt_form, place_errors, render_form
from tracker.transaction import atomic

bp = Blueprint("amendments", __name__)
SITE_LABELS = {"activated_on": _l("Site activated on"), "first_patient_on": _l("First patient in on")}
LABELS = {"eu_ct_number": _l("EU CT number"), "ctis_submitted_on": _l("Submitted in CTIS on"),
          "authorised_on": _l("Authorised on")}


class AmendmentForm(FlaskForm):
    title = StringField(_l("What the amendment changes"),
                        description=_l("Its purpose, printed in the amendment: such as 20 more patients."))
    received_on = StringField(_l("Received on"))
    sites = MultiCheckboxField(_l("Sites the amendment concerns"))
    language = SelectField(_l("Language of the amendment"),
                           choices=[SelectChoice("fr", _l("French")), SelectChoice("en", _l("English"))])
    confirm = HiddenField()


class RegulatoryForm(FlaskForm):
    """The contract's fields; each site's dates are read by name (``activated_on-GR``...)."""
    eu_ct_number = StringField(LABELS["eu_ct_number"], description=_l("Such as 2024-512345-21-00."))
    ctis_submitted_on = StringField(LABELS["ctis_submitted_on"])
    authorised_on = StringField(LABELS["authorised_on"])


def page_context(contract: Contract) -> dict:
    """What the contract's page shows of amendments and regulatory status, and the forms this person may use."""
    actor = Actor.of(current_user)
    part = takes_part(actor, contract)
    form = None
    if part:
        form = RegulatoryForm(formdata=None, prefix="reg")
        form.eu_ct_number.data = contract.eu_ct_number or ""
        form.ctis_submitted_on.data = contract.ctis_submitted_on.isoformat() if contract.ctis_submitted_on else ""
        form.authorised_on.data = contract.authorised_on.isoformat() if contract.authorised_on else ""
    return {"can_amend": part and amendments.refusal(contract) is None, "regulatory_form": form,
            "amendments_shown": [a for a in amendments.amendments_of(contract) if takes_part(actor, a)],
            "site_dates_editable": {t.id for t in contract.tracks if part and is_site_staff(actor, t.site_id)
                                    and regulatory.signature_day(t) is not None}}


def _today(contract: Contract):
    track = contract.coordinating_track or contract.tracks[0]
    return local_date(utcnow(), track.site.timezone)


@bp.route("/contracts/<reference>/amendments/new", methods=["GET", "POST"])
@login_required
@role_required(*STAFF_ROLES)
@contract_route
def new(contract: Contract):
    """The amendment form: its purpose, date of receipt, sites and language; then a confirmation."""
    if not takes_part(Actor.of(current_user), contract):
        abort(403)
    why = amendments.refusal(contract)
    if why:
        flash(_("Not done: %(why)s", why=why), "error")
        return redirect(url_for("contracts.show", reference=contract.reference)), 303
    form = AmendmentForm(prefix="amend")
    tracks = amendments.amendable_tracks(contract)
    form.sites.choices = [SelectChoice(t.site.code, t.site.name) for t in tracks]
    context = {"contract": contract, "signed_on": amendments.signed_on(contract)}
    if request.method == "GET":
        form.sites.data = [t.site.code for t in tracks]
        form.language.data = contract.language
        form.received_on.data = _today(contract).isoformat()
        return render_template("amendments/new.html", form=form, problems=[], confirming=False, **context)
    if not form.validate_on_submit():
        return render_form("amendments/new.html", form, [], confirming=False, **context)
    data = {"title": form.title.data, "received_on": form.received_on.data, "sites": form.sites.data or [],
            "language": form.language.data}
    if form.confirm.data != "1":  # check everything, change nothing, and show what will be created
        try:
            amendments.parse_amendment(contract, data, today=_today(contract))
        except InvalidInput as exc:
            return render_form("amendments/new.html", form, place_errors(form, exc.errors), confirming=False,
                               **context)
        form.confirm.data = "1"
        chosen = [c.label for c in form.sites.choices if c.value in data["sites"]]
        return render_template("amendments/new.html", form=form, problems=[], confirming=True, chosen=chosen,
                               **context)
    result = attempt_form(form, lambda: amendments.create_amendment(
        contract, data, actor=Actor.of(current_user), now=utcnow(), created_by_id=current_user.id))
    if not result.done:
        form.confirm.data = ""
        return render_form("amendments/new.html", form, result.problems, confirming=False, **context)
    flash(_("Amendment %(ref)s created: it goes through the same steps as an agreement.",
            ref=result.value.reference), "success")
    return redirect(url_for("contracts.show", reference=result.value.reference)), 303


@bp.post("/contracts/<reference>/regulatory")
@login_required
@role_required(*STAFF_ROLES)
@contract_route
def record_regulatory(contract: Contract):
    """Record the EU CT number, the CTIS dates and this person's sites' activation and first patient."""
    form = RegulatoryForm(prefix="reg")
    if not form.validate_on_submit():
        abort(400)
    actor = Actor.of(current_user)
    data = {"eu_ct_number": form.eu_ct_number.data, "ctis_submitted_on": form.ctis_submitted_on.data,
            "authorised_on": form.authorised_on.data}
    sites = {}
    for track in contract.tracks:
        if is_site_staff(actor, track.site_id) and regulatory.signature_day(track) is not None:
            given = {name: request.form.get(f"{name}-{track.site.code}", "")[:20] for name in SITE_LABELS}
            sites[track.site.code] = given
    if sites:
        data["site_regulatory"] = sites
    try:
        with atomic():
            changes = regulatory.update_regulatory(contract, data, actor=actor, now=utcnow())
    except InvalidInput as exc:
        flash_fields(exc.errors)
    except DomainError as exc:
        flash(_("Not done: %(why)s", why=exc.explain()), "error")
    else:
        flash(_("Regulatory status saved.") if changes else _("Nothing changed."), "success")
    return redirect(url_for("contracts.show", reference=contract.reference) + "#regulatory"), 303


def flash_fields(errors: dict) -> None:
    """Each problem with the name of its field, so a person knows which date to correct."""
    for key, message in errors.items():
        parts = key.split(".")
        if parts[0] == "site_regulatory" and len(parts) == 3:
            label = f"{SITE_LABELS[parts[2]]} ({parts[1]})"
        elif parts[0] == "site_regulatory" and len(parts) == 2:
            label = parts[1]
        else:
            label = LABELS.get(parts[0], parts[-1])
        flash(f"{label}: {message}", "error")
