"""From an empty database to an agreement with no blank: an admin enters a sponsor's legal identity, a
legal user creates the contract with investigators and a three-row budget, the agreement is filled."""
from datetime import date

import pytest

from tests.conftest import PASSWORD
from tests.docx_text import all_text
from tracker.documents import library
from tracker.documents import operations as ops
from tracker.documents.blanks import required_fields
from tracker.documents.catalogue import value_at
from tracker.extensions import db
from tracker.models import Contract

pytestmark = pytest.mark.e2e

WORDS = {
    "fr-FR": {"Sponsors": "Promoteurs", "New sponsor": "Nouveau promoteur", "Name": "Nom", "Legal name": "Raison sociale",
              "Legal form": "Forme juridique", "Country": "Pays", "Registration number": "Numéro d'immatriculation",
              "VAT number": "Numéro de TVA", "Registered address": "Adresse du siège", "Representative": "Représentant",
              "Representative's title": "Qualité du représentant", "Language": "Langue de ses conventions",
              "Create sponsor": "Créer le promoteur", "checksum": "clé de contrôle", "New contract": "Nouvelle convention",
              "Sponsor": "Promoteur", "Trial title": "Titre de l'essai", "Acronym": "Acronyme",
              "Protocol number": "Numéro de protocole", "Indication": "Indication",
              "Patients planned": "Nombre de patients prévus", "PI at": "Investigateur principal au centre ",
              "Item": "Poste, ligne ", "Amount": "Montant (EUR HT), ligne ", "Unit": "Unité, ligne ",
              "Add a row": "Ajouter une ligne", "Remove": "Supprimer", "Create contract": "Créer la convention",
              "Generate": "Générer", "generated": "Version 1 générée",
              "Site details": "Identité de l'investigateur et chiffres propres au centre",
              "Investigator's title": "Titre de l'investigateur, ", "Department": "Service, ",
              "RPPS number": "Numéro RPPS, "},
    "en-GB": {"Sponsors": "Sponsors", "New sponsor": "New sponsor", "Name": "Name", "Legal name": "Legal name",
              "Legal form": "Legal form", "Country": "Country", "Registration number": "Registration number",
              "VAT number": "VAT number", "Registered address": "Registered address", "Representative": "Representative",
              "Representative's title": "Representative's title", "Language": "Language of its agreements",
              "Create sponsor": "Create the sponsor", "checksum": "checksum", "New contract": "New contract",
              "Sponsor": "Sponsor", "Trial title": "Trial title", "Acronym": "Acronym",
              "Protocol number": "Protocol number", "Indication": "Indication", "Patients planned": "Patients planned",
              "PI at": "Principal investigator at ", "Item": "Item, row ", "Amount": "Amount (EUR, excl. VAT), row ",
              "Unit": "Unit, row ", "Add a row": "Add a row", "Remove": "Remove", "Create contract": "Create the contract",
              "Generate": "Generate", "generated": "Version 1 generated",
              "Site details": "Investigator's identity and this site's own figures",
              "Investigator's title": "Investigator's title, ", "Department": "Department, ",
              "RPPS number": "RPPS number, "},
}
BUDGET = (("Screening visit", "450", "EUR per patient"), ("Treatment visit (cycle)", "820", "EUR per patient"),
          ("Archiving", "1500", "EUR flat"))


