"""In Chromium: cookies copied from a signed-in browser die when it signs out; an idle session and a locked
account each say on the sign-in page what happened, in the reader's language, with no serious axe finding."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import axe_findings, sign_in
from tracker.database import utcnow
from tracker.people import sessions


def _cookies_of(page):
    return [c for c in page.context.cookies() if c["name"] in ("session", "remember_token")]


def test_copied_cookies_stop_working_after_sign_out(page_for, make_user):
    email = make_user("legal", "GR")
    page = page_for("en-GB")
    page.goto("/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill("correct horse battery")
    page.locator("input[name=remember]").check()
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)  # signed in: the cookies are the answer's
    copied = _cookies_of(page)
    assert {c["name"] for c in copied} == {"session", "remember_token"}
    assert all(c["httpOnly"] and c["sameSite"] == "Lax" for c in copied)

    thief = page_for("en-GB")
    thief.context.add_cookies(copied)
    thief.goto("/account/tokens")
    assert thief.url.endswith("/account/tokens")  # the copy works while the session lives

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")  # the session is ended on the server before the copy is tried again
    expect(page.locator("body")).to_contain_text("You are signed out.")
    thief.goto("/account/tokens")
    assert "/login" in thief.url


@pytest.mark.parametrize("locale, message", [
    ("en-GB", "You were signed out after a while without activity."),
    ("fr-FR", "Votre session a été fermée après un moment d'inactivité."),
])
def test_an_idle_sponsor_is_told_why_on_the_sign_in_page(page_for, app, make_sponsor, make_user, axe_source,
                                                        locale, message):
    make_sponsor("Helix Therapeutics Inc.", "US")
    email = make_user("sponsor", None, sponsor="Helix Therapeutics Inc.")
    page = page_for(locale, width=390, axe=axe_source)
    sign_in(page, email)
    assert "/portal" in page.url
    # Make the browser's session 31 minutes old, as a sponsor who left the tab open would have it.
    session_cookie = next(c for c in page.context.cookies() if c["name"] == "session")
    serializer = app.session_interface.get_signing_serializer(app)
    held = serializer.loads(session_cookie["value"])
    sid = sessions.parse(held["_user_id"])
    then = utcnow() - timedelta(minutes=31)
    held["_user_id"] = str(sessions.SessionId(sid.user_id, sid.generation, then, False))
    held["_seen_at"] = sessions.epoch(then)
    page.context.add_cookies([{**session_cookie, "value": serializer.dumps(held)}])
    page.goto("/portal/")
    assert "/login" in page.url
    assert message in page.locator("main").inner_text()
    assert axe_findings(page) == []


def test_a_locked_account_says_when_to_try_again(page_for, make_user, axe_source):
    email = make_user("legal", "GR")
    page = page_for("fr-FR", axe=axe_source)
    for _ in range(5):
        sign_in(page, email, "not the password", refused=True)
    assert "Trop de tentatives\u00a0; réessayez dans 15 minutes." in page.locator("main").inner_text()
    assert axe_findings(page) == []
