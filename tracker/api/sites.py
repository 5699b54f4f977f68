"""Sites over the API: list them, add a centre and change its identity or calendar (admin)."""
from __future__ import annotations

from flask import jsonify

from tracker.access import caller, role_required
from tracker.api import bp, now
from tracker.api.errors import json_body
from tracker.audit import Actor
from tracker.errors import InvalidInput, NotFound
from tracker.models import Site
from tracker.people.sites import FIELDS, all_sites, create_site, find_site, update_site
from tracker.transaction import atomic


def site_json(site: Site) -> dict:
    return {field: getattr(site, field) for field in FIELDS}


def _fields(data: dict) -> dict:
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise InvalidInput({name: "Unknown field." for name in unknown})
    return data


@bp.get("/sites")
def list_sites():
    """Every site of the network, by code."""
    return jsonify({"sites": [site_json(s) for s in all_sites()]})


@bp.post("/sites")
@role_required("admin")
def post_site():
    """Add a centre to the network (admin)."""
    data = _fields(json_body())
    with atomic():
        site = create_site(data, actor=Actor.of(caller()), now=now())
    return jsonify(site_json(site)), 201


@bp.patch("/sites/<code>")
@role_required("admin")
def patch_site(code: str):
    """Change a site's legal identity, signatory or calendar settings (admin)."""
    data = _fields(json_body())
    with atomic():
        site = find_site(code)
        if site is None:
            raise NotFound("No such site.")
        update_site(site, data, actor=Actor.of(caller()), now=now())
    return jsonify(site_json(site))
