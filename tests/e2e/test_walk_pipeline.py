"""Both sites walk a contract from receipt to signature through the pages alone."""
import pytest

from tests.e2e.test_first_contract import _sign_in

pytestmark = pytest.mark.e2e


def _do(page, site, label, party=None):
    track = page.locator(f"#track-{site}")
    action = track.locator("details.action", has=page.locator("summary", has_text=label))
    if action.get_attribute("open") is None:  # the expected next move is already open
        action.locator("summary").click()
    if party:
        action.locator("select").select_option(party)
    action.get_by_role("button", name=label).click()
    # Back at the track that moved, told what happened there.
    assert page.url.endswith(f"#track-{site}")
    assert page.locator(".flash.success").inner_text().endswith(".")


def test_the_whole_pipeline_from_the_pages(page_for, make_user, make_sponsor, make_contract):
    reference = make_contract(make_sponsor())
    gr = page_for("en-GB")
    _sign_in(gr, make_user("legal", "GR"))
    gr.goto(f"/contracts/{reference}")
    for label in ("Mark the file complete", "Send to the sponsor", "Record the sponsor's reply", "Send to the sponsor",
                  "Record the terms as agreed"):
        _do(gr, "GR", label)
    assert "Negotiation rounds: 2" in gr.locator("#track-GR").inner_text()
    for party in ("investigator", "sponsor", "institution"):
        _do(gr, "GR", "Record a signature", party)
    assert gr.locator("#track-GR .stage-name").inner_text() == "Executed"
    assert "1/2 sites executed" in gr.locator(".facts").first.inner_text()

    ib = page_for("en-GB")
    _sign_in(ib, make_user("legal", "IB"))
    ib.goto(f"/contracts/{reference}")
    assert ib.locator("#track-IB .stage-name").inner_text() == "Conformity check"
    _do(ib, "IB", "Confirm conformity with the agreed terms")
    for party in ("sponsor", "institution", "investigator"):
        _do(ib, "IB", "Record a signature", party)
    assert "2/2 sites executed" in ib.locator(".facts").first.inner_text()
    assert ib.locator("#track-IB details.action").count() == 0


def test_a_refused_action_explains_why(page_for, make_user, make_sponsor, make_contract):
    reference = make_contract(make_sponsor())
    first, second = page_for("en-GB"), page_for("en-GB")
    email = make_user("legal", "GR")
    for page in (first, second):
        _sign_in(page, email)
        page.goto(f"/contracts/{reference}")
    _do(first, "GR", "Mark the file complete")
    # The second tab still shows the old stage; its form is stale.
    label = "Ask the sponsor for missing documents"
    action = second.locator("#track-GR details.action", has=second.locator("summary", has_text=label))
    action.locator("summary").click()
    action.get_by_role("button", name=label).click()
    assert "reload" in second.locator(".flash.error").inner_text()
    assert second.locator("#track-GR .stage-name").inner_text() == "Review"
