"""Contracts over the API: create, list what the caller may see, read one."""
from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace

from flask import Response, abort, current_app, jsonify, request
from sqlalchemy import bindparam
from sqlalchemy.orm import selectinload

from tracker.access import caller, contract_route, reader, role_required
from tracker.api import READ_ALONG, answers, bp, etags, now
from tracker.api.errors import json_body
from tracker.api.serializers import contract_json, summary_json
from tracker.audit import Actor
from tracker.errors import InvalidInput
from tracker.contracts import regulatory
from tracker.contracts.amendments import create_amendment
from tracker.contracts.editing import update_contract
from tracker.contracts.input import parse_contract
from tracker.contracts.operations import create_contract
from tracker.contracts.visibility import load_contract, visible_contracts, visible_to
from tracker.extensions import db
from tracker.models import Contract, Site, Sponsor, Track, User
from tracker.people import tokens
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


@bp.patch("/contracts/<reference>")
@role_required(*STAFF_ROLES)
@contract_route
def patch_contract(contract: Contract):
    """Change a contract's details, investigators or site details until its terms are agreed, and its
    regulatory status at any time (staff)."""
    data = json_body()
    at = now()
    status = {k: data.pop(k) for k in list(data) if k in regulatory.FIELDS} if isinstance(data, dict) else {}
    with atomic():
        if data or not status:
            update_contract(contract, data, actor=Actor.of(caller()), now=at)
        if status:
            regulatory.update_regulatory(contract, status, actor=Actor.of(caller()), now=at)
    return jsonify(contract_json(contract, now=at))


@bp.post("/contracts/<reference>/amendments")
@role_required(*STAFF_ROLES)
@contract_route
def post_amendment(contract: Contract):
    """Create an amendment of an executed contract (staff of a participating site): 201 with it."""
    data = json_body()
    at = now()
    user = caller()
    with atomic():
        amendment = create_amendment(contract, data, actor=Actor.of(user), now=at, created_by_id=user.id)
    return jsonify(contract_json(amendment, now=at)), 201


@bp.get("/contracts")
def list_contracts():
    """The contracts the caller may see, newest first; ?limit= and ?offset= page through them.

    ``next_offset`` is where the next page starts, or null on the last page. The list does not
    count every visible contract on each call: one row more than the page tells whether more follow.
    """
    limit = _whole(request.args.get("limit", "100"), "limit", 1, MAX_PAGE)
    offset = _whole(request.args.get("offset", "0"), "offset", 0, MAX_OFFSET)
    user, at = reader(), now()
    rows = _run(_versions_query, user, {"limit": limit + 1, "offset": offset}).all()
    ids = [row.id for row in rows]
    more = len(ids) > limit
    # The page's ids and versions are the tag: an unchanged page is answered before it is built.
    tag = etags.tag_for(user, at, "list", limit, offset, [(row.id, row.version) for row in rows],
                        rules=etags.rules_of(rows[0]) if rows else None)
    if etags.matches(tag):
        return etags.not_modified(tag)
    # The tag names the page's contracts and versions, so the same page is the same answer for anyone
    # whose tag it is; nothing on it depends on the day.
    body = answers.get(tag, at)
    if body is None:
        body = jsonify({"contracts": contract_summaries(ids[:limit]), "limit": limit, "offset": offset,
                        "next_offset": offset + limit if more else None}).get_data()
        answers.put(tag, body, (), at)
    return etags.tagged(_json(body), tag)


def _json(body: bytes) -> Response:
    return Response(body, mimetype=current_app.json.mimetype)


def contract_summaries(ids: list[int]) -> list[dict]:
    """``summary_json`` of these contracts, in this order, from two plain queries (no ORM objects:
    a page of a hundred contracts spent most of its time building them)."""
    if not ids:
        return []
    rows = {row.id: row for row in db.session.execute(
        db.select(Contract.id, Contract.reference, Contract.sponsor_id, Sponsor.name.label("sponsor_name"),
                  Contract.title, Contract.acronym, Contract.protocol_number, Contract.phase, Contract.status,
                  Contract.received_on).join(Sponsor, Sponsor.id == Contract.sponsor_id).where(Contract.id.in_(ids)))}
    tracks: dict[int, list] = {}
    for t in db.session.execute(db.select(Track.contract_id, Track.role, Track.id, Site.code, Track.stage)
                                .join(Site, Site.id == Track.site_id).where(Track.contract_id.in_(ids))):
        tracks.setdefault(t.contract_id, []).append((t.role, t.id, t.code, t.stage))
    return [summary_json(rows[i], rows[i].sponsor_name, tracks.get(i, [])) for i in ids]


