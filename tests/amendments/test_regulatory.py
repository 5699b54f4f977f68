"""The trial's regulatory status: PATCH /api/v1/contracts/REF and the contract page's form, checked and audited."""
from __future__ import annotations

import pytest

from tests.helpers.amendments import day
from tests.helpers.web import csrf_token
from tracker.extensions import db
from tracker.models import AuditEntry, Contract


def _state(app, reference):
    with app.app_context():
        contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
        audit = db.session.execute(db.select(db.func.count(AuditEntry.id))).scalar()
        return ((contract.eu_ct_number, contract.ctis_submitted_on, contract.authorised_on),
                {t.site.code: (t.activated_on, t.first_patient_on) for t in contract.tracks}, audit)


def test_staff_record_the_status_after_signature_and_every_change_is_audited(app, api, signed, make_user):
    _sponsor, reference = signed
    gr, ib = api(make_user("legal", "GR")), api(make_user("legal", "IB"))
    response = gr.session.patch(f"{gr.base}/contracts/{reference}", timeout=30, json={
        "eu_ct_number": "2025-512345-12-00", "ctis_submitted_on": day(-60), "authorised_on": day(-20),
        "site_regulatory": {"GR": {"activated_on": day(-2), "first_patient_on": day(-1)}}})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["eu_ct_number"], body["ctis_submitted_on"], body["authorised_on"]) == (
        "2025-512345-12-00", day(-60), day(-20))
    tracks = {t["site"]: t for t in body["tracks"]}
    assert (tracks["GR"]["activated_on"], tracks["GR"]["first_patient_on"]) == (day(-2), day(-1))
    assert tracks["IB"]["activated_on"] is None
    assert ib.session.patch(f"{ib.base}/contracts/{reference}", timeout=30, json={
        "site_regulatory": {"IB": {"activated_on": day(0)}}}).status_code == 200
    with app.app_context():
        rows = db.session.execute(db.select(AuditEntry.entity, AuditEntry.field, AuditEntry.new_value).where(
            AuditEntry.field.in_(("eu_ct_number", "ctis_submitted_on", "authorised_on", "activated_on",
                                  "first_patient_on"))).order_by(AuditEntry.id)).all()
    assert [tuple(r) for r in rows][-6:] == [
        ("contract", "eu_ct_number", "2025-512345-12-00"), ("contract", "ctis_submitted_on", day(-60)),
        ("contract", "authorised_on", day(-20)), ("track", "activated_on", day(-2)),
        ("track", "first_patient_on", day(-1)), ("track", "activated_on", day(0))]
    sponsor = api(make_user("sponsor", None, sponsor="Novacure Oncology SA")).get(f"/contracts/{reference}").json()
    assert sponsor["authorised_on"] == day(-20)


@pytest.mark.parametrize("body, field, words", [
    ({"eu_ct_number": "2024-412345-21-00"}, "eu_ct_number", "six digits starting with 5"),
    ({"eu_ct_number": "2019-512345-21-00"}, "eu_ct_number", "2022 or later"),
    ({"eu_ct_number": "2024-512345-21"}, "eu_ct_number", "2024-512345-21-00"),
    ({"ctis_submitted_on": "next week"}, "ctis_submitted_on", "Expected a date"),
    ({"ctis_submitted_on": "2999-01-01"}, "ctis_submitted_on", "future"),
    ({"ctis_submitted_on": day(-10), "authorised_on": day(-20)}, "authorised_on", "cannot come before the CTIS"),
    ({"site_regulatory": {"GR": {"activated_on": day(-30)}}}, "site_regulatory.GR.activated_on",
     "before it signed"),
    ({"authorised_on": day(-1), "site_regulatory": {"GR": {"activated_on": day(-3)}}},
     "site_regulatory.GR.activated_on", "before the trial was authorised"),
    ({"site_regulatory": {"GR": {"activated_on": day(-1), "first_patient_on": day(-2)}}},
     "site_regulatory.GR.first_patient_on", "cannot come before the site's activation"),
    ({"site_regulatory": {"GR": {"first_patient_on": day(-1)}}}, "site_regulatory.GR.first_patient_on",
     "Record the site's activation"),
    ({"site_regulatory": {"XX": {"activated_on": day(-1)}}}, "site_regulatory.XX", "does not take part"),
    ({"site_regulatory": {"GR": {"opened_on": day(-1)}}}, "site_regulatory.GR", "activated_on"),
    ({"site_regulatory": ["GR"]}, "site_regulatory", "Expected an object"),
])
def test_bad_dates_are_422_naming_the_field_and_change_nothing(app, api, signed, make_user, body, field, words):
    _sponsor, reference = signed
    client = api(make_user("legal", "GR"))
    before = _state(app, reference)
    response = client.session.patch(f"{client.base}/contracts/{reference}", json=body, timeout=30)
    assert response.status_code == 422, response.text
    assert words in response.json()["error"]["fields"][field]
    assert _state(app, reference) == before


