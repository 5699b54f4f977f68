"""Two signing journeys in Chromium (SPEC 5c): a signatory declines with a reason, and the owner reads it; one
person named for the sponsor at both sites signs both agreements from one link with one code."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.alerts.conftest import smtp  # noqa: F401  (a real SMTP server on loopback)
from tests.helpers.browser import DESKTOP, PHONE, axe_findings, overflow
from tests.helpers.documents import needs_soffice
from tests.helpers.mail import latest
from tests.helpers.signing import CODE, LINK, PEOPLE, name_all, track_of
from tests.signing.conftest import agreed  # noqa: F401
from tracker.extensions import db
from tracker.models import User

pytestmark = [pytest.mark.e2e, needs_soffice]
REASON = "The budget of article 5 is not the one our committee approved."


def test_a_signatory_declines_with_a_reason_and_the_owner_reads_it(app, page_for, axe_source, agreed, smtp,  # noqa: F811
                                                                    make_user):
    owner = make_user("manager", "GR", language="fr")
    with app.app_context():
        track = track_of(agreed.reference, "GR")
        track.owner_id = db.session.execute(db.select(User.id).where(User.email == owner)).scalar_one()
        db.session.commit()
    name_all(app, agreed.reference, sites=("GR",))
    name, email = PEOPLE["GR"]["institution"]
    page = page_for("en-GB", PHONE, axe=axe_source)
    link = latest(app, smtp, email, LINK)
    page.goto(link)
    findings = axe_findings(page)
    assert overflow(page) == []
    decline = page.locator("details.decline")
    if decline.get_attribute("open") is None:
        decline.locator("summary").click()
    decline.get_by_role("button", name="Decline to sign").click()
    page.wait_for_url("**/sign/*/decline")
    assert "Say why you decline" in page.locator("#decline-reason-error").inner_text()
    page.locator("#decline-reason").fill(REASON)
    page.locator("details.decline").get_by_role("button", name="Decline to sign").click()
    # Declined at the same address as the refusal before it, whose <h1> is the signing page's.
    expect(page.locator("h1")).to_have_text("You declined to sign", use_inner_text=True)
    page.wait_for_load_state()
    findings += axe_findings(page)
    page.goto(link)
    assert "You declined to sign through it" in page.locator("main").inner_text()
    with app.app_context():
        from tracker.mail.smtp import send_due
        from tracker.database import utcnow

        send_due(utcnow())
    told = [m for m in smtp.box.to(owner) if name in m.part("plain")]
    assert len(told) == 1 and REASON in told[0].part("plain")
    with app.app_context():
        assert track_of(agreed.reference, "GR").stage == "signature"
    assert findings == []


def test_the_sponsors_signatory_of_both_sites_signs_both_from_one_link(app, page_for, axe_source, agreed,  # noqa: F811
                                                                       smtp, make_user):  # noqa: F811
    name_all(app, agreed.reference)
    name, email = PEOPLE["GR"]["sponsor"]
    page = page_for("en-GB", DESKTOP, axe=axe_source)
    page.goto(latest(app, smtp, email, LINK))
    assert page.locator("section.agreement").count() == 2
    assert "on 2 agreements of this contract" in page.locator("main").inner_text()
    findings = axe_findings(page)
    page.locator("#sign-name").fill(name)
    page.locator("#sign-consent").check()
    page.get_by_role("button", name="Send me the code").click()
    page.wait_for_url("**/sign/*/code")  # the code is mailed before this page is sent
    page.locator("#sign-code").fill(latest(app, smtp, email, CODE))
    page.locator("main form button[type=submit]").click()
    # Signed at the code page's address, whose <h1> asks for the code.
    expect(page.locator("h1")).to_have_text("Your signature is recorded", use_inner_text=True)
    page.wait_for_load_state()
    findings += axe_findings(page)
    with app.app_context():
        for site in ("GR", "IB"):
            assert track_of(agreed.reference, site).sponsor_signed_at is not None
    assert findings == []
