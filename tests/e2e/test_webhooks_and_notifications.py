"""The webhook admin page and the notification settings in Chromium, in French and English, on a phone:
added and chosen with the keyboard-reachable controls, checked with axe-core, nothing sticking out."""
import re

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import PHONE, axe_findings, open_menu, overflow, sign_in
from tracker.extensions import db
from tracker.models import User, Webhook

pytestmark = pytest.mark.e2e

WORDS = {
    "fr-FR": {"Webhooks": "Webhooks", "Address": "Adresse (URL)", "Add": "Ajouter le webhook",
              "registered": "Le webhook est enregistré", "Deliveries": "Livraisons",
              "Notifications": "Notifications", "digest": "Dans ma synthèse quotidienne", "Save": "Enregistrer",
              "saved": "Vos choix de notifications sont enregistrés", "refused": "Seules les adresses"},
    "en-GB": {"Webhooks": "Webhooks", "Address": "Address (URL)", "Add": "Add the webhook",
              "registered": "The webhook is registered", "Deliveries": "Deliveries",
              "Notifications": "Notifications", "digest": "In my daily digest", "Save": "Save",
              "saved": "Your notification settings are saved", "refused": "Only http:// and https://"},
}


@pytest.mark.parametrize("locale", ["fr-FR", "en-GB"])
def test_admin_adds_a_webhook_and_a_person_chooses_a_digest(app, page_for, axe_source, make_user, locale):
    w = WORDS[locale]
    admin, legal = make_user("admin"), make_user("legal", "GR")
    page = page_for(locale, width=PHONE, axe=axe_source)
    sign_in(page, admin)
    page.goto("/admin/webhooks")
    assert page.locator("h1").inner_text() == w["Webhooks"]
    page.get_by_role("textbox", name=w["Address"]).fill("ftp://ctms.example.com/in")
    page.get_by_role("button", name=w["Add"]).click()
    expect(page.locator("#url-error")).to_contain_text(w["refused"], use_inner_text=True)  # the refused form, at the same address
    page.get_by_role("textbox", name=w["Address"]).fill("https://ctms.example.com/in")
    page.get_by_role("button", name=w["Add"]).click()
    expect(page.locator(".flash.success")).to_contain_text(w["registered"], use_inner_text=True)  # the same address again
    assert axe_findings(page) == [] and overflow(page) == []
    with app.app_context():
        hook = db.session.execute(db.select(Webhook)).scalar_one()
        assert hook.url == "https://ctms.example.com/in" and len(hook.events) == 4 and len(hook.secret) >= 16
    page.get_by_role("link", name=w["Deliveries"]).click()
    page.wait_for_url(re.compile(r"/admin/webhooks/\d+/deliveries$"))  # checked below, not the list it leaves
    assert axe_findings(page) == [] and overflow(page) == []

    other = page_for(locale, width=PHONE, axe=axe_source)
    sign_in(other, legal)
    open_menu(other)
    other.get_by_role("link", name=w["Notifications"], exact=True).click()
    other.wait_for_url(re.compile(r"/profile/notifications$"))
    group = other.locator("#kind-signature_recorded")
    group.get_by_label(w["digest"]).check()
    other.get_by_role("button", name=w["Save"]).click()
    # Saved at the same address, where the box was already ticked by hand: the message says it has arrived.
    expect(other.locator(".flash.success")).to_contain_text(w["saved"], use_inner_text=True)
    other.wait_for_load_state()
    expect(other.locator("#kind-signature_recorded").get_by_label(w["digest"])).to_be_checked()
    assert axe_findings(other) == [] and overflow(other) == []
    with app.app_context():
        user = db.session.execute(db.select(User).where(User.email == legal)).scalar_one()
        assert user.notification_choices == {"signature_recorded": "digest"}
