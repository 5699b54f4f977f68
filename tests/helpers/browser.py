"""For the browser tests (tests/e2e): screen widths, signing in, and what they check on any page (axe-core
findings, sideways overflow, header reach)."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.helpers.web import PASSWORD

# The screen widths the pages are tried at, in CSS pixels; a tab up to 480 px wide is a phone.
PHONE, TABLET, DESKTOP = 390, 768, 1280
BLOCKING = ("serious", "critical")


def sign_in(page, email: str, password: str = PASSWORD, refused: bool = False) -> None:
    """Sign in through the real form and wait for the page it leads to, loaded.

    A sign-in that works leaves /login for the person's start page; one that is ``refused`` comes
    back to /login with the reason beside the password, which the freshly loaded form does not have.
    The load state alone could be the sign-in page's own, read before the answer arrives.
    """
    page.goto("/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").click()
    if refused:
        expect(page.locator("#password-error")).to_be_visible()
        page.wait_for_load_state()
    else:
        page.wait_for_url(lambda url: not re.search(r"/login(\?|$)", url))


def axe_findings(page) -> list[str]:
    """Serious and critical axe-core findings on the page as it is, with every <details> opened."""
    page.wait_for_load_state()
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return {passes: r.passes.length, violations: r.violations.map(v => ({id: v.id, impact: v.impact,
                help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))};
    }""")
    assert result["passes"] > 10, f"axe-core did not run its rules on {page.url}"
    return [f"{page.url}: {v['id']} ({v['impact']}) {v['help']} at {v['nodes']}"
            for v in result["violations"] if v["impact"] in BLOCKING]


def overflow(page) -> list[str]:
    """The elements that stick out past the screen's right edge (none when the page fits).

    A phone browser widens its layout to fit what overflows, so the screen's width is the
    one the test asked for, not window.innerWidth.
    """
    page.wait_for_load_state()  # a document still being replaced has no element to measure
    return page.evaluate("""width => {
        if (document.documentElement.scrollWidth <= width) return [];
        const out = [];
        for (const el of document.body.querySelectorAll('*')) {
            const r = el.getBoundingClientRect();
            let inside = el.parentElement;
            while (inside && getComputedStyle(inside).overflowX === 'visible') inside = inside.parentElement;
            if (r.right > width + 0.5 && r.width > 0 && (!inside || inside === document.body
                                                          || inside === document.documentElement))
                out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                         (el.className ? '.' + String(el.className).split(' ').join('.') : '') +
                         ' right=' + Math.round(r.right));
        }
        return out.slice(0, 8);
    }""", page.viewport_size["width"])


def on_screen(page, locator) -> bool:
    """Visible and wholly inside the viewport's width."""
    if not locator.is_visible():
        return False
    box = locator.bounding_box()
    width = page.viewport_size["width"]
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


def open_menu(page) -> None:
    """Unfold the main menu where it is folded (on a phone), with the keyboard as a person would."""
    page.wait_for_load_state()  # the stylesheet shows "Menu" and the menu script folds the menu once loaded
    switch = page.locator("header details.menu > summary")
    if switch.is_visible() and page.locator("header details.menu[open]").count() == 0:
        switch.focus()
        page.keyboard.press("Enter")
        expect(page.locator("header details.menu[open]")).to_have_count(1)
