"""The signing journey in Chromium (SPEC 5c), in French on a desktop and in English on a phone: a legal user
names the three signatories, each signs from the link in their e-mail with the code from the next one, the
track is executed, and the executed PDF with its certificate verifies. Every page passes axe-core."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.alerts.conftest import smtp  # noqa: F401  (a real SMTP server on loopback)
from tests.helpers.browser import DESKTOP, PHONE, axe_findings, overflow, sign_in
from tests.helpers.documents import needs_soffice
from tests.helpers.mail import latest
from tests.helpers.signing import CODE, LINK, track_of
from tests.signing.conftest import agreed  # noqa: F401  (fixture)
from tracker.extensions import db
from tracker.models.signing import ExecutedAgreement

pytestmark = [pytest.mark.e2e, needs_soffice]
PEOPLE = (("institution", "Pr Élise Moreau", "direction@gr.test"),
          ("investigator", "Dr Claire Martin", "cmartin@gr.test"),
          ("sponsor", "Laura Novak", "laura@novacure.test"))
WORDS = {"fr": {"sign": "Signer la convention", "code": "M’envoyer le code", "done": "Votre signature est enregistrée",
                "save": "Enregistrer et envoyer le lien", "check": "Vérifier", "valid": "Valide",
                "executed": "Convention signée (PDF)"},
         "en": {"sign": "Sign the agreement", "code": "Send me the code", "done": "Your signature is recorded",
                "save": "Save and send the link", "check": "Check", "valid": "Valid:",
                "executed": "Executed agreement (PDF)"}}


@pytest.mark.parametrize("locale, width", [pytest.param("fr-FR", DESKTOP, id="fr-desktop"),
                                           pytest.param("en-GB", PHONE, id="en-phone")])
def test_three_parties_sign_from_their_mails_and_the_pdf_verifies(app, page_for, axe_source, agreed, smtp,  # noqa: F811
                                                                   make_user, locale, width, tmp_path):
    lang = locale[:2]
    words = WORDS[lang]
    findings = []
    staff = page_for(locale, width, axe=axe_source)
    sign_in(staff, make_user("legal", "GR"))
    staff.goto(f"/contracts/{agreed.reference}#signing-GR")
    section = staff.locator("#signing-GR")
    findings += axe_findings(staff)
    for index, (party, name, email) in enumerate(PEOPLE):
        details = section.locator("details.action").nth(index)
        if details.get_attribute("open") is None:  # the axe check opens every <details>
            details.locator("summary").click()
        details.locator("input[name=name]").fill(name)
        details.locator("input[name=email]").fill(email)
        details.locator("select[name=language]").select_option(lang)
        details.locator("button[type=submit]").click()
        # The answer comes back at the address the page already has (…#signing-GR): wait for the name
        # it records, then for that page to finish loading before the next form is opened.
        expect(staff.locator(f"#signatory-GR-{party}")).to_contain_text(email)
        staff.wait_for_load_state()
        assert staff.locator(f"#signatory-GR-{party}").inner_text().count(email) == 1
    assert overflow(staff) == []
    for _party, name, email in PEOPLE:
        signatory = page_for(locale, width, axe=axe_source)
        signatory.goto(latest(app, smtp, email, LINK))
        assert signatory.locator("h1").inner_text() == words["sign"]
        findings += axe_findings(signatory)
        assert overflow(signatory) == []
        signatory.locator("#sign-name").fill(name)
        signatory.locator("#sign-consent").check()
        signatory.get_by_role("button", name=words["code"]).click()
        signatory.wait_for_url("**/sign/*/code")  # the code is mailed before this page is sent
        findings += axe_findings(signatory)
        signatory.locator("#sign-code").fill(latest(app, smtp, email, CODE))
        signatory.locator("main form button[type=submit]").click()
        # The signed page comes back at the code page's address, which has an <h1> of its own.
        expect(signatory.locator("h1")).to_have_text(words["done"], use_inner_text=True)
        signatory.wait_for_load_state()
        findings += axe_findings(signatory)
    with app.app_context():
        assert track_of(agreed.reference, "GR").stage == "executed"
        pdf = db.session.execute(db.select(ExecutedAgreement)).scalar_one().document.content
    staff.goto(f"/contracts/{agreed.reference}")  # a new load: the page still shows the links being sent
    assert staff.locator("#signing-GR").get_by_text(words["executed"]).count() == 1
    path = tmp_path / "executed.pdf"
    path.write_bytes(pdf)
    checker = page_for(locale, width, axe=axe_source)
    checker.goto("/verify")
    checker.locator("#verify-file").set_input_files(str(path))
    checker.get_by_role("button", name=words["check"], exact=True).click()
    # The verdict comes back at /verify, the form's own address; only that page has one.
    expect(checker.locator(".verdict")).to_contain_text(words["valid"], use_inner_text=True)
    checker.wait_for_load_state()
    findings += axe_findings(checker)
    assert overflow(checker) == []
    assert findings == []
