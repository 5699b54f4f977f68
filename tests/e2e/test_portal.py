"""A sponsor contact's whole journey in Chromium, in French and in English, on a phone-sized screen.

Invited from the staff side, the contact chooses a password, sees only its company's
contracts, downloads the draft that was sent, returns a redline that records its reply
and shows the comparison, writes to the site (whose legal staff get the e-mail over real
SMTP), records its signature and revokes an integration token.
"""
from __future__ import annotations

import io
import re

import docx
import pytest
from playwright.sync_api import expect

from tests.alerts.conftest import smtp  # noqa: F401  (a real SMTP server on loopback)
from tests.helpers.browser import axe_findings, open_menu, sign_in
from tests.helpers.portal import World
from tests.portal.conftest import world  # noqa: F401
from tracker.mail.smtp import send_due
from tracker.database import utcnow
from tracker.timeutil import local_date

pytestmark = pytest.mark.e2e

WORDS = {
    "fr-FR": {"invite": "Inviter un contact de Novacure", "name": "Nom", "email": "Adresse e-mail",
              "language": "Langue des e-mails",
              "send": "Envoyer l’invitation",
              "password": "Nouveau mot de passe", "again": "Le même mot de passe", "save": "Enregistrer et se connecter",
              "common": "trop courant", "download": "FT-", "file": "Votre version révisée (.docx)",
              "redline": "Envoyer la version révisée", "changed": "1 clause modifiée", "body": "Message",
              "write": "Envoyer le message", "sign": "Enregistrer notre signature", "date": "Date de la signature",
              "tokens": "Jetons d’API", "token_name": "Nom", "create": "Créer un jeton", "revoke": "Révoquer",
              "revoked": "révoqué", "signed": "Le promoteur a signé", "paused": "En pause\u00a0: à vous depuis"},
    "en-GB": {"invite": "Invite a contact of Novacure", "name": "Name", "email": "E-mail", "language": "Language of the e-mails",
              "send": "Send the invitation",
              "password": "New password", "again": "The same password again", "save": "Save and sign in",
              "common": "too common", "download": "FT-", "file": "Your redline (.docx)",
              "redline": "Send the redline", "changed": "1 clause changed", "body": "Message",
              "write": "Send the message", "sign": "Record our signature", "date": "Date of the signature",
              "tokens": "API tokens", "token_name": "Name", "create": "Create a token", "revoke": "Revoke",
              "revoked": "revoked", "signed": "The sponsor signed", "paused": "Paused: your move since"},
}


def _axe_serious(page) -> list:
    return axe_findings(page)


