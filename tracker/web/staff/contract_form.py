"""The pages that create a contract and edit its details; the rules live in ``tracker.contracts``.

Both work without JavaScript: the budget has a few empty rows, "Add a row" and each row's
"Remove" are submit buttons that redisplay the form; static/contract_form.js does the same
in place when scripts run.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from tracker.access import contract_route, role_required
from tracker.audit import Actor
from tracker.contracts.budget import COMMON_UNITS, check_row
from tracker.contracts.editing import edit_refusal, update_contract
from tracker.contracts.input import parse_contract
from tracker.contracts.operations import create_contract
from tracker.database import utcnow
from tracker.errors import DomainError, InvalidInput
from tracker.extensions import db
from tracker.models import Contract, Site, Sponsor
from tracker.people.input import find_sponsor
from tracker.people.roles import STAFF_ROLES
from tracker.people.sponsors import check_sponsor, create_sponsor
from tracker.timeutil import local_date
from tracker.transaction import atomic
from tracker.web.staff import contracts_bp as bp
from tracker.web.shared.forms import BLANK_BUDGET_ROWS, ContractDetailsForm, ContractForm, InvestigatorForm, SelectChoice, \
    country_choices, place_errors
from tracker.web.shared.helpers import attempt

NEW_SPONSOR = object()  # stands for the sponsor the form creates, while the contract is checked
MAX_DATALIST = 2000


def _sites() -> list[Site]:
    return db.session.execute(db.select(Site).order_by(Site.code)).scalars().all()


def _prepare(form: ContractDetailsForm, sites: list[Site]) -> None:
    """One investigator line per site, and a few empty budget rows to type into."""
    typed = form.investigator_names() if request.method == "POST" else {}
    details = {e.form.site.data: {name: e.form[name].data for name in InvestigatorForm.DETAILS}
               for e in form.investigators.entries} if request.method == "POST" else {}
    while form.investigators.entries:
        form.investigators.pop_entry()
    for site in sites:
        entry = form.investigators.append_entry({"site": site.code, "name": typed.get(site.code, ""),
                                                 **details.get(site.code, {})})
        entry.label.text = _("Principal investigator at %(site)s", site=site.name)
        for name in InvestigatorForm.DETAILS:  # one line per site: each label names its site
            field = entry.form[name]
            field.label.text = f"{field.label.text}, {site.name}"
    if "remove_row" in request.form:
        raw = request.form["remove_row"]
        kept = [e for i, e in enumerate(form.budget.entries) if str(i) != raw]
        form.budget.entries = kept
    if "add_row" in request.form or len(form.budget.entries) < BLANK_BUDGET_ROWS:
        form.budget.append_entry()
    while len(form.budget.entries) < BLANK_BUDGET_ROWS:
        form.budget.append_entry()


def _budget(form: ContractDetailsForm) -> tuple[list[dict], bool]:
    """The filled rows as dicts; problems go beside each row's fields."""
    rows, ok = [], True
    for _index, row in form.budget_rows():
        values = {"item": row.item.data, "amount": row.amount.data, "unit": row.unit.data}
        _cleaned, problems = check_row(values, default_unit=None)
        for name, message in problems.items():
            getattr(row, name).errors = [str(message)[:1].upper() + str(message)[1:] + "."]
            ok = False
        rows.append(values)
    return rows, ok


def _page(template: str, form, status: int = 200, **context):
    sponsors = db.session.execute(db.select(Sponsor.name).order_by(Sponsor.name).limit(MAX_DATALIST)).scalars()
    return render_template(template, form=form, sponsor_names=list(sponsors), units=COMMON_UNITS,
                           **context), status


def _sponsor_choice(form: ContractForm, errors: dict):
    """The sponsor picked by name, or NEW_SPONSOR with its checked identity, or None (errors say why)."""
    typed = (form.sponsor.data or "").strip()
    identity = form.new_sponsor.form.identity()
    creating = bool(identity["name"].strip())
    if typed and creating:
        errors["sponsor"] = _("Pick an existing sponsor or create a new one, not both.")
    elif creating:
        try:
            check_sponsor(identity)
        except InvalidInput as exc:
            errors.update({f"new_sponsor.{k}": v for k, v in exc.errors.items()})
        return NEW_SPONSOR, identity
    elif not typed:
        errors["sponsor"] = _("Pick the sponsor from the list, or create it below.")
    else:
        sponsor = find_sponsor(typed[:200])
        if sponsor is None:
            errors["sponsor"] = _("No sponsor is named %(name)s. Pick one from the list, or create it below.",
                                  name=typed[:200])
        return sponsor, None
    return None, None


