"""Changing a contract's details after it was created, until its terms are agreed.

Once the coordinating site has agreed the terms (its track has left review and the
sponsor's hands), the agreements carry those details: changing them then takes a new
negotiation round (``reopen``), never a quiet edit.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from tracker import audit
from tracker.contracts.input import parse_changes
from tracker.contracts.site_details import apply_site_details
from tracker.errors import Conflict, Forbidden
from tracker.extensions import db
from tracker.models import Contract
from tracker.people.roles import is_site_staff, takes_part
from tracker.stages import rules

EDITABLE_STAGES = frozenset({rules.COMPLETENESS, rules.AWAITING_DOCUMENTS, rules.REVIEW, rules.WITH_SPONSOR})


def edit_refusal(contract: Contract) -> str | None:
    """Why the contract's details can no longer change, or None while they can."""
    coordinating = contract.coordinating_track
    if contract.status == "cancelled":
        return str(_l("%(ref)s is cancelled; its details can no longer change.", ref=contract.reference))
    if contract.status != "open" or coordinating is None or coordinating.stage not in EDITABLE_STAGES:
        return str(_l("The terms of %(ref)s are agreed: its details can no longer be edited. Reopen the "
                      "negotiation from the coordinating site's track to change them.", ref=contract.reference))
    return None


def update_contract(contract: Contract, data: dict, *, actor: audit.Actor, now: datetime) -> dict:
    """Apply the changes given and audit each field; returns {field: (old, new)}.

    Staff of the coordinating site (or an admin) may change everything; staff of an
    associated site only the name of their own site's investigator.
    """
    if not takes_part(actor, contract):
        raise Forbidden(str(_l("Only staff of the sites taking part may edit %(ref)s.", ref=contract.reference)))
    refusal = edit_refusal(contract)
    if refusal:
        raise Conflict(refusal)
    tracks = contract.ordered_tracks
    details, investigators, site_details = parse_changes(data, [t.site for t in tracks])
    changes = audit.diff(contract, details, details)
    track_changes = {}
    for track in tracks:
        if investigators is not None and investigators.get(track.site.code) != track.investigator_name:
            track_changes[track] = {"investigator_name": (track.investigator_name,
                                                          investigators.get(track.site.code))}
        own = site_details.get(track.site.code, {})
        for name, value in own.items():
            if getattr(track, name) != value:
                track_changes.setdefault(track, {})[name] = (getattr(track, name), value)
    coordinator = contract.coordinating_track.site_id
    if (changes or any(t.site_id != actor.site_id for t in track_changes)) and not is_site_staff(actor, coordinator):
        raise Forbidden(str(_l("Only staff of the coordinating site may change the trial's details; you may "
                               "change your own site's investigator and figures.")))
    for field, (_old, new) in changes.items():
        setattr(contract, field, new)
    if changes:
        db.session.flush()
        audit.record(actor, "contract", contract.id, changes, now=now, contract_id=contract.id)
    for track, diff in track_changes.items():
        if "investigator_name" in diff:
            track.investigator_name = diff["investigator_name"][1]
            changes[f"investigators.{track.site.code}"] = diff["investigator_name"]
        for name, change in apply_site_details(track, {k: new for k, (_o, new) in diff.items()
                                                       if k != "investigator_name"}).items():
            changes[f"site_details.{track.site.code}.{name}"] = change
        db.session.flush()
        audit.record(actor, "track", track.id, diff, now=now, contract_id=contract.id)
    return changes
