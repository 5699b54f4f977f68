"""Contracts over the API: create, list what the caller may see, read one."""
from __future__ import annotations

from flask import abort, jsonify, request

from tracker.access import caller, contract_route, role_required, visible_contracts
from tracker.api import bp, now
from tracker.api.errors import json_body
from tracker.api.serializers import contract_json
from tracker.audit import Actor
from tracker.extensions import db
from tracker.models import Contract
from tracker.models.people import STAFF_ROLES
from tracker.operations.contract_input import parse_contract
from tracker.operations.contracts import create_contract
from tracker.timeutil import local_date

MAX_PAGE = 500


@bp.post("/contracts")
@role_required(*STAFF_ROLES)
def post_contract():
    """Create a contract with its tracks (staff)."""
    data = json_body()
    at = now()
    draft = parse_contract(data, today=local_date(at), strict_fields=True)
    user = caller()
    contract = create_contract(draft, actor=Actor.of(user), now=at, created_by_id=user.id)
    db.session.commit()
    return jsonify(contract_json(contract, now=at)), 201


@bp.get("/contracts")
def list_contracts():
    """The contracts the caller may see, newest first; ?limit= and ?offset= page through them."""
    try:
        limit = min(int(request.args.get("limit", 100)), MAX_PAGE)
        offset = max(int(request.args.get("offset", 0)), 0)
    except ValueError:
        abort(400)
    if limit < 1:
        abort(400)
    user = caller()
    stmt = visible_contracts(user).order_by(Contract.id.desc())
    total = db.session.execute(db.select(db.func.count()).select_from(stmt.subquery())).scalar()
    rows = db.session.execute(stmt.limit(limit).offset(offset)).scalars().all()
    return jsonify({"contracts": [contract_json(c, full=False) for c in rows],
                    "total": total, "limit": limit, "offset": offset})


@bp.get("/contracts/<reference>")
@contract_route
def get_contract(contract: Contract):
    """One contract with its tracks."""
    return jsonify(contract_json(contract, now=now()))