# Everything the full JSON reads of each track, in one query per relation for the whole contract.
FULL_LOADS = (selectinload(Contract.sponsor), selectinload(Contract.tracks).options(
    selectinload(Track.site), selectinload(Track.events), selectinload(Track.owner)))


def _visible(role: str | None, site: bool, sponsor: bool, stmt):
    """``visible_contracts`` for a reader of this kind, with its site and sponsor as parameters: the one rule,
    in a statement built and compiled once per kind of reader whose values alone change per request."""
    viewer = SimpleNamespace(role=role, site_id=bindparam("site_id") if site else None,
                             sponsor_id=bindparam("sponsor_id") if sponsor else None)
    return visible_contracts(viewer, stmt)


_columns = Contract.__table__.c


@lru_cache(maxsize=64)
def _version_query(role: str | None, site: bool, sponsor: bool):
    """The id, version and rules' fingerprint of the contract with a reference, if the reader may see it."""
    return _visible(role, site, sponsor, db.select(_columns.id, _columns.version, *etags.RULE_COLUMNS)
                    .where(_columns.reference == bindparam("reference")))


@lru_cache(maxsize=64)
def _versions_query(role: str | None, site: bool, sponsor: bool):
    """A page of the ids and versions of the contracts the reader may see, newest first, with the rules'
    fingerprint."""
    return _visible(role, site, sponsor, db.select(_columns.id, _columns.version, *etags.RULE_COLUMNS)
                    .order_by(_columns.id.desc()).limit(bindparam("limit")).offset(bindparam("offset")))


def _run(query, user, values: dict):
    """Run one of the queries above for ``user`` on the session's connection (no ORM objects to build)."""
    stmt = query(user.role, user.site_id is not None, user.sponsor_id is not None)
    return db.session.connection().execute(stmt, {**values, "site_id": user.site_id, "sponsor_id": user.sponsor_id})


_users = User.__table__.c
# The token's statement, and beside it the same id, version and fingerprint as ``_version_query`` gives: the
# contract joined only if the token's user may see it (the rule of ``visible_contracts``, on the user's columns).
_TOKEN_AND_VERSION = (tokens.LIVE.add_columns(_columns.id, _columns.version, *etags.RULE_COLUMNS).outerjoin(
    Contract.__table__, db.and_(_columns.reference == bindparam("reference"),
                                visible_to(_users.role, _users.site_id, _users.sponsor_id))))
READ_ALONG["api.get_contract"] = lambda args: (_TOKEN_AND_VERSION, {"reference": str(args.get("reference")).upper()})


def find_version(user, reference: str):
    """(id, version, rule fingerprint...) of the contract with this reference if ``user`` may see it, else None."""
    return _run(_version_query, user, {"reference": reference.upper()}).first()


@bp.get("/contracts/<reference>")
def get_contract(reference: str):
    """One contract with its tracks; 304 when the caller's If-None-Match is still its tag."""
    user, at = reader(), now()
    if not isinstance(reference, str) or len(reference) > 20:
        abort(404)
    # (id, version, rules' fingerprint...): read with the token (READ_ALONG), else now.
    found = getattr(user, "along", None) or find_version(user, reference)
    if found is None or found[0] is None:
        abort(404)
    tag = etags.tag_for(user, at, "contract", found[0], found[1], rules=etags.rules_of(found))
    if etags.matches(tag):
        return etags.not_modified(tag)
    # Access is settled above: the kept answer is only ever this contract's, as this kind of reader sees it.
    body = answers.get(tag, at)
    if body is None:
        contract = load_contract(reference, user, options=FULL_LOADS)
        if contract is None:
            abort(404)
        body = jsonify(contract_json(contract, now=at, for_sponsor=user.role == "sponsor")).get_data()
        answers.put(tag, body, [t.site.timezone for t in contract.tracks], at)
    return etags.tagged(_json(body), tag)