def test_a_site_not_signed_yet_cannot_be_activated(app, api, make_sponsor, make_contract, make_user):
    reference = make_contract(make_sponsor())
    client = api(make_user("legal", "GR"))
    response = client.session.patch(f"{client.base}/contracts/{reference}", timeout=30, json={
        "ctis_submitted_on": day(-3), "site_regulatory": {"GR": {"activated_on": day(-1)}}})
    assert response.status_code == 422 and "has not signed" in response.text
    ok = client.session.patch(f"{client.base}/contracts/{reference}", timeout=30, json={"ctis_submitted_on": day(-3)})
    assert ok.status_code == 200 and ok.json()["ctis_submitted_on"] == day(-3)


def test_only_a_sites_staff_record_its_dates_and_sponsors_none(app, api, signed, make_user):
    _sponsor, reference = signed
    ib = api(make_user("legal", "IB"))
    sponsor = api(make_user("sponsor", None, sponsor="Novacure Oncology SA"))
    before = _state(app, reference)
    other = ib.session.patch(f"{ib.base}/contracts/{reference}", timeout=30, json={
        "site_regulatory": {"GR": {"activated_on": day(-1)}}})
    assert other.status_code == 403 and "Only staff of" in other.text
    assert sponsor.session.patch(f"{sponsor.base}/contracts/{reference}", timeout=30,
                                 json={"authorised_on": day(-1)}).status_code == 403
    assert _state(app, reference) == before


def test_the_page_form_records_the_dates_and_names_each_problem(app, signed, login, make_user):
    _sponsor, reference = signed
    client = login(make_user("manager", "IB", language="en"))
    url = f"/contracts/{reference}"
    page = client.get(url).get_data(as_text=True)
    assert 'name="activated_on-IB"' in page and 'name="activated_on-GR"' not in page  # only their own site
    data = {"csrf_token": csrf_token(client, url), "reg-eu_ct_number": "2024-512345-21-00",
            "reg-ctis_submitted_on": day(-30), "reg-authorised_on": day(-10), "activated_on-IB": day(-1),
            "first_patient_on-IB": day(-3), "activated_on-GR": day(-1)}
    before = _state(app, reference)
    refused = client.post(f"{url}/regulatory", data=data, follow_redirects=True).get_data(as_text=True)
    assert "First patient in on (IB): The first patient" in refused
    assert _state(app, reference) == before
    data["first_patient_on-IB"] = day(0)
    saved = client.post(f"{url}/regulatory", data=data, follow_redirects=True).get_data(as_text=True)
    assert "Regulatory status saved." in saved
    contract, sites, audit = _state(app, reference)
    assert sites["IB"][0].isoformat() == day(-1) and sites["GR"] == (None, None) and audit > before[2]
    assert contract[2].isoformat() == day(-10)
    assert client.post(f"{url}/regulatory", data={"reg-authorised_on": day(-1)}).status_code == 400  # no CSRF
