"""Every page of every role passes axe-core with no serious or critical finding, on a desktop in
English and on a phone in French; and the actions work from the keyboard alone."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import DESKTOP, PHONE, axe_findings, sign_in

pytestmark = pytest.mark.e2e
SCREENS = [pytest.param("en-GB", DESKTOP, id="en-desktop"), pytest.param("fr-FR", PHONE, id="fr-phone")]


def _pages(role: str, scene) -> list[str]:
    refs = scene.refs
    contract_pages = [f"/contracts/{refs[name]}" for name in ("review", "ib_first", "signature", "round4",
                                                              "cancelled")]
    return {
        "signed_out": ["/login", "/no-such-page"],
        "legal": ["/", "/?tab=all&sort=-due", "/contracts", "/contracts?q=no-such-contract", "/contracts/new",
                  "/profile/calendar", *contract_pages,
                  f"/contracts/{refs['review']}/documents/{scene.redline_id}/compare", "/admin/policy"],
        "manager": ["/", "/dashboard/", f"/contracts/{refs['review']}", f"/contracts/{refs['cancelled']}"],
        "admin": ["/", "/dashboard/", "/dashboard/?from=2026-13-01", "/admin/policy", "/admin/outbox", "/admin/templates",
                  f"/contracts/{refs['helix']}"],
        "sponsor": ["/portal/"],
    }[role]


@pytest.mark.parametrize("locale, width", SCREENS)
@pytest.mark.parametrize("role", ["signed_out", "legal", "manager", "admin", "sponsor"])
def test_every_page_of_each_role_passes_axe(page_for, axe_source, scene, role, locale, width):
    page = page_for(locale, width, axe=axe_source)
    if role != "signed_out":
        sign_in(page, scene.people[role])
    findings = []
    for path in _pages(role, scene):
        page.goto(path)
        findings += axe_findings(page)
    # Pages that show refusals: a failed sign-in, an incomplete contract form, a closure to confirm.
    if role == "signed_out":
        page.goto("/login")
        page.locator("input[name=email]").fill("nobody@tracker.test")
        page.locator("input[name=password]").fill("wrong")
        page.locator("main form button[type=submit]").click()
        # The refusal comes back at /login, the address of the form it replaces: wait for its message.
        expect(page.locator("#password-error")).to_be_visible()
        findings += axe_findings(page)
    if role == "legal":
        page.goto("/contracts/new")
        page.locator("#contract-form .actions button[type=submit]").click()
        page.locator("p.error").first.wait_for()  # the refused form, once the answer has arrived
        findings += axe_findings(page)
    if role == "admin":
        page.goto("/admin/policy")
        page.locator("main a[href*='/closures/']").first.click()
        page.wait_for_url("**/closures/**")  # the confirmation page
        assert page.locator("h1").count() == 1
        findings += axe_findings(page)
    assert findings == []


def _tab_to(page, selector: str, key: str = "Tab", limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{key} never reached {selector}")


@pytest.mark.parametrize("locale, width", SCREENS)
def test_an_action_is_reached_and_taken_with_the_keyboard(page_for, scene, locale, width):
    page = page_for(locale, width)
    sign_in(page, scene.people["legal"])
    reference = scene.refs["helix"]  # GR alone, in its completeness check
    page.goto(f"/contracts/{reference}")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"  # the first stop skips the header
    actions = page.locator("#track-GR details.action")
    # A closed action opens from the keyboard.
    _tab_to(page, "#track-GR details.action:nth-of-type(2) > summary")
    assert actions.nth(1).get_attribute("open") is None
    page.keyboard.press("Enter")
    expect(actions.nth(1)).to_have_js_property("open", True)
    # The next move is open already; its button is reached going back, and Enter submits it.
    _tab_to(page, "#track-GR details.action:nth-of-type(1) button[type=submit]", key="Shift+Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/contracts/{reference}#track-GR")
    expect(page.locator(".flash.success")).to_be_visible()
    assert page.locator("#track-GR .stage-name").inner_text() in ("Review", "Relecture")
