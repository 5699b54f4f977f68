"""The sponsor's portal: its contracts (its move first), a contract's page, and the CSV export."""
from __future__ import annotations

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy.orm import selectinload
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from tracker.access import contract_route, role_required
from tracker.audit import Actor
from tracker.documents import negotiation
from tracker.contracts.search import MAX_QUERY
from tracker.database import utcnow
from tracker.extensions import db
from tracker.models import Contract, Site
from tracker.stages import rules
from tracker.portal.documents import sent_document_ids, sponsor_documents
from tracker.portal.overview import WHOSE, deadline_words, portal_page, portal_query
from tracker.portal.timeline import sponsor_timeline
from tracker.sla.state import contract_states, stored_contract_states
from tracker.web.portal import bp
from tracker.web.shared.forms import action_forms
from tracker.web.shared.csv_export import csv_response
from tracker.web.shared.paging import page_number, pager_of

PER_PAGE = 20
EXPORT_LIMIT = 5000


class SponsorActionForm(FlaskForm):
    version = HiddenField()
    signed_on = StringField(_l("Date of the signature"), description=_l("Leave empty for today."))
    comment = TextAreaField(_l("Comment for the site"))


class RedlineForm(FlaskForm):
    site = SelectField(_l("Site"), validate_choice=False)
    file = FileField(_l("Your redline (.docx)"))
    reply = BooleanField(_l("This is our reply: give the file back to the site"), default=True)
    comment = TextAreaField(_l("Your reply comment"))


class MessageForm(FlaskForm):
    site = SelectField(_l("To"), validate_choice=False)
    body = TextAreaField(_l("Message"))


def _filters() -> dict:
    whose = request.args.get("whose", "")
    return {"q": request.args.get("q", "").strip()[:MAX_QUERY],
            "site": request.args.get("site", "").strip().upper()[:16],
            "whose": whose if whose in WHOSE else ""}


def _rows(contracts, now) -> dict:
    """Each track's state and deadline sentence, keyed by track id: from the fields stored on the tracks, so
    a page of twenty contracts reads none of their events."""
    rows = {}
    for contract in contracts:
        states = stored_contract_states(contract, now)
        for track in contract.tracks:
            rows[track.id] = (states[track.id], deadline_words(track, states[track.id]))
    return rows


@bp.get("/")
@login_required
@role_required("sponsor")
def index():
    """The sponsor's contracts: where it is its move first (held longest at the top), then the others."""
    filters = _filters()
    number = page_number()
    contracts, total, exact = portal_page(current_user, number, PER_PAGE, **filters,
                                          options=(selectinload(Contract.tracks),))
    sites = db.session.execute(db.select(Site).order_by(Site.code)).scalars().all()
    args = {k: v for k, v in filters.items() if v}
    return render_template("portal/index.html", contracts=contracts, rows=_rows(contracts, utcnow()), sites=sites,
                           filters=filters, args=args, pager=pager_of(number, total, PER_PAGE, exact=exact, **args))


EXPORT_COLUMNS = (_l("Reference"), _l("Acronym"), _l("Trial"), _l("Site"), _l("Role"), _l("Stage"), _l("Next move"),
                  _l("Deadline"), _l("Due on"), _l("Regulatory ceiling"), _l("Internal target"),
                  _l("Expected signature"), _l("Sites executed"))


def _export_rows(contracts, now):
    for contract in contracts:
        states = contract_states(contract, now)
        for track in contract.ordered_tracks:
            state = states[track.id]
            who = rules.holder(track.stage, track.signatures)
            yield [contract.reference, contract.acronym, contract.title, track.site.name,
                   rules.ROLE_LABELS[track.role], rules.STAGE_LABELS.get(track.stage, track.stage),
                   rules.HOLDER_LABELS.get(who, "") if who else "", deadline_words(track, state), state.due_on,
                   state.regulatory_due_on, state.target_due_on, state.predicted_execution_on, contract.executed_sites]


@bp.get("/contracts.csv")
@login_required
@role_required("sponsor")
def export():
    """The list as CSV (UTF-8 with a byte-order mark, cells a spreadsheet cannot take for formulas)."""
    contracts = db.session.execute(portal_query(current_user, **_filters()).limit(EXPORT_LIMIT)).scalars().all()
    return csv_response("contracts.csv", EXPORT_COLUMNS, _export_rows(contracts, utcnow()))


def _panels(contract: Contract, actor: Actor) -> list[dict]:
    states = contract_states(contract, utcnow())
    panels = []
    for track in contract.ordered_tracks:
        forms = action_forms(actor, track, SponsorActionForm)
        state = states[track.id]
        panels.append({"track": track, "state": state, "words": deadline_words(track, state), "forms": forms,
                       "who": rules.holder(track.stage, track.signatures)})
    return panels


def contract_page(contract: Contract, redline_form=None, message_form=None, status: int = 200):
    """The sponsor's page of one contract (also re-shown with a form's errors)."""
    tracks = contract.ordered_tracks
    redline_form = redline_form or RedlineForm(prefix="redline", formdata=None)
    redline_form.site.choices = [SelectChoice(t.site.code, t.site.name) for t in tracks]
    message_form = message_form or MessageForm(prefix="msg", formdata=None)
    message_form.site.choices = [SelectChoice(t.site.code, t.site.name) for t in tracks]
    documents = sponsor_documents(contract)
    return render_template("portal/contract.html", contract=contract, panels=_panels(contract, Actor.of(current_user)),
                           timeline=sponsor_timeline(contract), documents=documents,
                           sent_ids=sent_document_ids(contract), redline_form=redline_form,
                           message_form=message_form, **negotiation.portal_markers(contract)), status


@bp.get("/contracts/<reference>")
@login_required
@role_required("sponsor")
@contract_route
def contract(contract: Contract):
    """One of the sponsor's contracts: each site's state, documents, actions, messages and history."""
    return contract_page(contract)

