"""Contracts over the API: create, list what the caller may see, read one."""
from __future__ import annotations

from flask import jsonify, request
from sqlalchemy.orm import selectinload

from tracker.access import caller, contract_route, role_required
from tracker.api import bp, now
from tracker.api.errors import json_body
from tracker.api.serializers import contract_json
from tracker.audit import Actor
from tracker.errors import InvalidInput
from tracker.contracts.input import parse_contract
from tracker.contracts.operations import create_contract
from tracker.contracts.visibility import visible_contracts
from tracker.extensions import db
from tracker.models import Contract, Track
from tracker.people.roles import STAFF_ROLES
from tracker.timeutil import local_date
from tracker.transaction import atomic

MAX_PAGE = 500
MAX_OFFSET = 10_000_000


def _whole(text: str, name: str, low: int, high: int) -> int:
    """A query parameter that must be a whole number within bounds, else 400 naming it."""
    if not text.isdigit() or not low <= int(text) <= high:
        raise InvalidInput({name: f"Expected a whole number from {low} to {high}."})
    return int(text)


@bp.post("/contracts")
@role_required(*STAFF_ROLES)
def post_contract():
    """Create a contract with its tracks (staff)."""
    data = json_body()
    at = now()
    user = caller()
    with atomic():
        draft = parse_contract(data, today=local_date(at), strict_fields=True)
        contract = create_contract(draft, actor=Actor.of(user), now=at, created_by_id=user.id)
    return jsonify(contract_json(contract, now=at)), 201


@bp.get("/contracts")
def list_contracts():
    """The contracts the caller may see, newest first; ?limit= and ?offset= page through them.

    ``next_offset`` is where the next page starts, or null on the last page. The list does not
    count every visible contract on each call: one row more than the page tells whether more follow.
    """
    limit = _whole(request.args.get("limit", "100"), "limit", 1, MAX_PAGE)
    offset = _whole(request.args.get("offset", "0"), "offset", 0, MAX_OFFSET)
    user = caller()
    stmt = visible_contracts(user).order_by(Contract.id.desc())
    # One query per relation for the whole page, not one per contract.
    rows = db.session.execute(stmt.limit(limit + 1).offset(offset).options(
        selectinload(Contract.sponsor), selectinload(Contract.tracks).selectinload(Track.site))).scalars().all()
    more = len(rows) > limit
    return jsonify({"contracts": [contract_json(c, full=False) for c in rows[:limit]],
                    "limit": limit, "offset": offset, "next_offset": offset + limit if more else None})


# Everything the full JSON reads of each track, in one query per relation for the whole contract.
FULL_LOADS = (selectinload(Contract.sponsor), selectinload(Contract.tracks).options(
    selectinload(Track.site), selectinload(Track.events), selectinload(Track.owner)))


@bp.get("/contracts/<reference>")
@contract_route(options=FULL_LOADS)
def get_contract(contract: Contract):
    """One contract with its tracks."""
    return jsonify(contract_json(contract, now=now(), for_sponsor=caller().role == "sponsor"))
