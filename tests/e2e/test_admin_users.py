"""From a database holding only the reference data to an agreement with no blank, every step in Chromium.

The first admin is made with the command line, as after ``init-db``. In the browser that admin
creates a sponsor with its legal identity and a user of each role; the legal user opens the
invitation taken from a real SMTP server, chooses a password, creates a contract with an
investigator per site and a three-row budget, and generates the agreement, which is read back.
The users pages are checked with axe-core and on a 390 px phone.
"""
import re
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.alerts.conftest import smtp  # noqa: F401  (a real SMTP server on loopback)
from tests.helpers.browser import PHONE, axe_findings, overflow, sign_in
from tests.helpers.journeys import (AGREEMENT_WORDS, BUDGET, admin_creates_the_sponsor, generate_and_read,
                                    legal_creates_the_contract)
from tracker.mail.smtp import send_due
from tracker.database import utcnow
from tracker.extensions import db
from tracker.documents import library
from tracker.documents import operations as ops
from tracker.documents.blanks import required_fields
from tracker.documents.catalogue import value_at
from tracker.models import Contract, Sponsor, User

pytestmark = pytest.mark.e2e

ADMIN, ADMIN_PASSWORD = "first.admin@tracker.test", "quiet orchard under snow"
LEGAL_PASSWORD = "violet harbour lantern 42"
PEOPLE = (  # name, e-mail, role, site, sponsor
    ("Léa Roussel", "lea.roussel@gr.test", "legal", "GR", ""),
    ("Marc Bernard", "marc.bernard@ib.test", "manager", "IB", ""),
    ("Anne Morel", "anne.morel@tracker.test", "admin", "", ""),
    ("Laura Novak", "laura@novacure.example", "sponsor", "", "Novacure Oncology"),
)
USERS_WORDS = {
    "fr-FR": {"Users": "Utilisateurs", "New user": "Nouvel utilisateur", "Name": "Nom", "E-mail": "Adresse e-mail",
              "Role": "Rôle", "Site": "Centre", "Sponsor": "Promoteur", "Create": "Créer et envoyer l’invitation",
              "created": "est créé", "pending": "Invité, sans mot de passe pour l’instant", "Never": "Jamais",
              "staff": "Gustave Roussy (GR)", "site error": "travaillent dans un centre",
              "legal": "Juriste", "manager": "Responsable", "admin": "Administrateur",
              "sponsor": "Utilisateur promoteur", "role line": "Votre rôle\u00a0: Juriste.",
              "password": "Nouveau mot de passe", "again": "Le même mot de passe, à nouveau",
              "save": "Enregistrer et se connecter"},
    "en-GB": {"Users": "Users", "New user": "New user", "Name": "Name", "E-mail": "E-mail", "Role": "Role",
              "Site": "Site", "Sponsor": "Sponsor", "Create": "Create and send the invitation", "created": "is created",
              "pending": "Invited, no password yet", "Never": "Never", "staff": "Gustave Roussy (GR)",
              "site error": "work at a site", "legal": "Legal staff", "manager": "Manager", "admin": "Administrator",
              "sponsor": "Sponsor user", "role line": "Your role: Legal staff.", "password": "New password",
              "again": "The same password again", "save": "Save and sign in"},
}
SITE_OPTIONS = {"GR": "Gustave Roussy (GR)", "IB": "Institut Bergonié (IB)"}


def _first_admin(app):
    """The first admin, made with the command line: the only way in on a fresh database."""
    result = app.test_cli_runner().invoke(args=["users", "create", "--email", ADMIN, "--name", "Alice Fontaine",
                                                "--role", "admin", "--password", ADMIN_PASSWORD])
    assert result.exit_code == 0, result.output


