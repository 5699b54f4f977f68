"""The Content-Security-Policy blocks nothing the pages need: Chromium reports no refused script or style."""
import pytest

from tests.helpers.browser import sign_in

pytestmark = pytest.mark.e2e


def test_pages_render_under_the_policy_without_violations(page_for, builtin_templates, make_user, make_sponsor,
                                                          make_contract):
    reference = make_contract(make_sponsor())
    page = page_for("en-GB")
    refused = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    sign_in(page, make_user("admin", None))
    for path in ("/", f"/contracts/{reference}", "/contracts/new", "/admin/templates", "/admin/policy",
                 "/admin/outbox"):
        response = page.goto(path)
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert page.evaluate("getComputedStyle(document.querySelector('header.top')).display") == "flex"  # CSS on
    assert refused == []