def _sign_in(page, email):
    page.goto("/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()


def _admin_creates_the_sponsor(page, w):
    page.get_by_role("link", name=w["Sponsors"], exact=True).click()
    page.get_by_role("link", name=w["New sponsor"]).click()
    page.get_by_role("textbox", name=w["Name"], exact=True).first.fill("Novacure Oncology")  # "Name *": required
    page.get_by_label(w["Legal name"]).fill("Novacure Oncology SA")
    page.get_by_label(w["Legal form"]).fill("société anonyme")
    page.get_by_label(w["Country"]).select_option("FR")
    page.get_by_label(w["Registration number"]).fill("832 147 566")
    page.get_by_label(w["VAT number"]).fill("FR73832147565")
    page.get_by_label(w["Registered address"]).fill("18 rue de la Pépinière\n75008 Paris")
    page.get_by_label(w["Representative"], exact=True).fill("Laura Novak")
    page.get_by_label(w["Representative's title"]).fill("Présidente directrice générale")
    page.get_by_label(w["Language"]).select_option("fr")
    page.locator("#contacts-0-name").fill("Laura Novak")
    page.locator("#contacts-0-email").fill("laura@novacure.example")
    page.get_by_role("button", name=w["Create sponsor"]).click()
    assert w["checksum"] in page.locator("#registration_number-error").inner_text()  # one digit mistyped
    assert page.get_by_label(w["Registration number"]).get_attribute("aria-invalid") == "true"
    page.get_by_label(w["Registration number"]).fill("832 147 565")
    page.get_by_role("button", name=w["Create sponsor"]).click()
    assert page.locator("h1").inner_text() == "Novacure Oncology"


def _legal_creates_the_contract(page, w) -> str:
    page.get_by_role("link", name=w["New contract"]).click()
    sponsor = page.get_by_role("combobox", name=w["Sponsor"], exact=True)  # a text box with suggestions
    assert sponsor.get_attribute("list") == "sponsor-names" and sponsor.get_attribute("required") is not None
    sponsor.fill("Novacure Oncology")
    page.get_by_label(w["Trial title"]).fill("Phase I dose-escalation of NVC-114 in advanced solid tumours")
    page.get_by_label(w["Acronym"]).fill("ESCALADE")
    page.get_by_label(w["Protocol number"]).fill("NVC-114-001")
    page.get_by_label("Phase").select_option("I")
    page.get_by_label(w["Indication"]).fill("Advanced solid tumours")
    page.get_by_label(w["Patients planned"]).fill("24")
    assert page.get_by_label("Gustave Roussy", exact=True).is_disabled()  # the coordinating site
    assert page.get_by_label(w["PI at"] + "Institut Bergonié").is_hidden()  # not taking part yet
    page.get_by_label("Institut Bergonié", exact=True).check()
    page.get_by_label(w["PI at"] + "Gustave Roussy").fill("Claire Martin")
    page.get_by_label(w["PI at"] + "Institut Bergonié").fill("Paul Garnier")
    page.locator("[data-site=GR] summary").click()  # the investigator's identity, folded until asked for
    page.get_by_label(w["Investigator's title"] + "Gustave Roussy").fill("Dr")
    page.get_by_label(w["Department"] + "Gustave Roussy").fill("DITEP")
    page.get_by_label(w["RPPS number"] + "Gustave Roussy").fill("100 0000 0009")
    assert page.locator("tr.budget-row").count() == 3
    page.get_by_role("button", name=w["Add a row"]).click()  # in place: no round trip
    assert page.locator("tr.budget-row").count() == 4
    new_row = page.get_by_label(f"{w['Item']}4", exact=True)  # numbered, and ready to type in
    assert new_row.evaluate("input => input === document.activeElement")
    page.locator("tr.budget-row").nth(3).get_by_role("button", name=w["Remove"]).click()
    assert page.locator("tr.budget-row").count() == 3
    for n, (item, amount, unit) in enumerate(BUDGET, start=1):
        page.get_by_label(f"{w['Item']}{n}", exact=True).fill(item)
        page.get_by_label(f"{w['Amount']}{n}", exact=True).fill(amount)
        page.get_by_label(f"{w['Unit']}{n}", exact=True).fill(unit)
    page.get_by_role("button", name=w["Create contract"]).last.click()
    reference = page.locator("h1").inner_text().split()[0]
    assert reference.startswith("FT-")
    return reference


def _generate_and_read(page, w, reference) -> str:
    """Generate GR's agreement with nothing missing, download it and return its text, checked for leftovers."""
    generate = page.locator("#generate-GR")
    assert generate.locator(".blanks").count() == 0  # nothing is missing
    generate.get_by_role("button", name=w["Generate"]).click()
    assert w["generated"] in page.locator(".flash.success").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name=f"{reference}-GR-v1.docx", exact=True).click()
    text = all_text(open(download.value.path(), "rb").read())
    assert "{{" not in text and "{%" not in text and "DRAFT" not in text
    return text


@pytest.mark.parametrize("locale", ["fr-FR", "en-GB"])
def test_the_agreement_has_every_placeholder_filled(app, page_for, make_user, builtin_templates, locale):
    w = WORDS[locale]
    admin = page_for(locale)
    _sign_in(admin, make_user("admin", None))
    _admin_creates_the_sponsor(admin, w)
    legal = page_for(locale)
    _sign_in(legal, make_user("legal", "GR"))
    reference = _legal_creates_the_contract(legal, w)
    text = _generate_and_read(legal, w, reference)
    with app.app_context():
        contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
        track = contract.coordinating_track
        template = library.latest_template("coordinating_fr")
        context = ops.template_context(contract, track, date.today(), "fr")
        required = required_fields(template)
        assert len(required) > 20
        for field in sorted(required - {"today"}):
            value = value_at(context, field)
            for one in (value if isinstance(value, list) else [value]):
                if isinstance(one, dict):
                    continue  # the budget's rows: their columns are checked one by one
                assert one not in (None, "") and str(one) in text.replace("\n", " ").replace("\t", " ") or \
                    str(one) in text, field
    assert "832147565" in text and "Dr Claire Martin" in text and "10000000009" in text
    assert "1\u202f500,00\u00a0€" in text and "1500.00" not in text  # amounts written the French way


def test_an_admin_adds_a_third_centre_in_the_browser(page_for, make_user):
    page = page_for("fr-FR")
    _sign_in(page, make_user("admin", None))
    page.get_by_role("link", name="Centres", exact=True).click()
    page.get_by_role("link", name="Ajouter un centre").click()
    page.get_by_role("textbox", name="Code", exact=True).fill("CLB")
    page.get_by_role("textbox", name="Nom", exact=True).fill("Centre Léon Bérard")
    page.get_by_label("Raison sociale").fill("Centre Léon Bérard")
    page.get_by_label("Numéro SIRET").fill("779 781 865 00011")
    page.get_by_label("Numéro FINESS").fill("690000880")
    page.get_by_label("Représentant", exact=True).fill("Pr Marie Lenoir")
    page.get_by_role("button", name="Ajouter le centre").click()
    assert "clé de contrôle" in page.locator("#siret-error").inner_text()
    page.get_by_label("Numéro SIRET").fill("779 781 863 00013")
    page.get_by_role("button", name="Ajouter le centre").click()
    assert page.locator("h1").inner_text() == "Centre Léon Bérard (CLB)"
    page.get_by_role("link", name="Nouvelle convention").click()
    page.locator("#coordinating_site").select_option("GR")
    assert page.get_by_label("Centre Léon Bérard", exact=True).is_enabled()  # offered as an associated site
    page.locator("#coordinating_site").select_option("CLB")
    assert page.get_by_label("Centre Léon Bérard", exact=True).is_disabled()  # now the coordinator