def _create_user(page, u, name, email, role, site, sponsor, language):
    page.get_by_role("link", name=u["New user"], exact=True).click()
    page.wait_for_url(re.compile(r"/admin/users/new$"))
    page.wait_for_load_state()  # the role script has run
    page.get_by_role("textbox", name=u["Name"], exact=True).fill(name)
    page.get_by_role("textbox", name=u["E-mail"], exact=True).fill(email)
    page.locator("#language").select_option(language)
    page.get_by_role("combobox", name=u["Role"], exact=True).select_option(label=u[role])
    site_field = page.get_by_role("combobox", name=u["Site"], exact=True)
    sponsor_field = page.get_by_role("combobox", name=u["Sponsor"], exact=True)
    # Only the field that goes with the role is asked for. The page's script may run after the
    # fields are filled, so the check waits for it.
    for field, wanted in ((site_field, role in ("legal", "manager")), (sponsor_field, role == "sponsor")):
        (expect(field).to_be_visible if wanted else expect(field).to_be_hidden)()
    if site:
        site_field.select_option(label=SITE_OPTIONS[site])
    if sponsor:
        sponsor_field.fill(sponsor)
    page.get_by_role("button", name=u["Create"]).click()
    page.wait_for_url(re.compile(r"/admin/users/\d+$"))  # the person's page, not the form with its own <h1>
    assert u["created"] in page.locator(".flash.success").inner_text()
    assert page.locator("h1").inner_text() == name
    page.get_by_role("link", name=u["Users"], exact=True).first.click()
    page.wait_for_url(re.compile(r"/admin/users$"))


def _invitation_path(app, smtp, address) -> tuple[str, str]:  # noqa: F811
    with app.app_context():
        send_due(utcnow())
    [mail] = smtp.box.to(address)
    text = mail.part("plain")
    return re.search(r"http://tracker\.test(/account/welcome/\S+)", text).group(1), text


@pytest.mark.parametrize("locale", ["fr-FR", "en-GB"])
def test_from_reference_data_to_an_agreement_with_no_blank(locale, app, page_for, axe_source, smtp,  # noqa: F811
                                                           builtin_templates):
    w, u = AGREEMENT_WORDS[locale], USERS_WORDS[locale]
    language = locale[:2]
    with app.app_context():  # only the partner sites, the policy and the shipped templates
        assert db.session.execute(db.select(db.func.count(User.id))).scalar() == 0
        assert db.session.execute(db.select(db.func.count(Sponsor.id))).scalar() == 0
    _first_admin(app)
    admin = page_for(locale, axe=axe_source)
    sign_in(admin, ADMIN, ADMIN_PASSWORD)
    admin_creates_the_sponsor(admin, w)

    admin.get_by_role("link", name=u["Users"], exact=True).click()
    admin.wait_for_url(re.compile(r"/admin/users$"))  # the sponsor's page it leaves has table rows too
    assert u["Never"] not in admin.locator("tbody tr").first.inner_text()  # the admin signed in just now
    admin.get_by_role("link", name=u["New user"], exact=True).click()
    admin.wait_for_url(re.compile(r"/admin/users/new$"))  # loaded, with its role script
    admin.get_by_role("textbox", name=u["Name"], exact=True).fill("Léa Roussel")
    admin.get_by_role("textbox", name=u["E-mail"], exact=True).fill("lea.roussel@gr.test")
    admin.get_by_role("combobox", name=u["Role"], exact=True).select_option(label=u["legal"])
    admin.get_by_role("button", name=u["Create"]).click()  # no site: refused beside the field
    # The refused form comes back at the same address; its messages say it has arrived.
    expect(admin.locator("#site-error")).to_contain_text(u["site error"], use_inner_text=True)
    expect(admin.get_by_role("combobox", name=u["Site"], exact=True)).to_have_attribute("aria-invalid", "true")
    assert axe_findings(admin) == []
    admin.get_by_role("link", name=u["Users"], exact=True).first.click()
    admin.wait_for_url(re.compile(r"/admin/users$"))
    for name, email, role, site, sponsor in PEOPLE:
        _create_user(admin, u, name, email, role, site, sponsor, language)
    expect(admin.locator("tbody tr")).to_have_count(5)
    listing = admin.locator("table.users").inner_text()
    for name, _email, role, _site, _sponsor in PEOPLE:
        row = admin.locator("tbody tr", has_text=name).inner_text()
        assert u[role] in row and u["pending"] in row and u["Never"] in row
    assert "Novacure Oncology" in listing and "Institut Bergonié" in listing
    assert axe_findings(admin) == []

    path, text = _invitation_path(app, smtp, "lea.roussel@gr.test")
    assert u["role line"] in text
    legal = page_for(locale, axe=axe_source)
    legal.goto(path)
    legal.get_by_label(u["password"]).fill(LEGAL_PASSWORD)
    legal.get_by_label(u["again"]).fill(LEGAL_PASSWORD)
    legal.get_by_role("button", name=u["save"]).click()
    legal.wait_for_url(re.compile(r"/contracts$"))
    reference = legal_creates_the_contract(legal, w)
    agreement = generate_and_read(legal, w, reference)
    assert not re.search(r"(?:: |, |\()\s*(?:,|\)|\.|$)", agreement, re.M)  # no label left with an empty value
    for expected in ("Novacure Oncology", "832147565", "Laura Novak", "Dr Claire Martin",
                     "NVC-114-001", *(item for item, _amount, _unit in BUDGET)):
        assert expected in agreement, expected
    assert re.search(r"1\s500,00\s€", agreement)  # amounts as French writes them, never "1500.00"
    assert "1500.00" not in agreement

    with app.app_context():  # every field the template prints has a value, and the value is in the file
        contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
        context = ops.template_context(contract, contract.coordinating_track, date.today())
        template = library.latest_template("coordinating_fr")  # the sponsor writes its agreements in French
        for field in sorted(required_fields(template) - {"today"}):
            value = value_at(context, field)
            assert value not in (None, "", []), field
            if isinstance(value, (str, int)):
                assert str(value).split("\n")[0] in agreement, field

    admin.reload()
    row = admin.locator("tbody tr", has_text="Léa Roussel").inner_text()
    assert u["pending"] not in row and u["Never"] not in row  # she chose her password and signed in


