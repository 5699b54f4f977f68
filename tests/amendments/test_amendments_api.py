"""POST /api/v1/contracts/REF/amendments over real HTTP (SPEC 5b), on whichever engine the suite runs."""
from __future__ import annotations

import threading

import pytest
import requests

from tests.helpers.amendments import day, execute
from tracker.extensions import db
from tracker.models import AuditEntry, Contract


def _count(app):
    with app.app_context():
        return (db.session.execute(db.select(db.func.count(Contract.id))).scalar(),
                db.session.execute(db.select(db.func.count(AuditEntry.id))).scalar())


def test_staff_amend_an_executed_contract_with_its_details_and_sites(app, api, signed, make_user):
    sponsor_id, reference = signed
    client = api(make_user("legal", "IB"))
    response = client.post(f"/contracts/{reference}/amendments",
                           json={"title": "Amendment 1: 20 more patients", "received_on": day(-1), "sites": ["IB"]})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["reference"] == f"{reference}-A1" and body["amends"] == reference
    assert body["title"] == "Amendment 1: 20 more patients" and body["sponsor_id"] == sponsor_id
    assert (body["acronym"], body["protocol_number"], body["eu_ct_number"]) == ("CLAUDIA", "PRO-001",
                                                                                "2024-512345-21-00")
    assert body["status"] == "open" and body["sites"] == ["IB"] and body["coordinating_site"] == "IB"
    assert body["tracks"][0]["stage"] == "completeness"
    both = client.post(f"/contracts/{reference}/amendments",
                       json={"title": "Amendment 2", "received_on": day(0), "sites": ["GR", "IB"], "language": "en"})
    assert both.status_code == 201, both.text
    assert both.json()["reference"] == f"{reference}-A2" and both.json()["coordinating_site"] == "GR"
    assert both.json()["language"] == "en"
    parent = client.get(f"/contracts/{reference}").json()
    assert parent["amends"] is None
    assert [(a["reference"], a["status"]) for a in parent["amendments"]] == [(f"{reference}-A1", "open"),
                                                                           (f"{reference}-A2", "open")]
    with app.app_context():
        amendment = db.session.execute(db.select(Contract).where(Contract.reference == f"{reference}-A1")).scalar_one()
        row = db.session.execute(db.select(AuditEntry).where(AuditEntry.contract_id == amendment.id,
                                                             AuditEntry.field == "amends")).scalar_one()
        assert (row.old_value, row.new_value) == (None, reference)


def test_an_open_contract_cannot_be_amended(app, api, make_sponsor, make_contract, make_user):
    reference = make_contract(make_sponsor())
    client = api(make_user("legal", "GR"))
    before = _count(app)
    response = client.post(f"/contracts/{reference}/amendments", json={
        "title": "Too early", "received_on": day(0), "sites": ["GR"]})
    assert response.status_code == 409 and "not executed" in response.text
    assert _count(app) == before


def test_an_amendment_is_not_amended_itself(api, signed, make_user):
    _sponsor, reference = signed
    client = api(make_user("legal", "GR"))
    first = client.post(f"/contracts/{reference}/amendments",
                        json={"title": "A1", "received_on": day(0), "sites": ["GR"]}).json()["reference"]
    response = client.post(f"/contracts/{first}/amendments", json={"title": "x", "received_on": day(0),
                                                                    "sites": ["GR"]})
    assert response.status_code == 409 and reference in response.json()["error"]["message"]


def test_who_may_amend(app, api, signed, make_user, make_sponsor, make_contract):
    _sponsor, reference = signed
    body = {"title": "A1", "received_on": day(0), "sites": ["GR"]}
    own_sponsor = api(make_user("sponsor", None, sponsor="Novacure Oncology SA"))
    make_sponsor("Helix Therapeutics Inc.", "US")
    other = api(make_user("sponsor", None, sponsor="Helix Therapeutics Inc."))
    gr, elsewhere = api(make_user("legal", "GR")), api(make_user("legal", "IB"))
    lone = make_contract(make_sponsor("Solo Bio"), coordinating="GR", sites=("GR",))
    before = _count(app)
    assert own_sponsor.post(f"/contracts/{reference}/amendments", json=body).status_code == 403
    # a sponsor is refused by role before any contract is looked up: another sponsor's contract and one that
    # does not exist get the same answer, so neither can be told apart (tests/security/test_route_by_role.py)
    assert other.post(f"/contracts/{reference}/amendments", json=body).status_code == 403
    assert other.post("/contracts/FT-1999-0001/amendments", json=body).status_code == 403
    assert api().post(f"/contracts/{reference}/amendments", json=body).status_code == 401
    assert gr.post("/contracts/FT-1999-0001/amendments", json=body).status_code == 404
    assert elsewhere.post(f"/contracts/{lone}/amendments", json=body).status_code == 404
    assert _count(app) == before


