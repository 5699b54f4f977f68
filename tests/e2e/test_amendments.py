"""In Chromium on a 390 px phone: staff amend an executed contract from its page (form, confirmation, the new
contract's page linking back), then record the site's activation and first patient; axe finds nothing serious."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.helpers.amendments import execute
from tests.helpers.browser import axe_findings, overflow, sign_in
from tests.helpers.browser import PHONE
from tracker.timeutil import local_date

pytestmark = pytest.mark.e2e


def test_staff_amend_an_executed_contract_and_record_activation(app, page_for, axe_source, make_sponsor,
                                                                 make_contract, make_user, now):
    reference = make_contract(make_sponsor(), received_on=(now - timedelta(days=40)).date())
    execute(app, reference, now - timedelta(days=5))
    email = make_user("legal", "GR", language="en")
    page = page_for("en-GB", PHONE, axe=axe_source)
    sign_in(page, email)
    page.goto(f"/contracts/{reference}")
    problems = axe_findings(page) + overflow(page)
    page.get_by_role("link", name="New amendment").click()
    page.get_by_label("What the amendment changes").fill("Twenty more patients")
    page.get_by_label("Received on").fill(local_date(now).isoformat())
    assert page.get_by_role("checkbox", name="Institut Bergonié").is_checked()
    page.get_by_role("checkbox", name="Institut Bergonié").uncheck()
    problems += axe_findings(page) + overflow(page)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Create this amendment?").wait_for()  # the confirmation step
    problems += axe_findings(page) + overflow(page)
    page.get_by_role("button", name="Create the amendment").click()
    page.wait_for_url(re.compile(rf"/contracts/{reference}-A1$"))
    assert page.get_by_role("heading", level=1).inner_text().startswith(f"{reference}-A1")
    assert "Amendment no. 1 to" in page.locator("p.amends").inner_text()
    problems += axe_findings(page) + overflow(page)
    page.locator("p.amends").get_by_role("link", name=reference).click()
    page.wait_for_url(re.compile(rf"/contracts/{reference}$"))
    assert page.locator("#amendments").get_by_role("link", name=f"{reference}-A1").is_visible()
    page.get_by_text("Record the regulatory status").click()
    page.get_by_label("Site activated on").first.fill((local_date(now) - timedelta(days=2)).isoformat())
    page.get_by_label("First patient in on").first.fill(local_date(now).isoformat())
    page.get_by_role("button", name="Save the regulatory status").click()
    page.get_by_text("Regulatory status saved.").wait_for()  # the page after the save, with its message
    status = re.sub(r"\s+", " ", page.locator("#regulatory dl").inner_text())
    assert "activated on" in status and "first patient in on" in status
    problems += axe_findings(page) + overflow(page)
    assert not problems, "\n".join(problems)
