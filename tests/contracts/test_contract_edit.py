"""Editing a contract's details: audited, refused once the terms are agreed, limited for associated sites."""
from datetime import date, timedelta

from tests.helpers.contracts import contract_audit, edit_form
from tests.helpers.web import EN, csrf_token
from tracker.extensions import db
from tracker.models import Contract

def test_details_are_edited_and_each_change_is_audited(client, app, make_user, make_sponsor, make_contract, login):
    reference = make_contract(make_sponsor())
    login(make_user("legal", "GR"))
    url = f"/contracts/{reference}/edit"
    page = client.get(f"/contracts/{reference}", headers=EN).get_data(as_text=True)
    assert f'href="{url}"' in page
    response = client.post(url, data=edit_form(client, url), headers=EN, follow_redirects=True)
    assert f"{reference} saved: 5 changes." in response.get_data(as_text=True)
    changes = contract_audit(app, reference)
    assert ("contract", "acronym", None, "ESCALADE") in changes
    assert ("contract", "patients", None, "24") in changes
    assert ("track", "investigator_name", None, "Dr Claire Martin") in changes
    assert any(e[:2] == ("contract", "budget") for e in changes)
    again = client.post(url, data=edit_form(client, url), headers=EN, follow_redirects=True)
    assert "Nothing changed." in again.get_data(as_text=True)


def test_bad_values_are_named_beside_the_fields(client, app, make_user, make_sponsor, make_contract, login):
    reference = make_contract(make_sponsor())
    login(make_user("manager", "GR"))
    url = f"/contracts/{reference}/edit"
    before = contract_audit(app, reference)
    response = client.post(url, headers=EN, data=edit_form(client, url, title="", patients="many",
                                                             eu_ct_number="EU-1", **{"budget-0-amount": "x"}))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="budget-0-amount-error"' in html
    assert contract_audit(app, reference) == before
    with app.app_context():
        assert db.session.execute(db.select(Contract.title)).scalar() == "A phase I trial"
    response = client.post(url, headers=EN, data=edit_form(client, url, title="", patients="many",
                                                            eu_ct_number="EU-1"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for field in ("title", "patients", "eu_ct_number"):
        assert f'id="{field}-error"' in html
    assert contract_audit(app, reference) == before


def test_no_edit_once_the_terms_are_agreed(client, api, make_user, make_sponsor, make_contract, login):
    reference = make_contract(make_sponsor(), received_on=date.today() - timedelta(days=5))
    email = make_user("legal", "GR")
    legal = api(email)
    for action in ("mark_complete", "agree"):
        assert legal.post(f"/contracts/{reference}/events", json={"site": "GR", "action": action}).status_code == 201
    login(email)
    url = f"/contracts/{reference}/edit"
    assert f'href="{url}"' not in client.get(f"/contracts/{reference}").get_data(as_text=True)
    shown = client.get(url, headers=EN, follow_redirects=True).get_data(as_text=True)
    assert f"The terms of {reference} are agreed: its details can no longer be edited." in shown
    token = csrf_token(client, f"/contracts/{reference}")
    refused = client.post(url, headers=EN, data={"csrf_token": token, "title": "Changed"}, follow_redirects=True)
    assert "can no longer be edited" in refused.get_data(as_text=True)


def test_an_associated_site_changes_only_its_own_investigator(client, app, make_user, make_sponsor, make_contract,
                                                              login):
    reference = make_contract(make_sponsor())
    login(make_user("legal", "IB"))
    url = f"/contracts/{reference}/edit"
    refused = client.post(url, headers=EN, data=edit_form(client, url))
    assert refused.status_code == 403
    assert "Only staff of the coordinating site may change the trial&#39;s details" in refused.get_data(as_text=True)
    own = edit_form(client, url, acronym="", indication="", patients="", **{"investigators-0-name": "",
                                                                             "investigators-1-name": "Dr Garnier"})
    del own["budget-0-item"], own["budget-0-amount"], own["budget-0-unit"]
    response = client.post(url, headers=EN, data=own)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert ("track", "investigator_name", None, "Dr Garnier") in contract_audit(app, reference)


def test_staff_of_other_sites_cannot_open_the_edit_page(client, make_user, make_sponsor, make_contract, login):
    reference = make_contract(make_sponsor(), coordinating="IB", sites=("IB",))
    login(make_user("legal", "GR"))
    assert client.get(f"/contracts/{reference}/edit").status_code == 404


def test_an_associated_site_edits_its_own_figures_and_investigator(client, app, make_user, make_sponsor,
                                                                   make_contract, login):
    reference = make_contract(make_sponsor(), acronym="ESCALADE", indication="Sarcoma", patients=24,
                              investigators={"GR": "Dr Claire Martin"},
                              budget=[{"item": "Screening visit", "amount": 450, "unit": "EUR per patient"}])
    login(make_user("legal", "IB"))
    url = f"/contracts/{reference}/edit"
    page = client.get(url, headers=EN).get_data(as_text=True)
    assert 'name="investigators-1-investigator_rpps"' in page
    response = client.post(url, headers=EN, follow_redirects=True, data=edit_form(client, url, **{
        "investigators-1-name": "Dr Paul Garnier", "investigators-1-investigator_rpps": "12345678903",
        "investigators-1-patients": "6", "investigators-1-budget": "Screening visit; 1100; EUR per patient"}))
    assert f"{reference} saved: 4 changes." in response.get_data(as_text=True)
    changes = contract_audit(app, reference)
    assert ("track", "investigator_rpps", None, "12345678903") in changes
    assert ("track", "patients", None, "6") in changes
    again = client.get(url, headers=EN).get_data(as_text=True)
    assert 'value="12345678903"' in again and "Screening visit; 1100.00; EUR per patient" in again
    refused = client.post(url, headers=EN, data=edit_form(client, url, **{
        "investigators-1-name": "Dr Paul Garnier", "investigators-1-investigator_rpps": "12345678900"}))
    assert refused.status_code == 422
    assert 'id="investigators-1-investigator_rpps-error"' in refused.get_data(as_text=True)