@pytest.mark.parametrize("locale", ["fr-FR", "en-GB"])
def test_the_users_pages_on_a_phone(locale, page_for, axe_source, make_user, make_sponsor):
    make_sponsor("Helix Therapeutics Inc.", "US")
    admin = make_user("admin", None, email="phone.admin@tracker.test")
    make_user("legal", "GR", email="a.very.long.address.for.a.legal.person@gustave-roussy.test")
    make_user("sponsor", None, sponsor="Helix Therapeutics Inc.", email="mark@helix.test")
    page = page_for(locale, width=PHONE, axe=axe_source)
    sign_in(page, admin)
    wide = {}
    for path in ("/admin/users", "/admin/users/new", "/admin/users?role=legal&state=active"):
        page.goto(path)
        wide.update({path: overflow(page)} if overflow(page) else {})
        assert axe_findings(page) == [], path
    page.goto("/admin/users")
    page.locator("tbody tr", has_text="mark@helix.test").get_by_role("link").click()
    page.wait_for_url(re.compile(r"/admin/users/\d+$"))  # the person's page, not the list still loaded
    wide.update({page.url: overflow(page)} if overflow(page) else {})
    assert axe_findings(page) == []
    page.locator("a.button.danger").click()  # the confirmation step
    page.wait_for_url(re.compile(r"/admin/users/\d+/disable$"))
    wide.update({page.url: overflow(page)} if overflow(page) else {})
    assert axe_findings(page) == []
    assert wide == {}
    page.locator("main form button[type=submit]").focus()  # confirmed from the keyboard
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/admin/users/\d+$"))
    assert "mark@helix.test" in page.locator(".flash.success").inner_text()
    assert overflow(page) == [] and axe_findings(page) == []
