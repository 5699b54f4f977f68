"""A newcomer signs in, creates a two-site contract and finds it in the list."""
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import sign_in

pytestmark = pytest.mark.e2e


def test_newcomer_creates_a_contract_in_french(page_for, make_user, make_sponsor):
    make_sponsor("Novacure Oncology SA")
    email = make_user("legal", "GR")
    page = page_for("fr-FR")
    sign_in(page, email)
    page.get_by_role("link", name="Nouvelle convention").click()
    page.get_by_role("combobox", name="Promoteur", exact=True).fill("Novacure Oncology SA")
    page.get_by_label("Titre de l'essai").fill("Escalade de dose de NVC-114 — tumeurs solides & <R&D>")
    page.get_by_label("Acronyme").fill("ESCALADE")
    page.get_by_label("Numéro de protocole").fill("NVC-114-001")
    page.get_by_label("Phase").select_option("I")
    page.get_by_label("Institut Bergonié", exact=True).check()
    page.get_by_label("Reçu le").fill((date.today() - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Créer la convention").click()
    page.wait_for_url(re.compile(r"/contracts/FT-[^/?#]+$"))  # the contract's page, not the form's <h1>
    heading = page.locator("h1").inner_text()
    reference = heading.split()[0]
    assert reference.startswith("FT-")
    assert page.locator("#track-GR .stage-name").inner_text() == "Vérification de complétude"
    page.get_by_role("link", name="Conventions", exact=True).click()
    page.wait_for_url(re.compile(r"/contracts$"))
    page.get_by_role("searchbox").fill("nvc-114")
    page.get_by_role("button", name="Filtrer").click()
    # The list before the filter holds this one contract too: only the address tells the pages apart.
    page.wait_for_url(re.compile(r"[?&]q=nvc-114(&|$)"))
    row = page.locator("table.list tbody tr")
    expect(row).to_have_count(1)
    assert reference in row.inner_text()
    assert "& <R&D>" in row.inner_text()


def test_english_speaker_sees_english_and_can_switch(page_for, make_user):
    email = make_user("manager", "IB")
    page = page_for("en-GB")
    sign_in(page, email)
    expect(page.get_by_role("heading", name="What needs us today")).to_be_visible()  # staff land on their queue
    page.locator("#lang-switch").click()
    expect(page.get_by_role("heading", name="Ce qui nous attend aujourd’hui")).to_be_visible()
    page.reload()
    assert page.locator("html").get_attribute("lang") == "fr"


def test_validation_messages_show_beside_fields(page_for, make_user, make_sponsor):
    make_sponsor()
    page = page_for("en-GB")
    sign_in(page, make_user("legal", "GR"))
    page.goto("/contracts/new")
    page.get_by_role("button", name="Create the contract").click()
    # The refused form comes back at the same address; its messages say it has arrived.
    expect(page.locator("#title-error")).to_have_text("This field is required.", use_inner_text=True)
    expect(page.locator("#sponsor-error")).to_be_visible()
