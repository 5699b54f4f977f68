"""From an empty database to an agreement with no blank: an admin enters a sponsor's legal identity, a
legal user creates the contract with investigators and a three-row budget, the agreement is filled."""
import re
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import sign_in
from tests.helpers.journeys import AGREEMENT_WORDS, admin_creates_the_sponsor, generate_and_read, legal_creates_the_contract
from tracker.documents import library
from tracker.documents import operations as ops
from tracker.documents.blanks import required_fields
from tracker.documents.catalogue import value_at
from tracker.extensions import db
from tracker.models import Contract

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("locale", ["fr-FR", "en-GB"])
def test_the_agreement_has_every_placeholder_filled(app, page_for, make_user, builtin_templates, locale):
    w = AGREEMENT_WORDS[locale]
    admin = page_for(locale)
    sign_in(admin, make_user("admin", None))
    admin_creates_the_sponsor(admin, w)
    legal = page_for(locale)
    sign_in(legal, make_user("legal", "GR"))
    reference = legal_creates_the_contract(legal, w)
    text = generate_and_read(legal, w, reference)
    with app.app_context():
        contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
        track = contract.coordinating_track
        template = library.latest_template("coordinating_fr")
        context = ops.template_context(contract, track, date.today(), "fr")
        required = required_fields(template)
        assert len(required) > 20
        for field in sorted(required - {"today"}):
            value = value_at(context, field)
            for one in (value if isinstance(value, list) else [value]):
                if isinstance(one, dict):
                    continue  # the budget's rows: their columns are checked one by one
                assert one not in (None, "") and str(one) in text.replace("\n", " ").replace("\t", " ") or \
                    str(one) in text, field
    assert "832147565" in text and "Dr Claire Martin" in text and "10000000009" in text
    assert "1\u202f500,00\u00a0€" in text and "1500.00" not in text  # amounts written the French way


def test_an_admin_adds_a_third_centre_in_the_browser(page_for, make_user):
    page = page_for("fr-FR")
    sign_in(page, make_user("admin", None))
    page.get_by_role("link", name="Centres", exact=True).click()
    page.get_by_role("link", name="Ajouter un centre").click()
    page.get_by_role("textbox", name="Code", exact=True).fill("CLB")
    page.get_by_role("textbox", name="Nom", exact=True).fill("Centre Léon Bérard")
    page.get_by_label("Raison sociale").fill("Centre Léon Bérard")
    page.get_by_label("Numéro SIRET").fill("779 781 865 00011")
    page.get_by_label("Numéro FINESS").fill("690000880")
    page.get_by_label("Représentant", exact=True).fill("Pr Marie Lenoir")
    page.get_by_role("button", name="Ajouter le centre").click()
    expect(page.locator("#siret-error")).to_contain_text("clé de contrôle", use_inner_text=True)  # the refused form, same address
    page.get_by_label("Numéro SIRET").fill("779 781 863 00013")
    page.get_by_role("button", name="Ajouter le centre").click()
    page.wait_for_url(re.compile(r"/admin/sites/CLB$"))  # the form's page has an <h1> too
    assert page.locator("h1").inner_text() == "Centre Léon Bérard (CLB)"
    page.get_by_role("link", name="Nouvelle convention").click()
    page.wait_for_url(re.compile(r"/contracts/new$"))  # loaded, with the script that ties the sites together
    page.locator("#coordinating_site").select_option("GR")
    expect(page.get_by_label("Centre Léon Bérard", exact=True)).to_be_enabled()  # offered as an associated site
    page.locator("#coordinating_site").select_option("CLB")
    expect(page.get_by_label("Centre Léon Bérard", exact=True)).to_be_disabled()  # now the coordinator
