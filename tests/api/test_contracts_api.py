"""The contracts and sponsors endpoints over real HTTP."""
import re
from datetime import date, timedelta

import pytest

from tracker.extensions import db
from tracker.models import AuditEntry, Contract, Sponsor


def _body(sponsor, over=None):
    sponsor_id = sponsor
    body = {"sponsor_id": sponsor_id, "title": "Anti-CLDN18.2 ADC in gastric cancer", "protocol_number": "CLD-2026-01",
            "phase": "I/II", "coordinating_site": "GR", "sites": ["GR", "IB"],
            "received_on": (date.today() - timedelta(days=2)).isoformat(), "acronym": "CLAUDIA",
            "eu_ct_number": "2024-512345-21-00", "indication": "Gastric adenocarcinoma", "patients": 36,
            "budget": [{"item": "Screening visit", "amount": 450, "unit": "EUR per patient"}]}
    body.update(over or {})
    return body


def _count(app, model):
    with app.app_context():
        return db.session.execute(db.select(db.func.count(model.id))).scalar()


def test_health_and_openapi_need_no_token(api):
    client = api()
    assert client.get("/health").json() == {"status": "ok", "database": "ok"}
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert "/contracts/{reference}/events" in spec["paths"]


def test_openapi_describes_every_api_route(app, api):
    spec = api().get("/openapi.json").json()
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule[len("/api/v1"):])
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                routes.add((path, method.lower()))
    described = {(p, m) for p, ops in spec["paths"].items() for m in ops}
    assert routes == described


def test_create_contract_then_read_it(api, make_user, make_sponsor):
    sponsor_id = make_sponsor()
    client = api(make_user("legal", "GR"))
    created = client.post("/contracts", json=_body(sponsor_id))
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["reference"].startswith(f"FT-{date.today().year}-")
    assert body["status"] == "open" and body["executed_sites"] == "0/2"
    tracks = {t["site"]: t for t in body["tracks"]}
    assert tracks["GR"]["role"] == "coordinating" and tracks["GR"]["stage"] == "completeness"
    assert tracks["GR"]["holder"] == "site"
    assert tracks["IB"]["role"] == "associated" and tracks["IB"]["stage"] == "waiting_coordinator"
    again = client.get(f"/contracts/{body['reference']}").json()
    assert again["budget"] == [{"item": "Screening visit", "amount": "450.00", "unit": "EUR per patient"}]
    listed = client.get("/contracts").json()["contracts"]
    assert [c["reference"] for c in listed] == [body["reference"]]


def test_references_are_sequential(api, make_user, make_sponsor):
    sponsor_id = make_sponsor()
    client = api(make_user("legal", "GR"))
    refs = [client.post("/contracts", json=_body(sponsor_id)).json()["reference"] for _ in range(3)]
    numbers = [int(r.rsplit("-", 1)[1]) for r in refs]
    assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]


@pytest.mark.parametrize("change, field", [
    ({"sponsor_id": 99999}, "sponsor_id"),
    ({"sponsor_id": "abc"}, "sponsor_id"),
    ({"title": ""}, "title"),
    ({"phase": "V"}, "phase"),
    ({"coordinating_site": "XX"}, "coordinating_site"),
    ({"sites": ["GR", "ZZ"]}, "sites"),
    ({"sites": "GR"}, "sites"),
    ({"received_on": "09/03/2026"}, "received_on"),
    ({"received_on": (date.today() + timedelta(days=3)).isoformat()}, "received_on"),
    ({"eu_ct_number": "EU-123"}, "eu_ct_number"),
    ({"patients": -4}, "patients"),
    ({"patients": True}, "patients"),
    ({"budget": [{"item": "Visit", "amount": "lots"}]}, "budget"),
    ({"budget": "450"}, "budget"),
    ({"colour": "blue"}, "colour"),
])
def test_bad_contract_fields_are_named_and_nothing_is_stored(app, api, make_user, make_sponsor, change, field):
    sponsor_id = make_sponsor()
    client = api(make_user("legal", "GR"))
    audit_before = _count(app, AuditEntry)
    response = client.post("/contracts", json=_body(sponsor_id, change))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert field in error["fields"] and field in error["message"]
    assert _count(app, Contract) == 0
    assert _count(app, AuditEntry) == audit_before


def test_missing_fields_are_all_listed(api, make_user):
    response = api(make_user("legal", "GR")).post("/contracts", json={})
    assert response.status_code == 422
    assert {"sponsor_id", "title", "protocol_number", "phase", "coordinating_site", "received_on"} <= set(
        response.json()["error"]["fields"])


@pytest.mark.parametrize("data, headers", [
    ("{not json", {"Content-Type": "application/json"}),
    ("[1, 2]", {"Content-Type": "application/json"}),
    ("title=x", {"Content-Type": "application/x-www-form-urlencoded"}),
])
def test_malformed_bodies_are_refused(app, api, make_user, data, headers):
    client = api(make_user("legal", "GR"))
    response = client.session.post(client.base + "/contracts", data=data, headers=headers, timeout=10)
    assert response.status_code in (400, 422)
    assert "body" in response.json()["error"]["fields"]
    assert _count(app, Contract) == 0


def test_tokens_are_required_and_checked(api, server):
    anonymous = api()
    assert anonymous.get("/contracts").status_code == 401
    bad = api()
    bad.session.headers["Authorization"] = "Bearer ftk_not-a-real-token"
    response = bad.get("/contracts")
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized"


