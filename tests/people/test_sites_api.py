"""Sites through the API: the list, a third centre, per-field refusals, and calendars that move deadlines."""
from datetime import date

import pytest

from tracker.extensions import db
from tracker.models import AuditEntry, Site, Track

NEW_CENTRE = {"code": "CLB", "name": "Centre Léon Bérard", "legal_name": "Centre Léon Bérard",
              "address": "28 rue Laennec, 69008 Lyon", "finess": "690000880", "siret": "77978186300013",
              "representative": "Pr Marie Lenoir", "representative_title": "Directeur général",
              "signatory_name": "Pr Marie Lenoir", "signatory_email": "Direction@CLB.example",
              "timezone": "Europe/Paris", "country": "FR"}


def _count(app, model):
    with app.app_context():
        return db.session.execute(db.select(db.func.count()).select_from(model)).scalar()


def test_everyone_signed_in_lists_the_sites(api, make_user):
    sites = api(make_user("legal", "IB")).get("/sites").json()["sites"]
    assert [s["code"] for s in sites] == ["GR", "IB"]
    assert sites[0]["finess"] == "940000664" and sites[0]["timezone"] == "Europe/Paris"


def test_admin_adds_a_third_centre(app, api, make_user, make_sponsor):
    admin = api(make_user("admin", None))
    response = admin.post("/sites", json=NEW_CENTRE)
    assert response.status_code == 201, response.text
    assert response.json()["signatory_email"] == "direction@clb.example"
    assert [s["code"] for s in admin.get("/sites").json()["sites"]] == ["CLB", "GR", "IB"]
    contract = api(make_user("legal", "GR")).post("/contracts", json={
        "sponsor_id": make_sponsor(), "title": "Three centres", "protocol_number": "P-3", "phase": "I",
        "coordinating_site": "GR", "sites": ["GR", "IB", "CLB"], "received_on": date.today().isoformat(),
        "investigators": {"CLB": "Dr Anne Leroy"}})
    assert contract.status_code == 201, contract.text
    assert {t["site"]: t["investigator"] for t in contract.json()["tracks"]}["CLB"] == "Dr Anne Leroy"
    again = admin.post("/sites", json=NEW_CENTRE)
    assert again.status_code == 422 and "already exists" in again.json()["error"]["fields"]["code"]
    for code in ("1AB", "A", "CL B", "ABCDEFGHIJKLMNOPQ", None):
        refused = admin.post("/sites", json={**NEW_CENTRE, "code": code})
        assert refused.status_code == 422 and set(refused.json()["error"]["fields"]) == {"code"}
    assert set(admin.post("/sites", json={"code": "NCT"}).json()["error"]["fields"]) == {"name"}
    assert len(admin.get("/sites").json()["sites"]) == 3


@pytest.mark.parametrize("change, fields", [
    ({"siret": "77573104200011"}, {"siret"}),
    ({"siret": "7757310420001", "finess": "94000066"}, {"siret", "finess"}),
    ({"timezone": "Europe/Pariss", "signatory_email": "direction@"}, {"timezone", "signatory_email"}),
    ({"country": "QQ"}, {"country"}),
    ({"subdivision": "99"}, {"subdivision"}),
    ({"works_whit_monday": "yes"}, {"works_whit_monday"}),
    ({"name": ""}, {"name"}),
    ({"code": "GRX"}, {"code"}),
    ({"budget_code": "A1"}, {"budget_code"}),
])
def test_patch_names_each_invalid_field_and_changes_nothing(app, api, make_user, change, fields):
    admin = api(make_user("admin", None))
    before = _count(app, AuditEntry)
    response = admin.session.patch(admin.base + "/sites/GR", json=change)
    assert response.status_code == 422, response.text
    assert set(response.json()["error"]["fields"]) == fields
    assert _count(app, AuditEntry) == before
    with app.app_context():
        assert db.session.execute(db.select(Site).where(Site.code == "GR")).scalar_one().siret == "77573104500016"


def test_patch_changes_the_identity_and_audits_each_field(app, api, make_user):
    admin = api(make_user("admin", None))
    response = admin.session.patch(admin.base + "/sites/gr", json={
        "siret": "775 731 045 00016", "representative": "Pr Élise Moreau", "representative_title": "Directrice"})
    assert response.status_code == 200, response.text
    assert response.json()["representative"] == "Pr Élise Moreau"
    with app.app_context():
        rows = {(e.field, e.old_value, e.new_value) for e in db.session.execute(
            db.select(AuditEntry).where(AuditEntry.entity == "site")).scalars()}
    assert ("representative", "Pr Fabrice Barlesi", "Pr Élise Moreau") in rows
    assert not any(field == "siret" for field, _old, _new in rows)  # the same number, typed with spaces


def test_only_admins_change_sites(api, make_user):
    for role, site in (("manager", "GR"), ("legal", "GR")):
        client = api(make_user(role, site))
        assert client.session.patch(client.base + "/sites/GR", json={"name": "X"}).status_code == 403
        assert client.post("/sites", json=NEW_CENTRE).status_code == 403
    admin = api(make_user("admin", None))
    assert admin.session.patch(admin.base + "/sites/ZZ", json={"name": "X"}).status_code == 404


def test_a_calendar_change_moves_the_stored_deadlines_of_open_tracks(app, api, make_user, make_sponsor,
                                                                    make_contract):
    reference = make_contract(make_sponsor(), received_on=date(2026, 4, 27))
    legal = api(make_user("legal", "GR"))
    assert legal.post(f"/contracts/{reference}/events", json={
        "site": "GR", "action": "mark_complete", "effective_at": "2026-04-30T10:00:00+02:00"}).status_code == 201

    def stored_due():
        with app.app_context():
            return db.session.execute(db.select(Track.due_on).join(Track.site).where(Site.code == "GR")).scalar()

    assert stored_due() == date(2026, 5, 11)  # 1 and 8 May are French holidays
    admin = api(make_user("admin", None))
    assert admin.session.patch(admin.base + "/sites/GR", json={"country": "DE"}).status_code == 200
    assert stored_due() == date(2026, 5, 8)  # 8 May is a working day in Germany
    assert admin.session.patch(admin.base + "/sites/GR", json={"country": "FR", "timezone": "Europe/Berlin"}
                               ).status_code == 200
    assert stored_due() == date(2026, 5, 11)
    track = next(t for t in legal.get(f"/contracts/{reference}").json()["tracks"] if t["site"] == "GR")
    assert track["sla"]["due_on"] == "2026-05-11"
