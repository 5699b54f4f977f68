"""Staff withdraw a document version uploaded by mistake, in French, through a confirmation page."""
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import axe_findings, overflow, sign_in
from tests.helpers.contract_data import CONTRACT_DETAILS, SPONSOR_IDENTITY

pytestmark = pytest.mark.e2e


def test_staff_withdraw_a_version_after_confirming(page_for, axe_source, api, builtin_templates, make_user,
                                                   make_sponsor, make_contract):
    reference = make_contract(make_sponsor(**SPONSOR_IDENTITY), received_on=date.today() - timedelta(days=2),
                              **CONTRACT_DETAILS)
    email = make_user("legal", "GR")
    made = api(email).post(f"/contracts/{reference}/documents", json={"template": "coordinating_fr", "site": "GR"})
    filename = made.json()["filename"]
    page = page_for("fr-FR", width=390, axe=axe_source)  # a phone
    sign_in(page, email)
    page.goto(f"/contracts/{reference}")
    expect(page.get_by_role("link", name=filename, exact=True)).to_be_visible()
    page.get_by_role("link", name=f"Retirer {filename}").click()
    page.get_by_role("heading", name="Retirer cette version ?").wait_for()  # the confirmation page
    assert axe_findings(page) == [] and overflow(page) == []
    page.get_by_label("Motif (conservé dans la piste d'audit)").fill("Version envoyée par erreur")
    page.get_by_role("button", name="Retirer").press("Enter")  # by keyboard
    # Back at the contract's documents, loaded: the link counted below is absent from that page, not merely
    # from the confirmation page or from a page still arriving.
    page.wait_for_url(re.compile(rf"/contracts/{reference}#documents$"))
    assert page.locator(".flash.success").inner_text().startswith("Version 1 du centre Gustave Roussy retirée")
    assert page.get_by_role("link", name=filename, exact=True).count() == 0