@pytest.mark.parametrize("body, field", [
    ({"received_on": "2026-01-01", "sites": ["GR"]}, "title"),
    ({"title": " ", "sites": ["GR"]}, "title"),
    ({"title": "A", "received_on": "yesterday", "sites": ["GR"]}, "received_on"),
    ({"title": "A", "received_on": "2999-01-01", "sites": ["GR"]}, "received_on"),
    ({"title": "A", "received_on": "2001-01-01", "sites": ["GR"]}, "received_on"),  # before the signature
    ({"title": "A", "received_on": None, "sites": ["GR"]}, "received_on"),
    ({"title": "A", "sites": ["XX"]}, "sites"),
    ({"title": "A", "sites": []}, "sites"),
    ({"title": "A", "sites": "GR"}, "sites"),
    ({"title": "A", "sites": ["GR"], "language": "de"}, "language"),
    ({"title": "A", "sites": ["GR"], "phase": "II"}, "phase"),
])
def test_bad_input_is_422_naming_the_field(app, api, signed, make_user, body, field):
    _sponsor, reference = signed
    body = {"received_on": day(0), **body}
    client = api(make_user("legal", "GR"))
    before = _count(app)
    response = client.post(f"/contracts/{reference}/amendments", json=body)
    assert response.status_code == 422, response.text
    assert field in response.json()["error"]["fields"], response.json()
    assert _count(app) == before


def test_two_amendments_asked_at_once_get_two_numbers(app, server, signed, make_user, token_for):
    _sponsor, reference = signed
    tokens = [token_for(make_user("legal", site)) for site in ("GR", "IB", "GR", "IB")]
    barrier = threading.Barrier(len(tokens))
    answers = [None] * len(tokens)

    def send(i, token):
        with requests.Session() as session:
            session.headers["Authorization"] = f"Bearer {token}"
            barrier.wait(timeout=10)
            answers[i] = session.post(f"{server}/api/v1/contracts/{reference}/amendments", timeout=60, json={
                "title": f"Amendment from request {i}", "received_on": day(0), "sites": ["GR", "IB"]})

    threads = [threading.Thread(target=send, args=(i, t)) for i, t in enumerate(tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert [a.status_code for a in answers] == [201] * len(tokens), [a.text[:300] for a in answers]
    assert sorted(a.json()["reference"] for a in answers) == [f"{reference}-A{n}" for n in range(1, 5)]
    with app.app_context():
        numbers = db.session.execute(db.select(Contract.amendment_number).where(
            Contract.amends_id.is_not(None))).scalars().all()
        assert sorted(numbers) == [1, 2, 3, 4]


def test_an_amendment_goes_through_the_pipeline_to_execution(app, api, signed, make_user, now):
    _sponsor, reference = signed
    created = api(make_user("legal", "GR")).post(f"/contracts/{reference}/amendments", json={
        "title": "A1", "received_on": day(0), "sites": ["GR", "IB"]}).json()["reference"]
    execute(app, created, now)
    client = api(make_user("admin", None))
    assert client.get(f"/contracts/{created}").json()["status"] == "executed"
    parent = client.get(f"/contracts/{reference}").json()
    assert parent["amendments"][0]["status"] == "executed"


def test_a_new_amendment_changes_the_agreements_etag(api, signed, make_user):
    _sponsor, reference = signed
    client = api(make_user("legal", "GR"))
    first = client.get(f"/contracts/{reference}")
    tag = first.headers["ETag"]
    assert client.get(f"/contracts/{reference}", headers={"If-None-Match": tag}).status_code == 304
    assert client.post(f"/contracts/{reference}/amendments", json={
        "title": "A1", "received_on": day(0), "sites": ["GR"]}).status_code == 201
    again = client.get(f"/contracts/{reference}", headers={"If-None-Match": tag})
    assert again.status_code == 200 and [a["reference"] for a in again.json()["amendments"]] == [f"{reference}-A1"]


def test_a_cancelled_contract_cannot_be_amended(app, api, make_sponsor, make_contract, make_user, now):
    from tests.helpers.actors import ADMIN
    from tracker.pipeline.operations import apply_action

    reference = make_contract(make_sponsor())
    with app.app_context():
        contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
        apply_action(contract.coordinating_track, "cancel", actor=ADMIN, now=now, comment="Sponsor withdrew")
        db.session.commit()
    response = api(make_user("legal", "GR")).post(f"/contracts/{reference}/amendments", json={
        "title": "Too late", "received_on": day(0), "sites": ["GR"]})
    assert response.status_code == 409 and "is cancelled" in response.json()["error"]["message"]
