"""On a phone (390 px) and a tablet (768 px) nothing leaves the screen sideways, and the header's
sign-out and language switch stay visible and work; on a phone the menu folds under "Menu"."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import PHONE, TABLET, on_screen, open_menu, overflow, sign_in

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width", [PHONE, TABLET])
@pytest.mark.parametrize("locale", ["fr-FR", "en-GB"])
def test_no_page_is_wider_than_the_screen(page_for, scene, locale, width):
    page = page_for(locale, width)
    sign_in(page, scene.people["admin"])  # an admin reaches every staff page and has the longest menu
    paths = ["/", "/contracts", "/dashboard/", "/profile/calendar", "/contracts/new", "/admin/policy", "/admin/outbox",
             "/admin/templates",
             *(f"/contracts/{ref}" for ref in scene.refs.values()),
             f"/contracts/{scene.refs['review']}/documents/{scene.redline_id}/compare"]
    wide = {}
    for path in paths:
        page.goto(path)
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        if page.evaluate("document.documentElement.scrollWidth") > width:
            wide[path] = overflow(page) or ["(the page is wider than the screen)"]
    assert wide == {}
    # The contract list stacks on a phone: each value says which column it belongs to.
    page.goto("/contracts")
    if width == PHONE:
        assert page.locator("table.list thead").bounding_box()["height"] <= 1
        assert page.locator("table.list tbody td[data-label]").count() > 0


@pytest.mark.parametrize("role", ["admin", "sponsor"])
@pytest.mark.parametrize("locale, other", [("fr-FR", "en"), ("en-GB", "fr")])
def test_the_header_keeps_sign_out_and_the_language_switch_on_a_phone(page_for, scene, role, locale, other):
    page = page_for(locale, PHONE)
    sign_in(page, scene.people[role])
    sign_out = page.locator("header form[action='/logout'] button")
    switch = page.locator("#lang-switch")
    for item in (page.locator("header .brand"), page.locator("header .who"), sign_out, switch):
        assert on_screen(page, item), item
    # The menu's links fold under "Menu": the header takes a few lines, not half the screen.
    assert page.locator("header.top").bounding_box()["height"] <= 130
    expect(page.locator("header nav details.menu a").first).to_be_hidden()  # folded by the menu script
    open_menu(page)  # the keyboard opens it
    for item in page.locator("header nav a").all():
        assert on_screen(page, item), item
    page.keyboard.press("Enter")  # and closes it again: the focus stayed on "Menu"
    expect(page.locator("header nav details.menu a").first).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    switch.click()
    # The page comes back in the other language at the same address: wait for its language, then its load
    # before the header is measured.
    expect(page.locator("html")).to_have_attribute("lang", other)
    page.wait_for_load_state()
    sign_out = page.locator("header form[action='/logout'] button")
    assert on_screen(page, sign_out)
    sign_out.click()
    page.wait_for_url("**/login")
    assert page.locator("input[name=email]").is_visible()
    assert on_screen(page, page.locator("#lang-switch"))
