"""Naming a party's signatory over the API (SPEC 5b, 5c): the link goes out once the version is fixed."""
from __future__ import annotations

from flask import jsonify

from tracker.access import caller, contract_route, role_required
from tracker.api import bp, now
from tracker.api.errors import json_body
from tracker.audit import Actor
from tracker.errors import InvalidInput
from tracker.models import Contract
from tracker.people.roles import STAFF_ROLES
from tracker.signing import links, signatories
from tracker.transaction import atomic


def signatory_json(signatory, track, *, with_email: bool = True) -> dict:
    link = links.open_link(signatory)
    body = {"site": track.site.code, "party": signatory.party, "name": signatory.name,
            "language": signatory.language, "named_at": signatory.named_at.isoformat(), "capacity": signatory.capacity,
            "link_sent_at": link.created_at.isoformat() if link else None,
            "link_expires_at": link.expires_at.isoformat() if link else None,
            "signed_at": (getattr(track, f"{signatory.party}_signed_at") or None) and
            getattr(track, f"{signatory.party}_signed_at").isoformat()}
    if with_email:
        body["email"] = signatory.email
    return body


@bp.post("/contracts/<reference>/signatories")
@role_required(*STAFF_ROLES)
@contract_route
def post_signatory(contract: Contract):
    """Name (or change) who signs for one party of a site: 201, with the link sent if the version is fixed."""
    data = json_body()
    code = data.get("site")
    track = next((t for t in contract.tracks if isinstance(code, str) and t.site.code == code.strip().upper()), None)
    if track is None:
        raise InvalidInput({"site": f"Site {str(code)[:20]} does not take part in {contract.reference}."
                            if code else "This field is required."})
    with atomic():
        wanted = signatories.parse(track, data)
        signatory = signatories.name(track, wanted, actor=Actor.of(caller()), now=now())
        body = signatory_json(signatory, track)
    return jsonify(body), 201
