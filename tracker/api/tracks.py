"""A site's track over the API: give it to one legal user of the site, or to nobody."""
from __future__ import annotations

from flask import jsonify

from tracker.access import caller, contract_route
from tracker.api import bp, now
from tracker.api.errors import json_body
from tracker.api.serializers import track_json
from tracker.audit import Actor
from tracker.errors import InvalidInput, NotFound
from tracker.extensions import db
from tracker.models import Contract, User
from tracker.pipeline.operations import set_owner
from tracker.sla.state import contract_states
from tracker.transaction import atomic

# Stands for "no such user": set_owner refuses it with the same message as any other unfit owner.
NO_SUCH_USER = -1


def _owner_id(data: dict) -> int | None:
    """The user the body names by e-mail, None to clear the owner; InvalidInput for a malformed body."""
    errors = {name: "Unknown field." for name in sorted(set(data) - {"owner"})}
    if "owner" not in data:
        errors["owner"] = "Give the owner's e-mail, or null for nobody."
    elif data["owner"] is not None and not isinstance(data["owner"], str):
        errors["owner"] = "Expected an e-mail address or null."
    if errors:
        raise InvalidInput(errors)
    email = data["owner"]
    if email is None:
        return None
    found = db.session.execute(
        db.select(User.id).where(User.email == email.strip().lower()[:254])).scalar_one_or_none()
    return found if found is not None else NO_SUCH_USER


@bp.put("/contracts/<reference>/tracks/<site>/owner")
@contract_route
def put_track_owner(contract: Contract, site: str):
    """Set the owner of one site's track (staff of that site or an admin): 200 with the track."""
    track = next((t for t in contract.tracks if t.site.code == site.strip().upper()), None)
    if track is None:
        raise NotFound(f"Site {site[:20]} does not take part in {contract.reference}.")
    owner_id = _owner_id(json_body())
    at = now()
    with atomic():
        set_owner(track, owner_id, actor=Actor.of(caller()), now=at)
    return jsonify(track_json(track, contract_states(contract, at)[track.id]))
