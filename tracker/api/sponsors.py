"""POST /api/v1/sponsors."""
from __future__ import annotations

from flask import jsonify

from tracker.access import caller, role_required
from tracker.api import bp, now
from tracker.api.errors import json_body
from tracker.audit import Actor
from tracker.people.operations import create_sponsor
from tracker.transaction import atomic


@bp.post("/sponsors")
@role_required("admin")
def post_sponsor():
    """Register a sponsor company (admin)."""
    data = json_body()
    with atomic():
        sponsor = create_sponsor(data, actor=Actor.of(caller()), now=now())
    return jsonify({"id": sponsor.id, "name": sponsor.name, "country": sponsor.country}), 201
