"""The four shipped agreements pass the upload checks and render awkward values exactly."""
from __future__ import annotations

import io
import shutil
import subprocess
import zipfile

import docx
import pytest
from lxml import etree

from tests.helpers.docx_text import all_text
from tracker.documents.catalogue import ALL_FIELDS
from tracker.documents.engine.checks import TEMPLATE_FIELDS, check_template

BUILTIN = ("coordinating_fr", "coordinating_en", "associated_fr", "associated_en")
AWKWARD_SPONSOR = "Société Générale d'Études & Cie <R&D>"


@pytest.mark.parametrize("name", BUILTIN)
def test_builtin_template_passes_upload_checks_with_known_fields(builtin, name):
    prepared = check_template(builtin(name), ALL_FIELDS)
    assert prepared.fields <= ALL_FIELDS
    # the SPEC's first fields are used but the contract-wide budget (each site prints its own, site.budget)
    assert prepared.fields <= TEMPLATE_FIELDS  # the SPEC's fields only: no upload of them is refused
    assert {"site.budget[].amount_text", "site.budget[].unit_text", "budget_total_text", "today_text",
            "sponsor.legal_name", "sponsor.legal_form", "sponsor.representative_title", "site.representative_title",
            "investigator.title", "investigator.department", "investigator.rpps", "site.patients"} <= prepared.fields
    assert {"word/document.xml", "word/header1.xml", "word/footer1.xml"} <= set(prepared.templated_parts)


@pytest.mark.parametrize("name", BUILTIN)
def test_builtin_template_renders_awkward_values_exactly(builtin, context, name):
    ctx = context()
    assert ctx["sponsor"]["name"] == AWKWARD_SPONSOR
    out = check_template(builtin(name), ALL_FIELDS).render(ctx)
    with zipfile.ZipFile(io.BytesIO(out)) as archive:
        for member in archive.namelist():
            if member.endswith(".xml"):
                etree.fromstring(archive.read(member))
    text = all_text(out)
    for value in (
        AWKWARD_SPONSOR, ctx["sponsor"]["address"], ctx["sponsor"]["representative"],
        ctx["contract"]["title"], ctx["contract"]["acronym"], "Cycle 1 J1 <PK & PD>",
        ctx["site"]["finess"], ctx["site"]["siret"], ctx["investigator"]["name"],
    ):
        assert value in text
    assert "{{" not in text and "{%" not in text and "}}" not in text
    assert "None" not in text
    header = docx.Document(io.BytesIO(out)).sections[0].header.paragraphs[0].text
    assert header.endswith("GR-2026-0042") and 'XR17 "FIH"' in header


@pytest.mark.parametrize("name", BUILTIN)
def test_budget_table_has_one_row_per_budget_line(builtin, context, name):
    budget = [{"item": f"Visite {n}", "amount_text": f"{n * 100},00 €", "unit_text": "par patient"}
              for n in range(1, 31)]
    document = docx.Document(io.BytesIO(check_template(builtin(name), ALL_FIELDS).render(
        context(site__budget=budget, budget_total_text="46 500,00 €"))))
    table = next(t for t in document.tables if t.rows[0].cells[-1].text in ("Unité", "Unit"))
    assert [row.cells[0].text for row in table.rows[1:31]] == [f"Visite {n}" for n in range(1, 31)]
    assert table.rows[30].cells[1].text == "3000,00 €"
    assert table.rows[31].cells[1].text == "46 500,00 €"  # the total follows the rows


@pytest.mark.parametrize("name", BUILTIN)
def test_eu_ct_number_row_and_clause_appear_only_when_known(builtin, context, name):
    template = check_template(builtin(name), ALL_FIELDS)
    without = all_text(template.render(context()))
    assert "EU CT" not in without and "registered in" not in without and "enregistrée dans" not in without
    number = "2025-512345-12-00"
    with_number = all_text(template.render(context(contract__eu_ct_number=number)))
    assert with_number.count(number) == 2  # article 4 table row and article 3.3 clause
    assert "EU CT" in with_number


@pytest.mark.parametrize(
    ("name", "carries_terms"),
    [
        ("associated_fr", "reprend à l'identique les termes négociés et arrêtés avec l'établissement coordonnateur"),
        ("associated_en", "carries, unchanged, the terms negotiated and agreed with the coordinating institution"),
        ("coordinating_fr", "établissement coordonnateur de la Recherche. Les termes de la présente convention"),
        ("coordinating_en", "acts as the coordinating institution of the Study"),
    ],
)
def test_role_specific_preamble(builtin, context, name, carries_terms):
    text = all_text(check_template(builtin(name), ALL_FIELDS).render(context()))
    assert carries_terms in text
    other = "associated" if name.startswith("coordinating") else "coordinating"
    assert ("Établissement associé" in text or "Associated institution" in text) == (other == "coordinating")


@pytest.mark.parametrize(
    ("name", "clauses"),
    [
        ("coordinating_fr", ["Assurance", "L. 1121-10", "article 28 du RGPD", "Publication", "Confidentialité",
                             "R. 1121-3-1", "L. 1121-16-1", "arrêté du 29 juillet 2024", "Prévention de la corruption",
                             "ordre des médecins", "L. 1453-1", "supprime les Données de la Recherche",
                             "Annexe 1 — Grille des coûts et surcoûts", "Annexe 4",
                             "Pour l'Établissement", "L'Investigateur principal", "Pour le Promoteur"]),
        ("coordinating_en", ["Insurance", "L. 1121-10", "Article 28 GDPR", "publication", "Confidentiality",
                             "R. 1121-3-1", "L. 1121-16-1", "order of 29 July 2024", "Anti-corruption",
                             "Ordre des médecins", "L. 1453-1", "deletes the Study Data",
                             "For the Institution", "The Principal Investigator", "For the Sponsor"]),
    ],
)
def test_agreement_has_the_standard_sections(builtin, context, name, clauses):
    text = all_text(check_template(builtin(name), ALL_FIELDS).render(context()))
    for clause in clauses:
        assert clause in text


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_rendered_agreement_converts_to_pdf(builtin, context, tmp_path):
    source = tmp_path / "agreement.docx"
    source.write_bytes(check_template(builtin("coordinating_fr"), ALL_FIELDS).render(context()))
    profile = (tmp_path / "profile").as_uri()  # a private profile: parallel runs do not collide
    subprocess.run(
        [soffice(), f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=240,
    )
    pdf = (tmp_path / "agreement.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and len(pdf) > 20_000
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(tmp_path / "agreement.pdf"), "-"],
                              capture_output=True, text=True, check=True).stdout
        assert AWKWARD_SPONSOR in text and "GR-2026-0042" in text


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_several_documents_convert_in_one_run_and_a_broken_one_is_named(builtin, context):
    from tracker.documents.preview import to_pdfs

    agreement = check_template(builtin("coordinating_fr"), ALL_FIELDS).render(context())
    first, broken, last = to_pdfs([agreement, b"PK\x03\x04 not a document", agreement])
    assert first.startswith(b"%PDF-") and last.startswith(b"%PDF-") and len(first) > 20_000
    assert broken is None  # only that one is missing: the others are kept
    assert to_pdfs([]) == []
