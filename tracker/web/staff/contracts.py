"""Staff pages: the contract list, a contract's page, and the actions taken from it."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker.access import contract_route, role_required
from tracker.audit import Actor
from tracker.contracts.search import MAX_QUERY, PAGE_LOADS, contract_search, page_of
from tracker.database import utcnow
from tracker.documents import versions
from tracker.extensions import db
from tracker.models import Contract, Event, Site, User
from tracker.people.roles import STAFF_ROLES, is_site_staff
from tracker.stages import rules
from tracker.pipeline.input import parse_action
from tracker.pipeline.operations import apply_action, set_owner
from tracker.pipeline.permissions import open_parties
from tracker.sla.calendars import site_calendar
from tracker.signing.fixing import fixed_by_track
from tracker.sla.state import contract_states, stored_state
from tracker.timeutil import local_date
from tracker.web.staff import amendments, contracts_bp as bp, documents, signatories
from tracker.web.shared.forms import ActionForm, OwnerForm, SelectChoice, action_forms
from tracker.web.shared.helpers import attempt
from tracker.web.shared.paging import page_number, pager_of



@bp.route("/contracts")
@login_required
def index():
    """Contracts the user's site takes part in, searchable and paginated."""
    if current_user.role == "sponsor":
        return redirect(url_for("portal.index"))
    q = request.args.get("q", "").strip()[:MAX_QUERY]
    site = request.args.get("site", "").strip().upper()[:16]
    stage = request.args.get("stage", "").strip()
    if stage not in rules.ALL_STAGES:
        stage = ""
    number, per_page = page_number(), current_app.config["PAGE_SIZE"]
    contracts, total, exact = page_of(contract_search(current_user, q, site, stage), number, per_page,
                                      options=PAGE_LOADS)
    sites = db.session.execute(db.select(Site).order_by(Site.code)).scalars().all()
    now = utcnow()
    calendars = {s.id: site_calendar(s) for s in sites}
    states = {t.id: stored_state(t, calendars[t.site_id], local_date(now, t.site.timezone), t.site.timezone)
              for c in contracts for t in c.tracks}
    return render_template("contracts/index.html", contracts=contracts, total=total, q=q, site=site, stage=stage,
                           sites=sites, stages=rules.ALL_STAGES, states=states,
                           pager=pager_of(number, total, per_page, exact=exact, q=q, site=site, stage=stage))


def _panels(contract: Contract, actor: Actor, events: list[Event]) -> list[dict]:
    """Each site's track with its state, the actions this person may take (next move first) and its owner form.
    ``events`` are all the contract's events, read once for the page."""
    states = contract_states(contract, utcnow(), events)
    mine = [t.site_id for t in contract.tracks if is_site_staff(actor, t.site_id) and t.stage not in rules.CLOSED_STAGES]
    legal_of: dict[int, list[User]] = {site_id: [] for site_id in mine}
    if mine:  # the owner choices of every site, in one query
        for user in db.session.execute(db.select(User).where(
                User.site_id.in_(mine), User.role == "legal", User.active.is_(True)).order_by(User.name)).scalars():
            legal_of[user.site_id].append(user)
    panels = []
    for track in contract.ordered_tracks:
        forms = action_forms(actor, track, ActionForm)
        for rule, form in forms:
            if rule.name == "sign":  # offer only the signatures still missing
                form.party.choices = [c for c in form.party.choices if c.value in open_parties(actor, track)]
        owner_form = None
        if is_site_staff(actor, track.site_id) and track.stage not in rules.CLOSED_STAGES:
            owner_form = OwnerForm(prefix=f"owner{track.id}", formdata=None)
            owner_form.owner.choices = [SelectChoice("", _("Nobody: all legal staff"))] + [
                SelectChoice(str(u.id), u.name) for u in legal_of[track.site_id]]
            owner_form.owner.data = str(track.owner_id or "")
        panels.append({"track": track, "forms": forms, "state": states[track.id], "owner_form": owner_form,
                       "fourth_round": track.round > 3})
    return panels


@bp.route("/contracts/<reference>")
@login_required
@role_required(*STAFF_ROLES)
@contract_route
def show(contract: Contract):
    """A contract, its tracks with the actions allowed now, and the timeline."""
    events = db.session.execute(
        db.select(Event).where(Event.contract_id == contract.id).order_by(Event.effective_at, Event.id)
    ).scalars().all()
    cancellation = next((e for e in reversed(events) if e.action == "cancel" and e.track.role == "coordinating"),
                        None) if contract.status == "cancelled" else None
    in_use = versions.in_use(contract.id)  # read once: the documents and the signing sections both use them
    fixed = fixed_by_track([t.id for t in contract.tracks])
    return render_template("contracts/show.html", contract=contract, panels=_panels(contract, Actor.of(current_user), events),
                           events=events, cancellation=cancellation, **documents.page_context(contract, in_use, fixed),
                           signing=signatories.panels(contract, in_use, fixed), **amendments.page_context(contract))


def _track_of(contract: Contract, track_id: int):
    track = next((t for t in contract.tracks if t.id == track_id), None)
    if track is None:
        abort(404)
    return track


def _back_to(contract: Contract, track) -> tuple:
    return redirect(url_for("contracts.show", reference=contract.reference) + f"#track-{track.site.code}"), 303


@bp.route("/contracts/<reference>/tracks/<int:track_id>/actions", methods=["POST"])
@login_required
@role_required(*STAFF_ROLES)
@contract_route
def act(contract: Contract, track_id: int):
    """Apply one action from a track's form; the page then says what changed, at that track."""
    track = _track_of(contract, track_id)
    action = request.form.get("action", "")
    form = ActionForm(prefix=f"t{track.id}-{action}")
    if action != "sign":
        del form.party  # only a signature's form says who signed; elsewhere it would fail as a bad choice
    if not form.validate_on_submit():
        abort(400)
    data = {"site": track.site.code, "action": action, "effective_at": form.effective_at.data,
            "party": form.party.data if action == "sign" else None, "comment": form.comment.data,
            "for_sponsor": form.for_sponsor.data, "version": form.version.data}
    before = track.stage

    def work():
        wanted = parse_action(contract, data, from_form=True)
        return apply_action(track, wanted.action, actor=Actor.of(current_user), now=utcnow(), **wanted.arguments())

    done, event = attempt(work)
    if done:
        words = rules.event_label(event.action, event.party)
        if event.to_stage != before:
            words = _("%(what)s at %(site)s: now %(stage)s.", what=words, site=track.site.name,
                      stage=rules.STAGE_LABELS[event.to_stage])
        else:
            words = _("%(what)s at %(site)s.", what=words, site=track.site.name)
        flash(words, "success")
    return _back_to(contract, track)


@bp.route("/contracts/<reference>/tracks/<int:track_id>/owner", methods=["POST"])
@login_required
@role_required(*STAFF_ROLES)
@contract_route
def owner(contract: Contract, track_id: int):
    """Give the track to one legal user of its site, or to nobody."""
    track = _track_of(contract, track_id)
    form = OwnerForm(prefix=f"owner{track.id}")
    if not form.validate_on_submit():
        abort(400)
    raw = (form.owner.data or "").strip()
    user_id = int(raw) if raw.isdigit() and len(raw) < 10 else None
    if raw and user_id is None:
        user_id = -1  # not a user id: let the operation refuse it with its message
    attempt(lambda: set_owner(track, user_id, actor=Actor.of(current_user), now=utcnow()),
            done=_("Owner of the %(site)s track saved.", site=track.site.name))
    return _back_to(contract, track)
