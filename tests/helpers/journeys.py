"""Steps of the browser journey from an empty database to an agreement with no blank (tests/e2e).

Each step takes a Playwright page and ``w``, the labels of ``AGREEMENT_WORDS`` in the page's
language, and asserts what a person would see on the way.
"""
import re

from playwright.sync_api import expect

from tests.helpers.docx_text import all_text

# The labels the journey reads, by browser locale.
AGREEMENT_WORDS = {
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
# The three budget rows the legal user types.
BUDGET = (("Screening visit", "450", "EUR per patient"), ("Treatment visit (cycle)", "820", "EUR per patient"),
          ("Archiving", "1500", "EUR flat"))


def admin_creates_the_sponsor(page, w):
    """From the admin's start page: create Novacure with its legal identity, after one refused checksum."""
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
    # The refused form comes back at the same address: its messages say it has arrived.
    expect(page.locator("#registration_number-error")).to_contain_text(w["checksum"], use_inner_text=True)  # one digit mistyped
    expect(page.get_by_label(w["Registration number"])).to_have_attribute("aria-invalid", "true")
    page.get_by_label(w["Registration number"]).fill("832 147 565")
    page.get_by_role("button", name=w["Create sponsor"]).click()
    page.wait_for_url(re.compile(r"/sponsors/\d+$"))  # the form's page has an <h1> too
    assert page.locator("h1").inner_text() == "Novacure Oncology"


def legal_creates_the_contract(page, w) -> str:
    """From the legal user's start page: a GR-IB contract with investigators and ``BUDGET``; its reference."""
    page.get_by_role("link", name=w["New contract"]).click()
    page.wait_for_url(re.compile(r"/contracts/new$"))  # loaded: the form's script has disabled and hidden fields
    sponsor = page.get_by_role("combobox", name=w["Sponsor"], exact=True)  # a text box with suggestions
    assert sponsor.get_attribute("list") == "sponsor-names" and sponsor.get_attribute("required") is not None
    sponsor.fill("Novacure Oncology")
    page.get_by_label(w["Trial title"]).fill("Phase I dose-escalation of NVC-114 in advanced solid tumours")
    page.get_by_label(w["Acronym"]).fill("ESCALADE")
    page.get_by_label(w["Protocol number"]).fill("NVC-114-001")
    page.get_by_label("Phase").select_option("I")
    page.get_by_label(w["Indication"]).fill("Advanced solid tumours")
    page.get_by_label(w["Patients planned"]).fill("24")
    expect(page.get_by_label("Gustave Roussy", exact=True)).to_be_disabled()  # the coordinating site
    expect(page.get_by_label(w["PI at"] + "Institut Bergonié")).to_be_hidden()  # not taking part yet
    page.get_by_label("Institut Bergonié", exact=True).check()
    page.get_by_label(w["PI at"] + "Gustave Roussy").fill("Claire Martin")
    page.get_by_label(w["PI at"] + "Institut Bergonié").fill("Paul Garnier")
    page.locator("[data-site=GR] summary").click()  # the investigator's identity, folded until asked for
    page.get_by_label(w["Investigator's title"] + "Gustave Roussy").fill("Dr")
    page.get_by_label(w["Department"] + "Gustave Roussy").fill("DITEP")
    page.get_by_label(w["RPPS number"] + "Gustave Roussy").fill("100 0000 0009")
    expect(page.locator("tr.budget-row")).to_have_count(3)
    page.get_by_role("button", name=w["Add a row"]).click()  # in place: no round trip
    expect(page.locator("tr.budget-row")).to_have_count(4)
    new_row = page.get_by_label(f"{w['Item']}4", exact=True)  # numbered, and ready to type in
    expect(new_row).to_be_focused()
    page.locator("tr.budget-row").nth(3).get_by_role("button", name=w["Remove"]).click()
    expect(page.locator("tr.budget-row")).to_have_count(3)
    for n, (item, amount, unit) in enumerate(BUDGET, start=1):
        page.get_by_label(f"{w['Item']}{n}", exact=True).fill(item)
        page.get_by_label(f"{w['Amount']}{n}", exact=True).fill(amount)
        page.get_by_label(f"{w['Unit']}{n}", exact=True).fill(unit)
    page.get_by_role("button", name=w["Create contract"]).last.click()
    page.wait_for_url(re.compile(r"/contracts/FT-[^/?#]+$"))  # the new contract's page, not the form's <h1>
    reference = page.locator("h1").inner_text().split()[0]
    assert reference.startswith("FT-")
    return reference


def generate_and_read(page, w, reference) -> str:
    """Generate GR's agreement with nothing missing, download it and return its text, checked for leftovers."""
    generate = page.locator("#generate-GR")
    assert generate.locator(".blanks").count() == 0  # nothing is missing
    generate.get_by_role("button", name=w["Generate"]).click()
    # The contract's page it leaves has a success message too ("created"): wait for this one's.
    expect(page.locator(".flash.success")).to_contain_text(w["generated"], use_inner_text=True)
    with page.expect_download() as download:
        page.get_by_role("link", name=f"{reference}-GR-v1.docx", exact=True).click()
    text = all_text(open(download.value.path(), "rb").read())
    assert "{{" not in text and "{%" not in text and "DRAFT" not in text
    return text
