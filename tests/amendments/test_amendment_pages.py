"""The staff's amendment pages and the portal, through the real forms (CSRF included)."""
from __future__ import annotations

import re

from tests.helpers.amendments import day
from tests.helpers.web import csrf_token
from tracker.extensions import db
from tracker.models import Contract


def _contracts(app) -> int:
    with app.app_context():
        return db.session.execute(db.select(db.func.count(Contract.id))).scalar()


def _form(client, reference, **fields):
    token = csrf_token(client, f"/contracts/{reference}/amendments/new")
    data = {"csrf_token": token, "amend-title": "Twenty more patients", "amend-received_on": day(0),
            "amend-sites": ["GR", "IB"], "amend-language": "fr"}
    data.update({f"amend-{k}": v for k, v in fields.items()})
    return client.post(f"/contracts/{reference}/amendments/new", data=data)


def test_staff_amend_from_the_contract_page_with_a_confirmation(app, signed, login, make_user):
    _sponsor, reference = signed
    client = login(make_user("legal", "GR", language="en"))
    page = client.get(f"/contracts/{reference}").get_data(as_text=True)
    assert f'href="/contracts/{reference}/amendments/new"' in page and "New amendment" in page
    form = client.get(f"/contracts/{reference}/amendments/new").get_data(as_text=True)
    assert 'value="GR" checked' in form.replace("checked ", "checked") or "checked" in form
    confirm = _form(client, reference)
    body = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Create this amendment?" in body and "Twenty more patients" in body
    assert _contracts(app) == 1  # nothing created before the confirmation
    done = _form(client, reference, confirm="1")
    assert done.status_code == 303 and done.headers["Location"].endswith(f"/contracts/{reference}-A1")
    amendment = client.get(f"/contracts/{reference}-A1").get_data(as_text=True)
    assert "Amendment no. 1 to" in amendment and f'href="/contracts/{reference}"' in amendment
    assert "Twenty more patients" in amendment
    parent = client.get(f"/contracts/{reference}").get_data(as_text=True)
    assert f'href="/contracts/{reference}-A1"' in parent


def test_bad_input_is_shown_beside_the_field_and_creates_nothing(app, signed, login, make_user):
    _sponsor, reference = signed
    client = login(make_user("legal", "GR", language="en"))
    for fields, words in (({"title": ""}, "say what the amendment changes"),
                          ({"received_on": "2999-01-01"}, "cannot be in the future"),
                          ({"sites": []}, "Expected a list of the codes"),
                          ({"language": "de"}, "Not a valid choice")):
        response = _form(client, reference, confirm="1", **fields)
        assert response.status_code == 422, fields
        assert words in response.get_data(as_text=True)
    assert _contracts(app) == 1


def test_an_open_contract_offers_no_amendment(app, make_sponsor, make_contract, login, make_user):
    reference = make_contract(make_sponsor())
    client = login(make_user("legal", "GR", language="en"))
    assert "New amendment" not in client.get(f"/contracts/{reference}").get_data(as_text=True)
    response = client.get(f"/contracts/{reference}/amendments/new")
    assert response.status_code == 303
    assert "not executed yet" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_the_pages_speak_french(app, signed, login, make_user):
    _sponsor, reference = signed
    client = login(make_user("legal", "GR", language="fr"))
    page = client.get(f"/contracts/{reference}").get_data(as_text=True)
    assert "Nouvel avenant" in page and "Statut réglementaire" in page
    form = client.get(f"/contracts/{reference}/amendments/new").get_data(as_text=True)
    assert "Ce que modifie l'avenant" in form or "Ce que modifie l&#39;avenant" in form


def test_the_sponsor_sees_its_amendments_and_the_links(app, signed, login, make_user, api):
    _sponsor, reference = signed
    api(make_user("legal", "GR")).post(f"/contracts/{reference}/amendments", json={
        "title": "New arm", "received_on": day(0), "sites": ["GR"]})
    client = login(make_user("sponsor", None, sponsor="Novacure Oncology SA", language="en"))
    parent = client.get(f"/portal/contracts/{reference}").get_data(as_text=True)
    assert f'href="/portal/contracts/{reference}-A1"' in parent and "New arm" in parent
    assert "New amendment" not in parent and "Regulatory status" in parent
    amendment = client.get(f"/portal/contracts/{reference}-A1")
    assert amendment.status_code == 200
    assert re.search(rf'href="/portal/contracts/{reference}"', amendment.get_data(as_text=True))
