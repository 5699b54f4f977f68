"""Sponsors' legal identity through the API: create, change, per-field refusals, who may, the audit."""
import pytest

from tests.helpers.contract_data import SPONSOR_IDENTITY
from tracker.extensions import db
from tracker.models import AuditEntry, Sponsor, SponsorContact

FULL = {"name": "Novacure Oncology", "country": "FR", **SPONSOR_IDENTITY, "vat_number": "FR73832147565",
        "language": "fr", "contacts": [{"name": "Laura Novak", "email": "Laura@Novacure.example",
                                        "role": "Clinical operations", "phone": "+33 1 44 00 12 34"}]}


def _count(app, model):
    with app.app_context():
        return db.session.execute(db.select(db.func.count()).select_from(model)).scalar()


def _audit(app, entity):
    with app.app_context():
        return {(e.field, e.old_value, e.new_value) for e in db.session.execute(
            db.select(AuditEntry).where(AuditEntry.entity == entity)).scalars()}


def test_admin_registers_a_sponsor_with_its_legal_identity(app, api, make_user):
    admin = api(make_user("admin", None))
    response = admin.post("/sponsors", json=FULL)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["registration_number"] == "832147565" and body["vat_number"] == "FR73832147565"
    assert body["representative_title"] == "Présidente" and body["language"] == "fr"
    assert body["contacts"] == [{"name": "Laura Novak", "email": "laura@novacure.example",
                                 "role": "Clinical operations", "phone": "+33 1 44 00 12 34"}]
    assert admin.get(f"/sponsors/{body['id']}").json() == body
    assert ("registration_number", None, "832147565") in _audit(app, "sponsor")
    assert ("email", None, "laura@novacure.example") in _audit(app, "sponsor_contact")


@pytest.mark.parametrize("change, fields", [
    ({"registration_number": "832147566"}, {"registration_number"}),
    ({"registration_number": "12345"}, {"registration_number"}),
    ({"vat_number": "FR74832147565"}, {"vat_number"}),
    ({"vat_number": "FR40303265045"}, {"vat_number"}),
    ({"country": "France", "language": "de"}, {"country", "language"}),
    ({"name": "", "legal_name": "x" * 301}, {"name", "legal_name"}),
    ({"representative": ["Laura"]}, {"representative"}),
    ({"contacts": [{"name": "", "email": "not-an-address"}]}, {"contacts.1.name", "contacts.1.email"}),
    ({"contacts": "Laura"}, {"contacts"}),
    ({"nickname": "NVC"}, {"nickname"}),
])
def test_bad_fields_are_each_named_and_nothing_is_stored(app, api, make_user, change, fields):
    admin = api(make_user("admin", None))
    audit_before = _count(app, AuditEntry)
    response = admin.post("/sponsors", json={**FULL, **change})
    assert response.status_code == 422, response.text
    assert set(response.json()["error"]["fields"]) == fields
    assert _count(app, Sponsor) == 0 and _count(app, SponsorContact) == 0
    assert _count(app, AuditEntry) == audit_before


def test_a_name_is_unique_whatever_the_case(api, make_user, make_sponsor):
    make_sponsor("Novacure Oncology")
    response = api(make_user("admin", None)).post("/sponsors", json={**FULL, "name": "NOVACURE oncology"})
    assert response.status_code == 422 and "already exists" in response.json()["error"]["fields"]["name"]


def test_outside_france_the_registration_number_is_free_text(api, make_user):
    response = api(make_user("admin", None)).post("/sponsors", json={
        "name": "Borealis Pharma GmbH", "country": "DE", "registration_number": "Amtsgericht München HRB 245871"})
    assert response.status_code == 201
    assert response.json()["registration_number"] == "Amtsgericht München HRB 245871"


def test_patch_changes_only_what_is_given_and_audits_each_field(app, api, make_user, make_sponsor):
    sponsor_id = make_sponsor("Novacure Oncology", **SPONSOR_IDENTITY)
    admin = api(make_user("admin", None))
    response = admin.session.patch(admin.base + f"/sponsors/{sponsor_id}", json={
        "representative": "Marc Dupont", "representative_title": "Directeur général", "legal_form": "SAS"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["representative"] == "Marc Dupont" and body["registration_number"] == "832147565"
    changes = _audit(app, "sponsor")
    assert ("representative", "Laura Novak", "Marc Dupont") in changes
    assert ("representative_title", "Présidente", "Directeur général") in changes
    assert ("legal_form", "société anonyme", "SAS") in changes


def test_moving_a_sponsor_to_france_checks_its_stored_number(api, make_user, make_sponsor):
    sponsor_id = make_sponsor("Helix Therapeutics Inc.", "US", registration_number="Delaware 7395521")
    admin = api(make_user("admin", None))
    response = admin.session.patch(admin.base + f"/sponsors/{sponsor_id}", json={"country": "FR"})
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"registration_number"}


def test_who_may_change_a_sponsor(api, make_user, make_sponsor, make_contract):
    ours = make_sponsor("Novacure Oncology", **SPONSOR_IDENTITY)
    other = make_sponsor("Helix Therapeutics Inc.", "US")
    make_contract(ours, coordinating="GR", sites=("GR",))
    legal = api(make_user("legal", "GR"))
    patch = lambda client, sponsor_id: client.session.patch(  # noqa: E731
        client.base + f"/sponsors/{sponsor_id}", json={"legal_form": "SAS"})
    assert patch(legal, ours).status_code == 200
    # No contract of this sponsor at the caller's site: answered like a sponsor that does not exist.
    assert patch(legal, other).status_code == 404
    assert patch(api(make_user("manager", "IB")), ours).status_code == 404
    assert patch(api(make_user("sponsor", None, sponsor="Novacure Oncology")), ours).status_code == 403
    assert patch(api(make_user("admin", None)), 999999).status_code == 404
    assert legal.post("/sponsors", json=FULL).status_code == 403
    assert api().post("/sponsors", json=FULL).status_code == 401


def test_contacts_are_replaced_as_a_list(app, api, make_user):
    admin = api(make_user("admin", None))
    created = admin.post("/sponsors", json=FULL).json()
    url = admin.base + f"/sponsors/{created['id']}"
    two = [{"name": "Laura Novak", "email": "laura@novacure.example"}, {"name": "Jean Roy", "role": "Legal"}]
    assert [c["name"] for c in admin.session.patch(url, json={"contacts": two}).json()["contacts"]] == [
        "Laura Novak", "Jean Roy"]
    assert admin.session.patch(url, json={"contacts": []}).json()["contacts"] == []
    assert ("name", "Jean Roy", None) in _audit(app, "sponsor_contact")
    assert _count(app, SponsorContact) == 0


def test_sponsor_list_searches_names(api, make_user, make_sponsor):
    make_sponsor("Novacure Oncology", legal_name="Novacure Oncology Société Anonyme")
    make_sponsor("Helix Therapeutics Inc.", "US")
    legal = api(make_user("legal", "GR"))
    assert [s["name"] for s in legal.get("/sponsors", params={"q": "anonyme"}).json()["sponsors"]] == [
        "Novacure Oncology"]
    assert len(legal.get("/sponsors").json()["sponsors"]) == 2
