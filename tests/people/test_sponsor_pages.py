"""The sponsor pages: list and search, a new sponsor with its contacts, changes and who may make them."""
import re

from tests.helpers.contract_data import SPONSOR_IDENTITY
from tests.helpers.web import csrf_token
from tracker.extensions import db
from tracker.models import AuditEntry, Sponsor

EN = {"Accept-Language": "en"}


def _form(client, url, **fields):
    data = {"csrf_token": csrf_token(client, url), "name": "Novacure Oncology", "country": "FR",
            "legal_name": "Novacure Oncology SA", "legal_form": "SA", "registration_number": "832 147 565",
            "address": "18 rue de la Pépinière\n75008 Paris", "vat_number": "FR73832147565",
            "representative": "Laura Novak", "representative_title": "Présidente", "language": "fr",
            "contacts-0-name": "Laura Novak", "contacts-0-email": "laura@novacure.example",
            "contacts-0-role": "Clinical operations", "contacts-0-phone": "+33 1 44 00 12 34"}
    data.update(fields)
    return data


def test_admin_creates_a_sponsor_and_sees_it_listed(client, app, make_user, login):
    login(make_user("admin", None))
    response = client.post("/sponsors/new", data=_form(client, "/sponsors/new"), headers=EN)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        sponsor = db.session.execute(db.select(Sponsor)).scalar_one()
        assert sponsor.address == "18 rue de la Pépinière\n75008 Paris"
        assert [c.email for c in sponsor.contacts] == ["laura@novacure.example"]
    listing = client.get("/sponsors?q=novacure", headers=EN).get_data(as_text=True)
    assert "Novacure Oncology SA" in listing and "Complete" in listing
    page = client.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert 'value="832147565"' in page and 'value="Laura Novak"' in page


def test_errors_sit_beside_their_fields_and_nothing_is_stored(client, app, make_user, login):
    login(make_user("admin", None))
    response = client.post("/sponsors/new", headers=EN, data=_form(
        client, "/sponsors/new", registration_number="832147566", vat_number="FR00",
        **{"contacts-0-email": "laura@"}))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'id="registration_number-error">832147566 fails the SIREN checksum', html)
    assert 'id="vat_number-error"' in html and 'id="contacts-0-email-error"' in html
    assert 'aria-invalid="true"' in html and 'value="Laura Novak"' in html  # what was typed stays
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Sponsor.id))).scalar() == 0


def test_legal_staff_change_the_sponsors_of_their_site_only(client, app, make_user, make_sponsor, make_contract,
                                                             login):
    ours = make_sponsor("Novacure Oncology", **SPONSOR_IDENTITY)
    theirs = make_sponsor("Helix Therapeutics Inc.", "US")
    make_contract(ours, sites=("GR",))
    make_contract(theirs, coordinating="IB", sites=("IB",))
    login(make_user("legal", "GR"))
    listing = client.get("/sponsors", headers=EN).get_data(as_text=True)
    assert "Novacure Oncology" in listing and "Helix" not in listing
    assert client.get(f"/sponsors/{theirs}").status_code == 404  # as if it did not exist
    assert client.get("/sponsors/new").status_code == 403
    assert client.get("/sponsors/999999").status_code == 404
    url = f"/sponsors/{ours}"
    response = client.post(url, headers=EN, follow_redirects=True, data=_form(
        client, url, representative="Marc Dupont", **{"contacts-0-name": ""}, **{"contacts-0-email": ""},
        **{"contacts-0-role": ""}, **{"contacts-0-phone": ""}))
    assert "Sponsor Novacure Oncology saved." in response.get_data(as_text=True)
    with app.app_context():
        rows = {(e.field, e.old_value, e.new_value) for e in db.session.execute(
            db.select(AuditEntry).where(AuditEntry.entity == "sponsor")).scalars()}
    assert ("representative", "Laura Novak", "Marc Dupont") in rows


def test_a_contact_is_removed_with_its_checkbox(client, app, make_user, make_sponsor, login):
    login(make_user("admin", None))
    client.post("/sponsors/new", data=_form(client, "/sponsors/new"))
    with app.app_context():
        sponsor_id = db.session.execute(db.select(Sponsor.id)).scalar_one()
    url = f"/sponsors/{sponsor_id}"
    response = client.post(url, data=_form(client, url, **{"contacts-0-remove": "y"}))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Sponsor, sponsor_id).contacts == []


def test_the_list_pages(client, make_user, make_sponsor, login):
    for n in range(27):
        make_sponsor(f"Sponsor {n:02d}")
    login(make_user("admin", None))
    first = client.get("/sponsors", headers=EN).get_data(as_text=True)
    assert "Page 1 of 2" in first and "Sponsor 00" in first and "Sponsor 26" not in first
    assert "Sponsor 26" in client.get("/sponsors?page=2").get_data(as_text=True)
    assert "6 fields missing" in first  # all but the country


def test_forms_need_their_csrf_token(client, make_user, login):
    login(make_user("admin", None))
    assert client.post("/sponsors/new", data={"name": "X"}).status_code == 400


def test_the_country_list_names_countries_only(app):
    from tracker.web.shared.forms import country_choices

    for language in ("fr", "en"):
        with app.test_request_context(headers={"Accept-Language": language}):
            codes = {choice.value for choice in country_choices()}
        assert {"FR", "DE", "US", "CH", "XK"} <= codes  # Kosovo is a country with a code of its own
        assert not codes & {"XA", "XB", "EU", "EZ", "UN", "QO", "ZZ"}  # pseudo-locales and groupings are not
