"""Sponsors over the API: list, read, register (admin) and change their legal identity."""
from __future__ import annotations

from flask import jsonify, request

from tracker.access import caller, role_required
from tracker.api import bp, now
from tracker.api.errors import json_body
from tracker.audit import Actor
from tracker.errors import NotFound
from tracker.extensions import db
from tracker.models import Sponsor
from tracker.people.roles import STAFF_ROLES
from tracker.people.sponsors import (
    IDENTITY_FIELDS, create_sponsor, may_edit_sponsor, search_sponsors, unknown_fields, update_sponsor,
)
from tracker.transaction import atomic

MAX_LIST = 500


def sponsor_json(sponsor: Sponsor) -> dict:
    body = {"id": sponsor.id, **{field: getattr(sponsor, field) for field in IDENTITY_FIELDS}}
    body["contacts"] = [{"name": c.name, "email": c.email, "role": c.role, "phone": c.phone}
                        for c in sponsor.contacts]
    return body


def _sponsor(sponsor_id: int) -> Sponsor:
    sponsor = db.session.get(Sponsor, sponsor_id)
    if sponsor is None:
        raise NotFound("No such sponsor.")
    return sponsor


@bp.get("/sponsors")
@role_required(*STAFF_ROLES)
def list_sponsors():
    """Sponsors by name, those matching ?q= (name or legal name) when given (staff)."""
    q = request.args.get("q", "").strip()[:100]
    rows = db.session.execute(search_sponsors(db.select(Sponsor), q).limit(MAX_LIST)).scalars().all()
    user = caller()
    # Any staff member may pick any sponsor for a new contract; the legal identity and the contacts
    # are shown to those who work with the sponsor (its sites' staff) and admins only.
    return jsonify({"sponsors": [sponsor_json(s) if may_edit_sponsor(user, s) else
                                 {"id": s.id, "name": s.name, "country": s.country} for s in rows]})


@bp.get("/sponsors/<int:sponsor_id>")
@role_required(*STAFF_ROLES)
def get_sponsor(sponsor_id: int):
    """One sponsor with its legal identity and contacts (admins, and staff of sites working with it)."""
    sponsor = _sponsor(sponsor_id)
    if not may_edit_sponsor(caller(), sponsor):
        raise NotFound("No such sponsor.")  # answered like a sponsor that does not exist
    return jsonify(sponsor_json(sponsor))


@bp.post("/sponsors")
@role_required("admin")
def post_sponsor():
    """Register a sponsor company with its legal identity (admin)."""
    data = json_body()
    unknown_fields(data)
    with atomic():
        sponsor = create_sponsor(data, actor=Actor.of(caller()), now=now())
    return jsonify(sponsor_json(sponsor)), 201


@bp.patch("/sponsors/<int:sponsor_id>")
@role_required(*STAFF_ROLES)
def patch_sponsor(sponsor_id: int):
    """Change some of a sponsor's fields (admin, or staff of a site working with it)."""
    data = json_body()
    unknown_fields(data)
    with atomic():
        sponsor = _sponsor(sponsor_id)
        if not may_edit_sponsor(caller(), sponsor):
            raise NotFound("No such sponsor.")  # as for reading: no telling it exists
        update_sponsor(sponsor, data, actor=Actor.of(caller()), now=now())
    return jsonify(sponsor_json(sponsor))
