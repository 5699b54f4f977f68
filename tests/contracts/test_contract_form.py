"""The contract form: sponsor by name or created on the spot, investigators per site, budget rows."""
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.helpers.web import csrf_token
from tracker.extensions import db
from tracker.models import AuditEntry, Contract, Sponsor, Track

EN = {"Accept-Language": "en"}


def _form(client, **over):
    data = {"csrf_token": csrf_token(client, "/contracts/new"), "sponsor": "Novacure Oncology SA",
            "title": "KRAS G12C inhibitor in colorectal cancer", "protocol_number": "KRS-2026-07", "phase": "II",
            "coordinating_site": "GR", "sites": ["IB"], "received_on": (date.today() - timedelta(days=1)).isoformat(),
            "investigators-0-site": "GR", "investigators-0-name": "Dr Claire Martin",
            "investigators-1-site": "IB", "investigators-1-name": "Dr Paul Garnier"}
    for index, (item, amount, unit) in enumerate((("Screening visit", "450", "EUR per patient"),
                                                  ("Treatment visit", "1 250,50", "EUR per visit"),
                                                  ("Archiving", "1500", "EUR flat"))):
        data.update({f"budget-{index}-item": item, f"budget-{index}-amount": amount, f"budget-{index}-unit": unit})
    data.update(over)
    return data


def _count(app, model):
    with app.app_context():
        return db.session.execute(db.select(db.func.count()).select_from(model)).scalar()


def test_the_empty_form_proposes_today_the_user_site_and_marks_required_fields(client, make_user, login):
    login(make_user("legal", "IB"))
    html = client.get("/contracts/new", headers=EN).get_data(as_text=True)
    today_at_the_site = datetime.now(ZoneInfo("Europe/Paris")).date()  # not the machine's day: UTC lags at night
    assert re.search(rf'id="received_on"[^>]*required[^>]*type="date"[^>]*value="{today_at_the_site.isoformat()}"', html)
    assert re.search(r'<option selected value="IB">', html)
    for name in ("sponsor", "title", "protocol_number", "phase", "coordinating_site", "received_on"):
        assert re.search(rf'<input[^>]*id="{name}"[^>]*required|<select[^>]*id="{name}"[^>]*required', html), name
    assert html.count('class="budget-row"') == 3
    assert "Principal investigator at Gustave Roussy" in html and "Principal investigator at Institut Bergonié" in html
    assert '<script src="/static/contract_form.js" defer></script>' in html and "<script>" not in html


def test_a_contract_with_investigators_and_a_three_row_budget(client, app, make_user, make_sponsor, login):
    make_sponsor("Novacure Oncology SA")
    login(make_user("legal", "GR"))
    response = client.post("/contracts/new", data=_form(client), headers=EN)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with app.app_context():
        contract = db.session.execute(db.select(Contract)).scalar_one()
        assert contract.budget == [
            {"item": "Screening visit", "amount": "450.00", "unit": "EUR per patient"},
            {"item": "Treatment visit", "amount": "1250.50", "unit": "EUR per visit"},
            {"item": "Archiving", "amount": "1500.00", "unit": "EUR flat"}]
        assert {t.site.code: t.investigator_name for t in contract.tracks} == {
            "GR": "Dr Claire Martin", "IB": "Dr Paul Garnier"}


def test_rows_are_added_and_removed_without_javascript(client, app, make_user, make_sponsor, login):
    make_sponsor("Novacure Oncology SA")
    login(make_user("legal", "GR"))
    added = client.post("/contracts/new", data=_form(client, add_row="1"), headers=EN)
    html = added.get_data(as_text=True)
    assert added.status_code == 200 and html.count('class="budget-row"') == 4
    assert 'value="Treatment visit"' in html
    removed = client.post("/contracts/new", data=_form(client, remove_row="1"), headers=EN).get_data(as_text=True)
    assert "Treatment visit" not in removed and 'value="Archiving"' in removed
    assert _count(app, Contract) == 0


@pytest.mark.parametrize("change, where, words", [
    ({"budget-1-amount": "a lot"}, "budget-1-amount", "the amount must be a number"),
    ({"budget-1-amount": "12.345"}, "budget-1-amount", "two decimals"),
    ({"budget-2-amount": "-5"}, "budget-2-amount", "between 0 and"),
    ({"budget-0-unit": ""}, "budget-0-unit", "give the unit"),
    ({"budget-0-unit": "123"}, "budget-0-unit", "short text"),
    ({"budget-2-item": ""}, "budget-2-item", "give the item"),
    ({"sites": ["GR", "IB"]}, "sites", "Gustave Roussy is the coordinating site; it cannot also be an associated"),
    ({"sites": []}, "investigators-1-name", "IB does not take part in this contract"),
    ({"sponsor": "Nobody Pharma"}, "sponsor", "No sponsor is named Nobody Pharma"),
    ({"sponsor": ""}, "sponsor", "Pick the sponsor from the list, or create it below."),
    ({"sponsor": "Novacure Oncology SA", "new_sponsor-name": "Other"}, "sponsor", "not both"),
    ({"new_sponsor-name": "Helix", "sponsor": "", "new_sponsor-country": "FR",
      "new_sponsor-registration_number": "123"}, "new_sponsor-registration_number", "SIREN"),
    ({"title": "", "received_on": (date.today() + timedelta(days=2)).isoformat()}, "title", "required"),
])
def test_each_refusal_is_shown_beside_its_field_and_nothing_is_stored(client, app, make_user, make_sponsor, login,
                                                                      change, where, words):
    make_sponsor("Novacure Oncology SA")
    login(make_user("legal", "GR"))
    audit_before = _count(app, AuditEntry)
    response = client.post("/contracts/new", data=_form(client, **change), headers=EN)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    message = re.search(rf'<p class="error" id="{where}-error">([^<]*)</p>', html)
    assert message and words.lower() in message.group(1).lower(), html[html.find("flash"):][:400]
    assert f'aria-describedby="{where}-error"' in html or f'aria-describedby="{where}-hint {where}-error"' in html
    assert _count(app, Contract) == 0 and _count(app, Sponsor) == 1 and _count(app, AuditEntry) == audit_before


