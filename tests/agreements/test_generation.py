"""Generating an agreement: every empty field named first, drafts only on request and never signed."""
import io
import re
from datetime import date, timedelta

import docx
import pytest

from tests.helpers.contract_data import CONTRACT_DETAILS, SPONSOR_IDENTITY
from tests.helpers.docx_text import all_text
from tests.helpers.web import csrf_token
from tracker.documents import operations as ops
from tracker.errors import Conflict
from tracker.extensions import db
from tracker.models import AuditEntry, Document, Track

EN = {"Accept-Language": "en"}
GENERATE = {"template": "coordinating_en", "site": "GR"}


@pytest.fixture
def bare(builtin_templates, make_sponsor, make_contract):
    """A contract whose sponsor has no legal identity and whose trial lacks some details."""
    return make_contract(make_sponsor("Novacure Oncology", "FR"), acronym="ESCALADE",
                         received_on=date.today() - timedelta(days=3))


def _count(app, model):
    with app.app_context():
        return db.session.execute(db.select(db.func.count()).select_from(model)).scalar()


def test_generation_names_every_empty_field_and_stores_nothing(app, api, bare, make_user):
    client = api(make_user("legal", "GR"))
    audit_before = _count(app, AuditEntry)
    response = client.post(f"/contracts/{bare}/documents", json=GENERATE)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "empty_fields"
    assert error["fields"] == {
        "sponsor.registration_number": "The sponsor's registration number is missing.",
        "sponsor.address": "The sponsor's registered address is missing.",
        "sponsor.legal_name": "The sponsor's legal name is missing.",
        "sponsor.legal_form": "The sponsor's legal form is missing.",
        "sponsor.representative": "The name of the sponsor's representative is missing.",
        "sponsor.representative_title": "The title of the sponsor's representative is missing.",
        "site.patients": "The number of patients planned at the site is missing.",
        "site.budget": "The site's budget is missing.",
        "investigator.name": "The principal investigator at the site is missing.",
        "investigator.title": "The investigator's title is missing.",
        "investigator.department": "The investigator's department is missing.",
        "investigator.rpps": "The investigator's RPPS number is missing.",
        "contract.indication": "The indication is missing.",
        "contract.patients": "The number of patients planned is missing.",
    }
    assert "the sponsor's registration number" in error["message"]
    assert "contract.eu_ct_number" not in error["fields"]  # only tested by {% if %}: optional
    assert _count(app, Document) == 0 and _count(app, AuditEntry) == audit_before


def test_an_explicit_draft_is_marked_and_can_never_be_fixed_for_signature(app, api, bare, make_user):
    client = api(make_user("legal", "GR"))
    for bad in ("yes", 1, None):
        refused = client.post(f"/contracts/{bare}/documents", json={**GENERATE, "draft": bad})
        assert refused.status_code == 422 and "draft" in refused.json()["error"]["fields"]
    made = client.post(f"/contracts/{bare}/documents", json={**GENERATE, "draft": True})
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["draft"] is True and body["filename"] == f"{bare}-GR-v1-draft.docx"
    content = client.get(f"/documents/{body['id']}/content").content
    header = docx.Document(io.BytesIO(content)).sections[0].header.paragraphs[0]
    assert header.text.startswith("DRAFT") and header.runs[0].bold
    with app.app_context():
        document = db.session.get(Document, body["id"])
        track = db.session.get(Track, 1)
        assert ops.signable_version(track) is None
        with pytest.raises(Conflict, match="draft"):
            ops.check_fixable(document)


def test_once_filled_the_agreement_has_no_blank_and_can_be_signed(app, api, builtin_templates, make_user,
                                                                   make_sponsor, make_contract):
    reference = make_contract(make_sponsor("Novacure Oncology", **SPONSOR_IDENTITY), **CONTRACT_DETAILS)
    clients = {"GR": api(make_user("legal", "GR")), "IB": api(make_user("legal", "IB"))}
    for template, site in (("coordinating_fr", "GR"), ("associated_en", "IB")):
        client = clients[site]
        made = client.post(f"/contracts/{reference}/documents", json={"template": template, "site": site})
        assert made.status_code == 201, made.text
        assert made.json()["draft"] is False
        text = all_text(client.get(f"/documents/{made.json()['id']}/content").content)
        assert "{{" not in text and "{%" not in text
        for value in ("832147565", "18 rue de la Pépinière, 75008 Paris", "Laura Novak", "Advanced solid tumours",
                      "Screening visit", "Dr Claire Martin" if site == "GR" else "Dr Paul Garnier",
                      "Novacure Oncology SA, société anonyme", "Présidente"):
            assert value in text
        # each site's own figures, written for the template's language
        assert ("450,00\xa0€" in text and "24" in text) if site == "GR" else (
            "€1,200.00" in text and "€850.50" in text and "€2,050.50" in text and "Gustave Roussy" in text)
        assert "DRAFT" not in text
    with app.app_context():
        track = db.session.execute(db.select(Track).where(Track.role == "coordinating")).scalar_one()
        ops.check_fixable(ops.signable_version(track))


def test_the_contract_page_lists_the_blanks_with_links_and_asks_to_confirm_a_draft(
        client, app, bare, make_user, login):
    login(make_user("legal", "GR"))
    page_url = f"/contracts/{bare}"
    html = client.get(page_url, headers=EN).get_data(as_text=True)
    section = html[html.find('id="generate-GR"'):]
    section = section[:section.find("</form>")]
    assert "14 fields the agreement uses are empty:" in section
    assert "The sponsor&#39;s registration number is missing." in section
    assert re.search(r'href="/sponsors/\d+#registration_number">Enter it<', section)
    assert f'href="/contracts/{bare}/edit#indication">Enter it<' in section
    assert "Generate a draft anyway" in section
    token = csrf_token(client, page_url)
    prefix = re.search(r'name="(gen\d+)-site"', section).group(1)
    data = {f"{prefix}-site": "GR", f"{prefix}-template": "coordinating_en", "csrf_token": token}
    refused = client.post(f"{page_url}/documents/generate", data=data, headers=EN, follow_redirects=True)
    assert "Not done: The sponsor&#39;s legal name is missing." in refused.get_data(as_text=True)
    assert _count(app, Document) == 0
    drafted = client.post(f"{page_url}/documents/generate", data={**data, f"{prefix}-draft": "y"}, headers=EN,
                          follow_redirects=True).get_data(as_text=True)
    assert f"{bare}-GR-v1-draft.docx" in drafted and "<strong class=\"flag\">DRAFT</strong>" in drafted


def test_site_fields_link_to_the_site_page_for_admins_only(client, app, builtin_templates, make_user, make_sponsor,
                                                           make_contract, api, login):
    reference = make_contract(make_sponsor("Novacure Oncology", **SPONSOR_IDENTITY), **CONTRACT_DETAILS)
    admin = make_user("admin", None)
    api_admin = api(admin)
    assert api_admin.session.patch(api_admin.base + "/sites/GR", json={"finess": ""}).status_code == 200
    login(make_user("legal", "GR"))
    html = client.get(f"/contracts/{reference}", headers=EN).get_data(as_text=True)
    assert "The site&#39;s FINESS number is missing. (an administrator enters it)" in html
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(admin)
    html = client.get(f"/contracts/{reference}", headers=EN).get_data(as_text=True)
    assert 'href="/admin/sites/GR#finess">Enter it<' in html
