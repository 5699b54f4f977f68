"""Both sites walk a contract from receipt to signature through the pages alone."""
import pytest

from tests.helpers.browser import sign_in

pytestmark = pytest.mark.e2e


def _do(page, site, label, party=None):
    track = page.locator(f"#track-{site}")
    action = track.locator("details.action", has=page.locator("summary", has_text=label))
    if action.get_attribute("open") is None:  # the expected next move is already open
        action.locator("summary").click()
    if party:
        action.locator("select").select_option(party)
    # From the second action on, the answer has the address and the message box of the page it replaces:
    # only its load event tells that it has come.
    with page.expect_event("load"):
        action.get_by_role("button", name=label).click()
    # Back at the track that moved, told what happened there.
    assert page.url.endswith(f"#track-{site}")
    assert page.locator(".flash.success").inner_text().endswith(".")


def _record_elsewhere(page, site, party):
    """A signature made on paper, recorded from the signing section with the reason there is no PDF."""
    section = page.locator(f"#signing-{site}")
    action = section.locator("details.action", has=page.locator("summary", has_text="Record a signature made elsewhere"))
    assert action.get_attribute("open") is None  # closed by default: online signing is the usual path
    action.locator("summary").click()
    action.locator("select[name=party]").select_option(party)
    action.locator("textarea[name=comment]").fill("Signed in ink at the steering committee.")
    with page.expect_event("load"):  # the same address and message box as the page it replaces
        action.get_by_role("button", name="Record the signature").click()
    assert page.url.endswith(f"#signing-{site}")
    assert page.locator(".flash.success").inner_text().endswith(".")


def test_the_whole_pipeline_from_the_pages(page_for, make_user, make_sponsor, make_contract):
    reference = make_contract(make_sponsor())
    gr = page_for("en-GB")
    sign_in(gr, make_user("legal", "GR"))
    gr.goto(f"/contracts/{reference}")
    for label in ("Mark the file complete", "Send the draft to the sponsor", "Record the sponsor's reply",
                  "Send the draft to the sponsor", "Record the terms as agreed"):
        _do(gr, "GR", label)
    assert "Negotiation rounds: 2" in gr.locator("#track-GR").inner_text()
    # Online signing is the path the track offers; a paper signature is recorded in the signing section.
    assert gr.locator("#track-GR a.button", has_text="Sign online").count() == 1
    for party in ("investigator", "sponsor", "institution"):
        _record_elsewhere(gr, "GR", party)
    assert gr.locator("#track-GR .stage-name").inner_text() == "Executed"
    assert "1/2 sites executed" in gr.locator(".facts").first.inner_text()

    ib = page_for("en-GB")
    sign_in(ib, make_user("legal", "IB"))
    ib.goto(f"/contracts/{reference}")
    assert ib.locator("#track-IB .stage-name").inner_text() == "Conformity check"
    _do(ib, "IB", "Confirm conformity with the agreed terms")
    for party in ("sponsor", "institution", "investigator"):
        _record_elsewhere(ib, "IB", party)
    assert "2/2 sites executed" in ib.locator(".facts").first.inner_text()
    assert ib.locator("#track-IB details.action").count() == 0


def test_a_refused_action_explains_why(page_for, make_user, make_sponsor, make_contract):
    reference = make_contract(make_sponsor())
    first, second = page_for("en-GB"), page_for("en-GB")
    email = make_user("legal", "GR")
    for page in (first, second):
        sign_in(page, email)
        page.goto(f"/contracts/{reference}")
    _do(first, "GR", "Mark the file complete")
    # The second tab still shows the old stage; its form is stale.
    label = "Ask the sponsor for missing documents"
    action = second.locator("#track-GR details.action", has=second.locator("summary", has_text=label))
    action.locator("summary").click()
    with second.expect_event("load"):
        action.get_by_role("button", name=label).click()
    assert "reload" in second.locator(".flash.error").inner_text()
    assert second.locator("#track-GR .stage-name").inner_text() == "Review"
