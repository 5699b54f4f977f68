"""Staff pages: the contract list, a contract's page, the create form and track actions."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from tracker.access import contract_route, role_required, visible_contracts
from tracker.audit import Actor
from tracker.database import utcnow
from tracker.errors import DomainError, InvalidInput
from tracker.extensions import db
from tracker.models import Contract, Event, Site, Sponsor, Track
from tracker.models.people import STAFF_ROLES
from tracker.operations.contract_input import parse_contract
from tracker.operations.contracts import create_contract
from tracker.pipeline.operations import apply_action
from tracker.pipeline.permissions import allowed_actions, open_parties
from tracker.pipeline.rules import ALL_STAGES
from tracker.sla.service import site_calendar, stage_medians, stored_status, track_sla
from tracker.timeutil import local_date, zone
from tracker.web import documents
from tracker.web.forms import ActionForm, ContractForm, SelectChoice

bp = Blueprint("contracts", __name__)


def contract_search(user, q: str, site: str, stage: str):
    """The list query: visible contracts matching the search text and filters."""
    stmt = visible_contracts(user, db.select(Contract).join(Contract.sponsor))
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(db.or_(
            db.func.lower(Contract.reference).like(like),
            db.func.lower(Sponsor.name).like(like),
            db.func.lower(Contract.protocol_number).like(like),
            db.func.lower(Contract.title).like(like),
            db.func.lower(db.func.coalesce(Contract.acronym, "")).like(like),
        ))
    if site:
        stmt = stmt.where(Contract.id.in_(
            db.select(Track.contract_id).join(Track.site).where(Site.code == site)))
    if stage:
        stmt = stmt.where(Contract.id.in_(db.select(Track.contract_id).where(Track.stage == stage)))
    # The list shows every track and its site: load them with the page, not row by row.
    return stmt.options(selectinload(Contract.sponsor),
                        selectinload(Contract.tracks).selectinload(Track.site)).order_by(Contract.id.desc())


@bp.route("/")
@login_required
def index():
    """Contracts the user's site takes part in, searchable and paginated."""
    if current_user.role == "sponsor":
        return redirect(url_for("portal.index"))
    q = request.args.get("q", "").strip()[:100]
    site = request.args.get("site", "").strip().upper()[:16]
    stage = request.args.get("stage", "").strip()
    if stage not in ALL_STAGES:
        stage = ""
    page = db.paginate(contract_search(current_user, q, site, stage),
                       per_page=current_app.config["PAGE_SIZE"], error_out=False)
    sites = db.session.execute(db.select(Site).order_by(Site.code)).scalars().all()
    now = utcnow()
    calendars = {s.id: site_calendar(s) for s in sites}
    statuses = {t.id: stored_status(t, calendars[t.site_id], local_date(now, t.site.timezone))
                for c in page.items for t in c.tracks}
    return render_template("contracts/index.html", page=page, q=q, site=site, stage=stage,
                           sites=sites, stages=ALL_STAGES, statuses=statuses)


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
            contract = create_contract(draft, actor=Actor.of(current_user), now=now, created_by_id=current_user.id)
            db.session.commit()
            flash(_("Contract %(ref)s created.", ref=contract.reference), "success")
            return redirect(url_for("contracts.show", reference=contract.reference))
        for name, message in errors.items():
            getattr(form, name, form.title).errors.append(message)
    status = 422 if form.errors else 200
    return render_template("contracts/new.html", form=form), status


@bp.route("/contracts/<reference>")
@login_required
@role_required(*STAFF_ROLES)
@contract_route
def show(contract: Contract):
    """A contract, its tracks with the actions allowed now, and the timeline."""
    actor = Actor.of(current_user)
    now = utcnow()
    sla = track_sla(contract, now, stage_medians(now))
    panels = []
    for track in contract.tracks:
        forms = []
        for rule in allowed_actions(actor, track):
            form = ActionForm(prefix=f"t{track.id}-{rule.name}", formdata=None)
            form.action.data = rule.name
            form.version.data = str(track.version)
            if rule.name == "sign":  # offer only the signatures still missing
                form.party.choices = [c for c in form.party.choices if c.value in open_parties(actor, track)]
            forms.append((rule, form))
        panels.append((track, forms, sla[track.id]))
    events = db.session.execute(
        db.select(Event).where(Event.contract_id == contract.id).order_by(Event.effective_at, Event.id)
    ).scalars().all()
    return render_template("contracts/show.html", contract=contract, panels=panels, events=events,
                           **documents.page_context(contract))


@bp.route("/contracts/<reference>/tracks/<int:track_id>/actions", methods=["POST"])
@login_required
@role_required(*STAFF_ROLES)
@contract_route
def act(contract: Contract, track_id: int):
    """Apply one action from a track's form; refusals are explained on the page."""
    track = next((t for t in contract.tracks if t.id == track_id), None)
    if track is None:
        abort(404)
    action = request.form.get("action", "")
    form = ActionForm(prefix=f"t{track.id}-{action}")
    if action != "sign":
        del form.party  # only a signature's form says who signed; elsewhere it would fail as a bad choice
    if not form.validate_on_submit():
        abort(400)
    try:
        effective_at = _parse_local(form.effective_at.data, track.site.timezone)
        version = int(form.version.data) if (form.version.data or "").isdigit() else None
        # The action comes unprefixed from the page; the form's own prefixed "action" field is never sent.
        apply_action(track, action, actor=Actor.of(current_user), now=utcnow(),
                     effective_at=effective_at, party=form.party.data if action == "sign" else None,
                     comment=(form.comment.data or "").strip() or None, for_sponsor=form.for_sponsor.data,
                     expected_version=version)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        detail = "; ".join(exc.errors.values()) if isinstance(exc, InvalidInput) else exc.message
        flash(_("Not done: %(why)s", why=detail), "error")
        return redirect(url_for("contracts.show", reference=contract.reference)), 303
    flash(_("Done."), "success")
    return redirect(url_for("contracts.show", reference=contract.reference)), 303


def _parse_local(value: str | None, tz: str) -> datetime | None:
    """A date-time typed on the page is read in the site's own time zone."""
    if not value or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput({"effective_at": _("Use a date and time such as 2026-03-09 14:30.")})
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone(tz))
    return parsed