@bp.route("/contracts/new", methods=["GET", "POST"])
@login_required
@role_required(*STAFF_ROLES)
def new():
    """Create a contract; validation messages appear beside the fields."""
    form = ContractForm()
    sites = _sites()
    form.coordinating_site.choices = [SelectChoice(s.code, s.name) for s in sites]
    form.sites.choices = [SelectChoice(s.code, s.name) for s in sites]
    form.new_sponsor.form.country.choices = country_choices()
    _prepare(form, sites)
    now = utcnow()
    if request.method == "GET":
        if current_user.site:
            form.coordinating_site.data = current_user.site.code
        form.received_on.data = local_date(now, current_user.site.timezone if current_user.site else
                                           "Europe/Paris").isoformat()
        return _page("contracts/new.html", form)
    if not form.validate_on_submit():
        abort(400)
    if "add_row" in request.form or "remove_row" in request.form:
        return _page("contracts/new.html", form)
    errors: dict = {}
    sponsor, identity = _sponsor_choice(form, errors)
    rows, rows_ok = _budget(form)
    taking_part = {form.coordinating_site.data, *(form.sites.data or [])}
    data = {"title": form.title.data, "acronym": form.acronym.data, "protocol_number": form.protocol_number.data,
            "eu_ct_number": form.eu_ct_number.data, "phase": form.phase.data, "indication": form.indication.data,
            "patients": form.patients.data, "language": form.language.data, "coordinating_site": form.coordinating_site.data,
            "sites": form.sites.data or [], "received_on": form.received_on.data, "budget": rows,
            "cro": form.cro.data,
            "investigators": form.investigator_names(),
            "site_details": form.site_details(taking_part)}
    draft = None
    try:
        draft = parse_contract(data, today=local_date(now), sponsor=sponsor or NEW_SPONSOR, associated_only=True)
    except InvalidInput as exc:
        placed = {k for k in exc.errors if k.startswith("investigators.")}
        errors.update({k: v for k, v in exc.errors.items()
                       if not (k == "budget" and not rows_ok) and not (k == "investigators" and placed)})
    beside_sites = len(errors)
    errors = form.place_site_errors(errors)
    beside_sites -= len(errors)
    if errors or not rows_ok or beside_sites:
        left = place_errors(form, errors)
        return _page("contracts/new.html", form, 422, problems=left)

    def work():
        if draft.sponsor is NEW_SPONSOR:
            draft.sponsor = create_sponsor(identity, actor=Actor.of(current_user), now=now)
        return create_contract(draft, actor=Actor.of(current_user), now=now, created_by_id=current_user.id)

    done, contract = attempt(work)
    if not done:
        return _page("contracts/new.html", form, 422)
    flash(_("Contract %(ref)s created.", ref=contract.reference), "success")
    return redirect(url_for("contracts.show", reference=contract.reference))


@bp.app_template_global("contract_editable")
def contract_editable(contract: Contract) -> bool:
    """Whether the contract page offers "Edit the details" (the edit page says why not otherwise)."""
    return edit_refusal(contract) is None


def _fill_from(form: ContractDetailsForm, contract: Contract) -> None:
    for name in ("title", "acronym", "protocol_number", "eu_ct_number", "phase", "indication", "cro", "language"):
        getattr(form, name).data = getattr(contract, name) or ""
    form.patients.data = str(contract.patients or "")
    while form.budget.entries:
        form.budget.pop_entry()
    for row in contract.budget or []:
        form.budget.append_entry(row)


def _changed_site_details(form: ContractDetailsForm, tracks) -> dict[str, dict]:
    """The site lines whose figures differ from what is stored, so that an associated site's staff can
    save their own line without touching (and being refused on) the others'."""
    typed = form.site_details({t.site.code for t in tracks})
    changed = {}
    for track in tracks:
        stored = {"investigator_title": track.investigator_title or "",
                  "investigator_department": track.investigator_department or "",
                  "investigator_rpps": track.investigator_rpps or "", "patients": str(track.patients or ""),
                  "budget": [{"item": r["item"], "amount": str(r["amount"]), "unit": r["unit"]}
                             for r in track.budget or []],
                  "third_party": track.third_party or ""}
        values = typed.get(track.site.code)
        if values is not None and values != stored:
            changed[track.site.code] = {k: v for k, v in values.items() if v != stored[k]}
    return changed


@bp.route("/contracts/<reference>/edit", methods=["GET", "POST"])
@login_required
@role_required(*STAFF_ROLES)
@contract_route
def edit(contract: Contract):
    """Change the trial's details, budget and investigators until the terms are agreed."""
    refusal = edit_refusal(contract)
    if refusal:
        flash(refusal, "error")
        return redirect(url_for("contracts.show", reference=contract.reference))
    form = ContractDetailsForm()
    tracks = contract.ordered_tracks
    if request.method == "GET":
        _fill_from(form, contract)
    _prepare(form, [t.site for t in tracks])
    if request.method == "GET":
        for entry, track in zip(form.investigators.entries, tracks):
            entry.form.name.data = track.investigator_name or ""
            entry.form.fill(track)
        return _page("contracts/edit.html", form, contract=contract)
    if not form.validate_on_submit():
        abort(400)
    if "add_row" in request.form or "remove_row" in request.form:
        return _page("contracts/edit.html", form, contract=contract)
    rows, rows_ok = _budget(form)
    data = {name: getattr(form, name).data for name in ("title", "acronym", "protocol_number", "eu_ct_number",
                                                        "phase", "indication", "patients", "cro")}
    if request.form.get("language"):  # a form without the field (an older page) leaves the language as it is
        data["language"] = form.language.data
    data.update(budget=rows, investigators=form.investigator_names(),
                site_details=_changed_site_details(form, tracks))
    if rows_ok:
        try:
            with atomic():
                changes = update_contract(contract, data, actor=Actor.of(current_user), now=utcnow())
        except InvalidInput as exc:
            left = place_errors(form, form.place_site_errors(exc.errors))
            return _page("contracts/edit.html", form, 422, contract=contract, problems=left)
        except DomainError as exc:  # not allowed, or the terms were agreed meanwhile
            flash(_("Not done: %(why)s", why=exc.explain()), "error")
            return _page("contracts/edit.html", form, exc.status, contract=contract)
        flash(ngettext("%(ref)s saved: %(num)d change.", "%(ref)s saved: %(num)d changes.", len(changes),
                       ref=contract.reference) if changes else _("Nothing changed."), "success")
        return redirect(url_for("contracts.show", reference=contract.reference))
    return _page("contracts/edit.html", form, 422, contract=contract)
