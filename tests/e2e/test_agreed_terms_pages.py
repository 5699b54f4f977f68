"""Issue 15 from the pages, in Chromium: reopen agreed terms, report a conformity issue, choose an owner."""
from datetime import datetime, timezone

import pytest

from tests.helpers.browser import sign_in
from tracker import audit
from tracker.extensions import db
from tracker.models import Contract
from tracker.pipeline.operations import apply_action

pytestmark = pytest.mark.e2e


def _act(app, reference, site, action, **kw):
    with app.app_context():
        contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
        track = next(t for t in contract.tracks if t.site.code == site)
        apply_action(track, action, actor=audit.SYSTEM, now=datetime.now(timezone.utc), **kw)
        db.session.commit()


@pytest.fixture
def agreed(app, make_sponsor, make_contract):
    reference = make_contract(make_sponsor())
    _act(app, reference, "GR", "mark_complete")
    _act(app, reference, "GR", "agree")
    _act(app, reference, "GR", "sign", party="sponsor")
    return reference


def _open_action(page, site, label):
    action = page.locator(f"#track-{site} details.action", has=page.locator("summary", has_text=label))
    if action.get_attribute("open") is None:
        action.locator("summary").click()
    return action


def test_reopening_the_terms_at_phone_width(app, page_for, make_user, agreed):
    page = page_for("en-GB")
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, make_user("legal", "GR"))
    page.goto(f"/contracts/{agreed}")
    assert "The sponsor signed" in page.locator(".timeline").inner_text()
    action = _open_action(page, "GR", "Reopen the terms")
    action.get_by_label("Comment").fill("The sponsor reopened the indemnity clause.")
    action.get_by_role("button", name="Reopen the terms").click()
    # Back at the track that moved, loaded: the checks below read the whole track and measure it.
    page.wait_for_url(f"**/contracts/{agreed}#track-GR")
    assert "Terms reopened at Gustave Roussy: now Review." in page.locator(".flash.success").inner_text()
    track = page.locator("#track-GR")
    assert track.locator(".stage-name").inner_text() == "Review"
    assert "Negotiation rounds: 1" in track.inner_text() and "Signatures" not in track.inner_text()
    assert page.locator("#track-IB .stage-name").inner_text() == "Waiting for the coordinator"
    timeline = page.locator(".timeline").inner_text()
    assert "Terms reopened" in timeline and "The sponsor reopened the indemnity clause." in timeline
    # The track and its forms fit the phone's width (the header is the pages' own concern).
    assert page.evaluate("document.querySelector('#track-GR').getBoundingClientRect().right") <= 390


def test_reopening_without_a_reason_is_refused_in_french(app, page_for, make_user, agreed):
    page = page_for("fr-FR")
    sign_in(page, make_user("legal", "GR"))
    page.goto(f"/contracts/{agreed}")
    action = _open_action(page, "GR", "Rouvrir les termes")
    action.locator("textarea").evaluate("el => el.removeAttribute('required')")  # as a script-less client would
    action.get_by_role("button", name="Rouvrir les termes").click()
    page.wait_for_url(f"**/contracts/{agreed}#track-GR")  # the old page showed the same stage
    assert "motif" in page.locator(".flash.error").inner_text().lower()
    assert page.locator("#track-GR .stage-name").inner_text() == "Signature"


def test_an_associated_site_reports_a_conformity_issue(app, page_for, make_user, agreed):
    ib = page_for("en-GB")
    sign_in(ib, make_user("legal", "IB"))
    ib.goto(f"/contracts/{agreed}")
    action = _open_action(ib, "IB", "Report a conformity issue")
    action.get_by_label("Comment").fill("Article 7 carries 3 M EUR of insurance, not the agreed 5 M EUR.")
    action.get_by_role("button", name="Report a conformity issue").click()
    ib.wait_for_url(f"**/contracts/{agreed}#track-IB")
    assert ib.locator(".flash.success").inner_text() == "Conformity issue reported at Institut Bergonié."
    assert ib.locator("#track-IB .stage-name").inner_text() == "Conformity check"
    assert ib.locator("#track-GR .stage-name").inner_text() == "Signature"

    gr = page_for("en-GB")
    sign_in(gr, make_user("legal", "GR"))
    gr.goto(f"/contracts/{agreed}")
    assert "Article 7 carries 3 M EUR" in gr.locator(".timeline").inner_text()


def test_staff_choose_the_owner_of_their_sites_track(app, page_for, make_user, agreed):
    make_user("legal", "GR", email="camille.legal@gr.test")
    page = page_for("en-GB")
    sign_in(page, make_user("manager", "GR"))
    page.goto(f"/contracts/{agreed}")
    track = page.locator("#track-GR")
    assert "Nobody: all legal staff of the site" in track.inner_text()
    assert page.locator("#track-IB form.owner").count() == 0
    track.get_by_label("Owner").select_option(label="Legal 1")
    page.keyboard.press("Tab")
    track.get_by_role("button", name="Save the owner").click()
    page.wait_for_url(f"**/contracts/{agreed}#track-GR")  # the old page names an owner too
    assert page.locator(".flash.success").inner_text() == "Owner of the Gustave Roussy track saved."
    owner = page.locator("#track-GR dt", has_text="Owner").locator("xpath=following-sibling::dd[1]")
    assert owner.inner_text() == "Legal 1"
