"""A contract's event log over the API: read it, or add an action."""
from __future__ import annotations

from flask import jsonify

from tracker.access import caller, contract_route
from tracker.api import bp, now
from tracker.api.errors import json_body
from tracker.api.serializers import event_json
from tracker.audit import Actor
from tracker.extensions import db
from tracker.models import Contract, Event
from tracker.pipeline.input import parse_action
from tracker.pipeline.operations import apply_action
from tracker.transaction import atomic


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
    wanted = parse_action(contract, json_body())
    user = caller()
    with atomic():
        event = apply_action(wanted.track, wanted.action, actor=Actor.of(user), now=now(), **wanted.arguments())
    return jsonify(event_json(event, for_sponsor=user.role == "sponsor")), 201
