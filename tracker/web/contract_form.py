"""The page that creates a contract; its rules live in ``tracker.contracts.input``."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker.access import role_required
from tracker.audit import Actor
from tracker.contracts.input import parse_contract
from tracker.contracts.operations import create_contract
from tracker.database import utcnow
from tracker.errors import InvalidInput
from tracker.extensions import db
from tracker.models import Site, Sponsor
from tracker.people.roles import STAFF_ROLES
from tracker.timeutil import local_date
from tracker.web.contracts import bp
from tracker.web.forms import ContractForm, SelectChoice
from tracker.web.helpers import attempt


def _budget_rows(text: str) -> list[dict]:
    rows = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) < 2:
            raise InvalidInput({"budget": _("Line %(n)d: write item | amount | unit.", n=number)})
        rows.append({"item": parts[0], "amount": parts[1], "unit": parts[2] if len(parts) > 2 else "EUR"})
    return rows


def _fill_choices(form: ContractForm) -> None:
    sponsors = db.session.execute(db.select(Sponsor).order_by(Sponsor.name)).scalars().all()
    sites = db.session.execute(db.select(Site).order_by(Site.code)).scalars().all()
    form.sponsor_id.choices = [SelectChoice("", "—")] + [SelectChoice(str(s.id), s.name) for s in sponsors]
    form.coordinating_site.choices = [SelectChoice(s.code, s.name) for s in sites]
    form.sites.choices = [SelectChoice(s.code, s.name) for s in sites]


@bp.route("/contracts/new", methods=["GET", "POST"])
@login_required
@role_required(*STAFF_ROLES)
def new():
    """Create a contract: validation messages appear beside the fields."""
    form = ContractForm()
    _fill_choices(form)
    if request.method == "GET" and current_user.site:
        form.coordinating_site.data = current_user.site.code
    if form.validate_on_submit():
        now = utcnow()
        data = {k: v for k, v in form.data.items() if k not in ("csrf_token", "budget")}
        errors = {}
        try:
            data["budget"] = _budget_rows(form.budget.data)
        except InvalidInput as exc:
            errors.update(exc.errors)
        try:
            draft = parse_contract(data, today=local_date(now))
        except InvalidInput as exc:
            errors = {**exc.errors, **errors}
        if not errors:
            done, contract = attempt(lambda: create_contract(draft, actor=Actor.of(current_user), now=now,
                                                             created_by_id=current_user.id))
            if done:
                flash(_("Contract %(ref)s created.", ref=contract.reference), "success")
                return redirect(url_for("contracts.show", reference=contract.reference))
        for name, message in errors.items():
            getattr(form, name, form.title).errors.append(message)
    status = 422 if form.errors else 200
    return render_template("contracts/new.html", form=form), status


