"""The four shipped agreements pass the upload checks and render awkward values exactly."""
from __future__ import annotations

import io
import shutil
import subprocess
import zipfile

import docx
import pytest
from lxml import etree

from tests.docx_text import all_text
from tracker.documents.checks import TEMPLATE_FIELDS, check_template

BUILTIN = ("coordinating_fr", "coordinating_en", "associated_fr", "associated_en")
AWKWARD_SPONSOR = "Société Générale d'Études & Cie <R&D>"


@pytest.mark.parametrize("name", BUILTIN)
def test_builtin_template_passes_upload_checks_with_known_fields(builtin, name):
    prepared = check_template(builtin(name))
    assert prepared.fields <= TEMPLATE_FIELDS
    # every SPEC field but the site's role (implied by the file chosen) is used
    assert TEMPLATE_FIELDS - prepared.fields == {"site.role"}
    assert {"word/document.xml", "word/header1.xml", "word/footer1.xml"} <= set(prepared.templated_parts)


@pytest.mark.parametrize("name", BUILTIN)
def test_builtin_template_renders_awkward_values_exactly(builtin, context, name):
    ctx = context()
    assert ctx["sponsor"]["name"] == AWKWARD_SPONSOR
    out = check_template(builtin(name)).render(ctx)
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
    budget = [{"item": f"Visite {n}", "amount": f"{n * 100},00 €", "unit": "par patient"} for n in range(1, 31)]
    document = docx.Document(io.BytesIO(check_template(builtin(name)).render(context(budget=budget))))
    table = next(t for t in document.tables if t.rows[0].cells[-1].text in ("Unité", "Unit"))
    assert [row.cells[0].text for row in table.rows[1:]] == [f"Visite {n}" for n in range(1, 31)]
    assert table.rows[30].cells[1].text == "3000,00 €"


@pytest.mark.parametrize("name", BUILTIN)
def test_eu_ct_number_row_and_clause_appear_only_when_known(builtin, context, name):
    template = check_template(builtin(name))
    without = all_text(template.render(context()))
    assert "EU CT" not in without and "CTIS" not in without
    number = "2025-512345-12-00"
    with_number = all_text(template.render(context(contract__eu_ct_number=number)))
    assert with_number.count(number) == 2  # identification table row and article 2 clause
    assert "CTIS" in with_number


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
    text = all_text(check_template(builtin(name)).render(context()))
    assert carries_terms in text
    other = "associated" if name.startswith("coordinating") else "coordinating"
    assert ("Établissement associé" in text or "Associated institution" in text) == (other == "coordinating")


@pytest.mark.parametrize(
    ("name", "clauses"),
    [
        ("coordinating_fr", ["Assurance", "L. 1121-10", "article 28 du RGPD", "et publication", "Confidentialité",
                             "Pour l'Établissement", "L'Investigateur principal", "Pour le Promoteur"]),
        ("coordinating_en", ["Insurance", "L. 1121-10", "Article 28 GDPR", "publication", "Confidentiality",
                             "For the Institution", "The Principal Investigator", "For the Sponsor"]),
    ],
)
def test_agreement_has_the_standard_sections(builtin, context, name, clauses):
    text = all_text(check_template(builtin(name)).render(context()))
    for clause in clauses:
        assert clause in text


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_rendered_agreement_converts_to_pdf(builtin, context, tmp_path):
    source = tmp_path / "agreement.docx"
    source.write_bytes(check_template(builtin("coordinating_fr")).render(context()))
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