def _fits_phone(page) -> bool:
    """Nothing wider than a 390 px phone except inside a table's own scrolling box."""
    page.wait_for_load_state("load")
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 391
         && !e.closest('.scroll'))
         .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).slice(0, 8)""")
    assert wide == [], wide
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 391, (width, page.evaluate("""() => [...document.querySelectorAll('body *')].filter(e =>
        e.getBoundingClientRect().right > 391).map(e => e.tagName + '.' + e.className).slice(0, 8)"""))
    return True


def _mail_to(app, smtp, address):
    with app.app_context():
        send_due(utcnow())
    return smtp.box.to(address)


@pytest.mark.parametrize("locale", ["fr-FR", "en-GB"])
def test_a_sponsor_contact_from_invitation_to_signature(locale, app, world: World, smtp, browser, server,
                                                        axe_source):
    w = WORDS[locale]
    invitee = f"contact.{locale[:2]}@novacure.test"
    staff = browser.new_context(locale=locale, base_url=server)
    staff.add_init_script(script=axe_source)
    page = staff.new_page()
    sign_in(page, world.legal_gr)
    page.goto(f"/contracts/{world.ref_a}")
    page.get_by_role("link", name=re.compile(w["invite"])).click()
    page.wait_for_url(re.compile(r"/sponsors/\d+/contacts\?contract="))
    page.get_by_label(w["name"], exact=True).fill("Claire Dubois")
    page.get_by_label(w["email"], exact=True).fill(invitee)
    page.get_by_label(w["language"]).select_option(locale[:2])  # the contact's mails and pages
    page.get_by_role("button", name=w["send"]).click()
    # The answer comes back at the form's own address: its message says it has arrived.
    expect(page.locator(".flash.success")).to_contain_text(invitee, use_inner_text=True)
    assert _axe_serious(page) == []
    staff.close()

    [invitation] = _mail_to(app, smtp, invitee)
    assert invitation.message["Content-Language"] == locale[:2]
    path = re.search(r"http://tracker\.test(/account/welcome/\S+)", invitation.part("plain")).group(1)
    sponsor = browser.new_context(locale=locale, base_url=server, viewport={"width": 390, "height": 844},
                                  accept_downloads=True)
    sponsor.set_default_timeout(15_000)
    sponsor.add_init_script(script=axe_source)
    page = sponsor.new_page()
    page.goto(path)
    page.get_by_label(w["password"]).fill("Password2026!")
    page.get_by_label(w["again"]).fill("Password2026!")
    page.get_by_role("button", name=w["save"]).click()
    expect(page.locator(".error")).to_contain_text(w["common"], use_inner_text=True)  # the refused form, at the same address
    page.get_by_label(w["password"]).fill("violet harbour lantern 42")
    page.get_by_label(w["again"]).fill("violet harbour lantern 42")
    page.get_by_role("button", name=w["save"]).click()
    page.wait_for_url("**/portal/")  # page.url alone was still the welcome page's until the answer came
    listing = page.locator("main").inner_text()
    assert world.ref_a in listing and world.ref_b not in listing and w["paused"] in listing
    assert _fits_phone(page) and _axe_serious(page) == []

    page.get_by_role("link", name=world.ref_a).click()
    page.wait_for_url(re.compile(rf"/portal/contracts/{world.ref_a}$"))
    with page.expect_download() as download:
        page.locator("#documents ~ .scroll a[download]").first.click()
    sent = open(download.value.path(), "rb").read()
    marked = docx.Document(io.BytesIO(sent))
    clause = next(p for p in marked.paragraphs if len(p.text) > 60)
    clause.runs[0].text += " — sauf accord écrit contraire"
    out = io.BytesIO()
    marked.save(out)
    page.get_by_label(w["file"]).set_input_files(files=[{"name": "redline.docx", "buffer": out.getvalue(),
                                                        "mimeType": "application/octet-stream"}])
    page.get_by_role("button", name=w["redline"]).click()
    page.wait_for_url(re.compile(r"/compare"))  # the comparison, loaded before it is read
    assert w["changed"] in page.locator(".counts").inner_text()
    assert "sauf accord écrit contraire" in page.locator("table.compare").inner_text()
    assert _axe_serious(page) == []

    page.goto(f"/portal/contracts/{world.ref_a}")
    page.get_by_label(w["body"], exact=True).fill("Pouvons-nous signer vendredi\u00a0?")
    page.get_by_role("button", name=w["write"]).click()
    page.wait_for_url(re.compile(r"#message-\d+$"))  # the page it leaves has a timeline too, without it
    assert "Pouvons-nous signer vendredi\u00a0?" in page.locator(".timeline").inner_text()
    assert _fits_phone(page) and _axe_serious(page) == []
    # The owner also heard of the redline (a notification); the message is a mail of its own.
    mails = [m for m in _mail_to(app, smtp, world.legal_gr) if "Pouvons-nous signer vendredi" in m.part("plain")]
    assert len(mails) == 1

    world.act(world.ref_a, "agree")
    for party in ("institution", "investigator"):
        world.act(world.ref_a, "sign", party=party)
    page.reload()
    track = page.locator("#track-GR")
    track.get_by_label(w["date"]).fill(local_date(utcnow()).isoformat())  # the site's today, not UTC's
    track.get_by_role("button", name=w["sign"]).click()
    page.wait_for_url(re.compile(rf"/portal/contracts/{world.ref_a}#track-GR$"))  # its facts are the new ones
    assert w["signed"] in page.locator(".flash.success").inner_text()
    assert "1/2" in page.locator(".facts").first.inner_text()

    open_menu(page)  # folded on a phone
    page.get_by_role("link", name=w["tokens"]).click()
    page.wait_for_url(re.compile(r"/account/tokens$"))
    page.get_by_label(w["token_name"]).fill("CTMS")
    page.get_by_role("button", name=w["create"]).click()
    assert page.locator("#new-token").inner_text().startswith("ftk_")
    page.get_by_role("button", name=re.compile(w["revoke"])).click()
    expect(page.locator("table.tokens")).to_contain_text(w["revoked"])
    assert _fits_phone(page) and _axe_serious(page) == []
    sponsor.close()