def test_only_admins_create_sponsors(app, api, make_user):
    legal = api(make_user("legal", "GR"))
    assert legal.post("/sponsors", json={"name": "Helix", "country": "US"}).status_code == 403
    admin = api(make_user("admin", None))
    created = admin.post("/sponsors", json={"name": "Helix Therapeutics", "country": "us"})
    assert created.status_code == 201
    assert created.json()["name"] == "Helix Therapeutics" and isinstance(created.json()["id"], int)
    duplicate = admin.post("/sponsors", json={"name": "helix therapeutics"})
    assert duplicate.status_code == 422 and "name" in duplicate.json()["error"]["fields"]
    bad_country = admin.post("/sponsors", json={"name": "Other", "country": "France"})
    assert "country" in bad_country.json()["error"]["fields"]
    assert _count(app, Sponsor) == 1


def test_sponsor_users_cannot_create_contracts(api, make_user, make_sponsor):
    sponsor_id = make_sponsor()
    client = api(make_user("sponsor", None, sponsor="Novacure Oncology SA"))
    assert client.post("/contracts", json=_body(sponsor_id)).status_code == 403


def test_each_caller_sees_only_their_contracts(api, make_user, make_sponsor, make_contract):
    novacure = make_sponsor("Novacure Oncology SA")
    helix = make_sponsor("Helix Therapeutics Inc.", "US")
    shared = make_contract(novacure, sites=("GR", "IB"))
    gr_only = make_contract(helix, sites=("GR",))
    ib_only = make_contract(helix, coordinating="IB", sites=("IB",))
    seen = lambda client: {c["reference"] for c in client.get("/contracts").json()["contracts"]}  # noqa: E731
    assert seen(api(make_user("legal", "GR"))) == {shared, gr_only}
    assert seen(api(make_user("manager", "IB"))) == {shared, ib_only}
    assert seen(api(make_user("admin", None))) == {shared, gr_only, ib_only}
    novacure_user = api(make_user("sponsor", None, sponsor="Novacure Oncology SA"))
    assert seen(novacure_user) == {shared}
    other = novacure_user.get(f"/contracts/{gr_only}")
    assert other.status_code == 404 and other.json()["error"]["code"] == "not_found"
    assert novacure_user.get(f"/contracts/{gr_only}/events").status_code == 404
    assert api(make_user("legal", "IB")).get(f"/contracts/{gr_only}").status_code == 404


def test_a_sponsor_sees_who_owns_its_file_by_name_never_by_e_mail(api, make_user, make_sponsor):
    sponsor_id = make_sponsor()
    legal_email = make_user("legal", "GR")
    legal = api(legal_email)
    created = legal.post("/contracts", json={
        "sponsor_id": sponsor_id, "title": "Phase I", "protocol_number": "P-1", "phase": "I",
        "coordinating_site": "GR", "sites": ["GR"], "received_on": date.today().isoformat()}).json()
    reference = created["reference"]
    assert created["tracks"][0]["owner"] == legal_email  # the creator owns the coordinating track
    sponsor = api(make_user("sponsor", None, sponsor="Novacure Oncology SA"))
    seen = sponsor.get(f"/contracts/{reference}").json()["tracks"][0]["owner"]
    assert seen and "@" not in seen and seen.startswith("Legal")


def test_the_list_pages_through_what_the_caller_may_see(api, make_user, make_sponsor, make_contract):
    """next_offset walks every visible contract once, newest first, and is null on the last page."""
    sponsor = make_sponsor()
    mine = [make_contract(sponsor, coordinating="GR", sites=("GR",)) for _ in range(5)]
    make_contract(sponsor, coordinating="IB", sites=("IB",))  # another site's: never listed for GR
    client = api(make_user("legal", "GR"))
    seen, offset = [], 0
    while offset is not None:
        page = client.get(f"/contracts?limit=2&offset={offset}").json()
        assert page["limit"] == 2 and page["offset"] == offset and len(page["contracts"]) <= 2
        seen += [c["reference"] for c in page["contracts"]]
        offset = page["next_offset"]
    assert seen == list(reversed(mine))
    exact = client.get("/contracts?limit=5").json()
    assert len(exact["contracts"]) == 5 and exact["next_offset"] is None


@pytest.mark.parametrize("query", ["limit=0", "limit=501", "limit=ten", "offset=-1", "offset=1e3"])
def test_bad_paging_is_refused_by_name(api, make_user, query):
    answer = api(make_user("legal", "GR")).get(f"/contracts?{query}")
    assert answer.status_code == 422
    assert query.split("=")[0] in answer.json()["error"]["fields"]


def test_a_listed_contract_says_what_its_own_page_says(api, make_user, make_sponsor, make_contract):
    """The list builds its entries from plain rows; every field it shows must match the contract's own."""
    sponsor = make_sponsor()
    refs = [make_contract(sponsor), make_contract(sponsor, coordinating="IB", sites=("IB", "GR")),
            make_contract(sponsor, sites=("GR",))]
    client = api(make_user("admin", None))
    manager = api(make_user("manager", "IB"))
    # IB leaves the first contract: "0/1" (GR still going on), not "0/2".
    assert manager.post(f"/contracts/{refs[0]}/events", json={"site": "IB", "action": "cancel",
                                                              "comment": "Site closes the study"}).status_code == 201
    listed = {c["reference"]: c for c in client.get("/contracts").json()["contracts"]}
    assert set(listed) == set(refs)
    for ref in refs:
        full = client.get(f"/contracts/{ref}").json()
        assert listed[ref] == {key: full[key] for key in listed[ref]}
    assert listed[refs[1]]["coordinating_site"] == "IB" and listed[refs[1]]["sites"] == ["IB", "GR"]
    assert listed[refs[0]]["executed_sites"] == "0/1" and listed[refs[2]]["executed_sites"] == "0/1"
