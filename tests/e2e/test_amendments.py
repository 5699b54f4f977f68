"""In Chromium on a 390 px phone, in English and French: staff amend an executed contract from its page
(form, confirmation, the new contract's page linking back), then record the site's activation and first
patient; axe finds nothing serious."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.helpers.amendments import execute
from tests.helpers.browser import axe_findings, overflow, sign_in
from tests.helpers.browser import PHONE
from tracker.timeutil import local_date

pytestmark = pytest.mark.e2e

WORDS = {
    "en-GB": {"language": "en", "new": "New amendment", "title": "What the amendment changes",
              "received": "Received on", "continue": "Continue", "confirm": "Create this amendment?",
              "create": "Create the amendment", "amends": "Amendment no. 1 to",
              "open": "Record the regulatory status", "activated": "Site activated on",
              "first": "First patient in on", "save": "Save the regulatory status",
              "saved": "Regulatory status saved.", "shown": ("activated on", "first patient in on")},
    "fr-FR": {"language": "fr", "new": "Nouvel avenant", "title": "Ce que modifie l'avenant",
              "received": "Reçu le", "continue": "Continuer", "confirm": "Créer cet avenant ?",
              "create": "Créer l'avenant", "amends": "Avenant n° 1 à",
              "open": "Saisir le statut réglementaire", "activated": "Centre ouvert le",
              "first": "Premier patient inclus le", "save": "Enregistrer le statut réglementaire",
              "saved": "Statut réglementaire enregistré.", "shown": ("ouvert le", "premier patient inclus le")},
}


@pytest.mark.parametrize("locale", WORDS)
def test_staff_amend_an_executed_contract_and_record_activation(app, page_for, axe_source, make_sponsor,
                                                                 make_contract, make_user, now, locale):
    w = WORDS[locale]
    reference = make_contract(make_sponsor(), received_on=(now - timedelta(days=40)).date())
    execute(app, reference, now - timedelta(days=5))
    email = make_user("legal", "GR", language=w["language"])
    page = page_for(locale, PHONE, axe=axe_source)
    sign_in(page, email)
    page.goto(f"/contracts/{reference}")
    problems = axe_findings(page) + overflow(page)
    page.get_by_role("link", name=w["new"]).click()
    page.wait_for_url(re.compile(rf"/contracts/{reference}/amendments/new$"))  # measured below once loaded
    page.get_by_label(w["title"]).fill("Twenty more patients")
    page.get_by_label(w["received"]).fill(local_date(now).isoformat())
    assert page.get_by_role("checkbox", name="Institut Bergonié").is_checked()
    page.get_by_role("checkbox", name="Institut Bergonié").uncheck()
    problems += axe_findings(page) + overflow(page)
    page.get_by_role("button", name=w["continue"]).click()
    page.get_by_role("heading", name=w["confirm"]).wait_for()  # the confirmation step
    problems += axe_findings(page) + overflow(page)
    page.get_by_role("button", name=w["create"]).click()
    page.wait_for_url(re.compile(rf"/contracts/{reference}-A1$"))
    assert page.get_by_role("heading", level=1).inner_text().startswith(f"{reference}-A1")
    assert w["amends"] in page.locator("p.amends").inner_text()
    problems += axe_findings(page) + overflow(page)
    page.locator("p.amends").get_by_role("link", name=reference).click()
    page.wait_for_url(re.compile(rf"/contracts/{reference}$"))
    expect(page.locator("#amendments").get_by_role("link", name=f"{reference}-A1")).to_be_visible()
    page.get_by_text(w["open"]).click()
    page.get_by_label(w["activated"]).first.fill((local_date(now) - timedelta(days=2)).isoformat())
    page.get_by_label(w["first"]).first.fill(local_date(now).isoformat())
    page.get_by_role("button", name=w["save"]).click()
    page.wait_for_url(re.compile(rf"/contracts/{reference}#regulatory$"))  # the page after the save
    page.get_by_text(w["saved"]).wait_for()  # with its message
    for words in w["shown"]:  # whitespace collapsed, as the page shows it
        expect(page.locator("#regulatory dl")).to_contain_text(words, use_inner_text=True)
    problems += axe_findings(page) + overflow(page)
    assert not problems, "\n".join(problems)
