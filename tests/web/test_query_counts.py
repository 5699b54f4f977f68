"""The busiest pages and endpoints read the database a fixed number of times, however many rows they show.

Each page is asked twice: with a few contracts, then with many more contracts, events and
documents behind it. The number of SQL statements must not grow with the rows (no query per
row, the classic N+1), and stays within a small budget. A new feature that adds a query per
row fails here before it slows the queue at 100,000 contracts.
"""
from __future__ import annotations

import contextlib

import pytest
from sqlalchemy import event

from tracker import audit
from tracker.extensions import db
from tracker.models import Contract
from tracker.pipeline.operations import apply_action
from tests.helpers.web import PASSWORD, csrf_token

# Statements per request: generous enough for a small change, tight enough to catch a query per row.
BUDGETS = {
    "queue": 16, "contract list": 14, "contract page": 26, "dashboard": 30, "portal": 14,
    "api list": 8, "api contract": 14,
}


@contextlib.contextmanager
def counted(app):
    """Count the SQL statements sent while the block runs (every connection of the app's engine)."""
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_rest):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _advance(app, reference: str, now, actions=("mark_complete", "send_to_sponsor")) -> None:
    """Move a contract's coordinating track on, so its page has events to show."""
    with app.app_context():
        contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
        for action in actions:
            apply_action(contract.coordinating_track, action, actor=audit.SYSTEM, now=now, effective_at=now)
        db.session.commit()


@pytest.fixture
def world(make_sponsor, make_user, make_contract, token_for, now):
    sponsor = make_sponsor()
    staff = make_user("legal", "GR")
    manager = make_user("manager", "GR")
    sponsor_user = make_user("sponsor", None, sponsor="Novacure Oncology SA")
    first = make_contract(sponsor)

    def grow(n: int) -> None:
        for _ in range(n):
            reference = make_contract(sponsor)
            _advance_later.append(reference)

    _advance_later: list[str] = []
    return {"sponsor": sponsor, "staff": staff, "manager": manager, "sponsor_user": sponsor_user, "first": first,
            "grow": grow, "advance": _advance_later, "token": token_for(staff)}


def _client(app, email):
    client = app.test_client()
    if email:
        token = csrf_token(client, "/login")
        answer = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
        assert answer.status_code == 302
    return client


def _statements(app, client, path: str, headers=None) -> int:
    client.get(path, headers=headers)  # caches warmed: the policy, the calendars, the session
    with counted(app) as seen:
        response = client.get(path, headers=headers)
    assert response.status_code == 200, (path, response.status_code)
    return len(seen)


def _pages(world):
    first = world["first"]
    bearer = {"Authorization": f"Bearer {world['token']}"}
    return [
        ("queue", world["staff"], "/", None),
        ("contract list", world["staff"], "/contracts", None),
        ("contract page", world["staff"], f"/contracts/{first}", None),
        ("dashboard", world["manager"], "/dashboard/", None),
        ("portal", world["sponsor_user"], "/portal/", None),
        ("api list", None, "/api/v1/contracts", bearer),
        ("api contract", None, f"/api/v1/contracts/{first}", bearer),
    ]


def test_hot_pages_read_a_fixed_number_of_times(app, world, now):
    _advance(app, world["first"], now)
    before = {name: _statements(app, _client(app, person), path, headers)
              for name, person, path, headers in _pages(world)}

    world["grow"](12)
    for reference in world["advance"]:
        _advance(app, reference, now)
    _advance(app, world["first"], now, ("sponsor_replied", "send_to_sponsor") * 4)  # more rounds on its page
    after = {name: _statements(app, _client(app, person), path, headers)
             for name, person, path, headers in _pages(world)}

    grew = {name: (before[name], after[name]) for name in before if after[name] > before[name]}
    assert not grew, f"statements grew with the rows (before, after): {grew}"
    over = {name: count for name, count in after.items() if count > BUDGETS[name]}
    assert not over, f"over budget {BUDGETS}: {over}"


