"""A contract's event log over the API: read it, or add an action."""
from __future__ import annotations

from flask import jsonify

from tracker.access import caller, contract_route
from tracker.api import bp, now
from tracker.api.errors import json_body
from tracker.api.serializers import event_json
from tracker.audit import Actor
from tracker.errors import InvalidInput
from tracker.extensions import db
from tracker.models import Contract, Event
from tracker.pipeline.operations import apply_action
from tracker.timeutil import parse_instant

EVENT_FIELDS = {"site", "action", "effective_at", "party", "comment", "for_sponsor"}


@bp.get("/contracts/<reference>/events")
@contract_route
def list_events(contract: Contract):
    """Events in the order they took effect; sponsors see no internal comments."""
    events = db.session.execute(
        db.select(Event).where(Event.contract_id == contract.id).order_by(Event.effective_at, Event.id)
    ).scalars().all()
    for_sponsor = caller().role == "sponsor"
    return jsonify({"events": [event_json(e, for_sponsor=for_sponsor) for e in events]})


@bp.post("/contracts/<reference>/events")
@contract_route
def post_event(contract: Contract):
    """Apply an action to one site's track: 201, or 403/409/422 saying why not."""
    data = json_body()
    errors = {k: "Unknown field." for k in sorted(set(data) - EVENT_FIELDS)}
    for name in ("site", "action"):
        if not isinstance(data.get(name), str) or not data.get(name):
            errors[name] = "This field is required."
    for name in ("party", "comment"):
        if data.get(name) is not None and not isinstance(data.get(name), str):
            errors[name] = "Expected text."
    effective_at = None
    if data.get("effective_at") is not None:
        try:
            effective_at = parse_instant(data["effective_at"])
        except (ValueError, TypeError):
            errors["effective_at"] = "Expected an ISO-8601 time with its zone, such as 2026-03-09T10:00:00+01:00."
    if not isinstance(data.get("for_sponsor", False), bool):
        errors["for_sponsor"] = "Expected true or false."
    if errors:
        raise InvalidInput(errors)
    track = next((t for t in contract.tracks if t.site.code == data["site"].upper()), None)
    if track is None:
        raise InvalidInput({"site": f"Site {data['site']} does not take part in {contract.reference}."})
    user = caller()
    event = apply_action(track, data["action"], actor=Actor.of(user), now=now(), effective_at=effective_at,
                         party=data.get("party"), comment=data.get("comment"),
                         for_sponsor=bool(data.get("for_sponsor", False)))
    db.session.commit()
    return jsonify(event_json(event, for_sponsor=user.role == "sponsor")), 201