def test_a_sponsor_created_on_the_spot_with_its_legal_identity(client, app, make_user, login):
    login(make_user("legal", "GR"))
    response = client.post("/contracts/new", headers=EN, data=_form(
        client, sponsor="", **{"new_sponsor-name": "Helix Therapeutics", "new_sponsor-country": "US",
                               "new_sponsor-legal_name": "Helix Therapeutics, Inc.",
                               "new_sponsor-registration_number": "Delaware 7395521",
                               "new_sponsor-representative": "Mark Ellison", "new_sponsor-language": "en"}))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with app.app_context():
        contract = db.session.execute(db.select(Contract)).scalar_one()
        assert contract.sponsor.legal_name == "Helix Therapeutics, Inc." and contract.sponsor.language == "en"
        audited = {(e.entity, e.field) for e in db.session.execute(db.select(AuditEntry)).scalars()}
    assert ("sponsor", "registration_number") in audited and ("contract", "sponsor_id") in audited


def test_the_api_takes_investigators_per_site(api, app, make_user, make_sponsor):
    sponsor_id = make_sponsor()
    client = api(make_user("legal", "GR"))
    body = {"sponsor_id": sponsor_id, "title": "T", "protocol_number": "P-1", "phase": "I",
            "coordinating_site": "GR", "sites": ["GR", "IB"], "received_on": date.today().isoformat()}
    created = client.post("/contracts", json={**body, "investigators": {"gr": "Dr Claire Martin", "IB": "Dr Garnier"}})
    assert created.status_code == 201, created.text
    assert {t["site"]: t["investigator"] for t in created.json()["tracks"]} == {
        "GR": "Dr Claire Martin", "IB": "Dr Garnier"}
    for bad, words in (({"ZZ": "Dr X"}, "ZZ does not take part"), ("Dr X", "Expected an object"),
                       ({"IB": "x" * 201}, "at most 200")):
        refused = client.post("/contracts", json={**body, "investigators": bad})
        assert refused.status_code == 422 and words in refused.json()["error"]["fields"]["investigators"]
    one_site = client.post("/contracts", json={**body, "sites": ["GR"], "investigators": {"IB": "Dr Garnier"}})
    assert one_site.status_code == 422
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Track.id))).scalar() == 2


def test_each_site_gets_its_own_figures_and_investigator_identity(client, app, make_user, make_sponsor, login):
    make_sponsor("Novacure Oncology SA")
    login(make_user("legal", "GR"))
    response = client.post("/contracts/new", headers=EN, data=_form(client, **{
        "investigators-0-investigator_title": "Dr", "investigators-0-investigator_rpps": "100 0000 0009",
        "investigators-0-investigator_department": "DITEP",
        "investigators-1-investigator_title": "Pr", "investigators-1-investigator_rpps": "12345678903",
        "investigators-1-patients": "6", "cro": "Clinexa France SAS, 5 rue de Lyon, 75012 Paris",
        "investigators-1-budget": "Screening visit; 1100; EUR per patient\nTreatment visit; 800,50; EUR per visit\n"}))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with app.app_context():
        contract = db.session.execute(db.select(Contract)).scalar_one()
        assert contract.cro == "Clinexa France SAS, 5 rue de Lyon, 75012 Paris"
        tracks = {t.site.code: t for t in contract.tracks}
        assert (tracks["GR"].investigator_title, tracks["GR"].investigator_rpps, tracks["GR"].patients,
                tracks["GR"].budget) == ("Dr", "10000000009", None, None)
        assert (tracks["IB"].investigator_title, tracks["IB"].patients) == ("Pr", 6)
        assert tracks["IB"].budget == [{"item": "Screening visit", "amount": "1100.00", "unit": "EUR per patient"},
                                       {"item": "Treatment visit", "amount": "800.50", "unit": "EUR per visit"}]


def test_a_bad_rpps_or_site_budget_is_named_beside_the_site_field(client, app, make_user, make_sponsor, login):
    make_sponsor("Novacure Oncology SA")
    login(make_user("legal", "GR"))
    response = client.post("/contracts/new", headers=EN, data=_form(client, **{
        "investigators-1-investigator_rpps": "12345678900", "investigators-1-budget": "Screening visit; lots"}))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'id="investigators-1-investigator_rpps-error">12345678900 fails the RPPS checksum', html)
    assert re.search(r'id="investigators-1-budget-error">Budget row 1: the amount must be a number', html)
    assert "<details class=\"site-details\" open>" in html  # the site's figures are shown opened, with the error
    assert _count(app, Contract) == 0