def _in_signature(app, sponsor, make_contract, sites, now) -> str:
    """A contract agreed at every site, each with its version fixed and the institution's signatory named."""
    from tests.helpers.actors import STAFF
    from tests.helpers.contract_data import CONTRACT_DETAILS
    from tracker.documents.operations import generate
    from tracker.signing import signatories
    from tracker.timeutil import local_date

    details = {**CONTRACT_DETAILS, "investigators": {**CONTRACT_DETAILS["investigators"], "LY": "Dr Jeanne Roux"},
               "site_details": {**CONTRACT_DETAILS["site_details"], "LY": CONTRACT_DETAILS["site_details"]["IB"]}}
    details = {**details, "investigators": {k: v for k, v in details["investigators"].items() if k in sites},
               "site_details": {k: v for k, v in details["site_details"].items() if k in sites}}
    reference = make_contract(sponsor, sites=sites, **details)
    with app.app_context():
        contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
        for track in contract.ordered_tracks:
            generate(contract, track.site.code, f"{track.role}_fr", actor=STAFF, now=now, today=local_date(now))
        for track in contract.ordered_tracks:
            for action in (("mark_complete", "agree") if track.role == "coordinating" else ("conformity_ok",)):
                apply_action(track, action, actor=STAFF, now=now, effective_at=now)
            signatories.name(track, {"party": "institution", "name": "Dr Anne Martin", "email": "a.martin@site.test",
                                     "language": "fr", "user_id": None}, actor=STAFF, now=now)
        db.session.commit()
    return reference


def test_the_contract_page_in_signature_reads_as_often_for_three_sites_as_for_two(app, builtin_templates, make_sponsor,
                                                                                  make_user, make_contract, now):
    from tests.helpers.contract_data import SPONSOR_IDENTITY
    from tracker.models.sites import Site
    from tracker.people.sites import create_site

    with app.app_context():
        bergonie = db.session.execute(db.select(Site).where(Site.code == "IB")).scalar_one()
        identity = {name: getattr(bergonie, name) for name in ("legal_name", "address", "finess", "siret",
                                                                "representative", "representative_title")}
        create_site({**identity, "code": "LY", "name": "Centre Léon Bérard", "country": "FR"}, actor=audit.SYSTEM,
                    now=now)
        db.session.commit()
    sponsor, staff = make_sponsor("Novacure Oncology SA", "FR", **SPONSOR_IDENTITY), make_user("legal", "GR")
    two = _in_signature(app, sponsor, make_contract, ("GR", "IB"), now)
    three = _in_signature(app, sponsor, make_contract, ("GR", "IB", "LY"), now)
    client = _client(app, staff)
    counts = {n: _statements(app, client, f"/contracts/{ref}") for n, ref in ((2, two), (3, three))}
    page = client.get(f"/contracts/{three}").get_data(as_text=True)
    assert page.count('class="track signing"') == 3 and "Dr Anne Martin" in page  # the panels are there
    assert counts[3] == counts[2], f"statements grew with the sites (two sites, three sites): {counts}"
    assert counts[3] <= BUDGETS["contract page"], counts


def test_the_contract_page_reads_its_amendments_at_once(app, make_sponsor, make_user, make_contract, now):
    from tests.helpers.actors import ADMIN
    from tests.helpers.amendments import day, execute
    from tracker.contracts.amendments import create_amendment

    reference = make_contract(make_sponsor())
    execute(app, reference, now)
    client = _client(app, make_user("legal", "GR"))

    def amend(sites):
        with app.app_context():
            parent = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
            create_amendment(parent, {"title": "More patients", "received_on": day(0), "sites": list(sites)},
                             actor=ADMIN, now=now)
            db.session.commit()

    amend(("GR", "IB"))
    one = _statements(app, client, f"/contracts/{reference}")
    amend(("IB",))  # GR's staff take no part in this one: not listed to them
    amend(("GR",))
    amend(("GR", "IB"))
    four = _statements(app, client, f"/contracts/{reference}")
    page = client.get(f"/contracts/{reference}").get_data(as_text=True)
    assert [f"{reference}-A{n}" in page for n in (1, 2, 3, 4)] == [True, False, True, True]
    assert four == one, f"statements grew with the amendments (one, four): {(one, four)}"
    assert four <= BUDGETS["contract page"]
