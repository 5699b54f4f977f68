"""The filled text of each shipped agreement, compared with a reviewed copy (golden file).

Any change to the wording, the layout of the fields or the way values are written shows here as a
diff to review. After an intended change, regenerate the golden files and read the diff before
committing them:

    TRACKER_UPDATE_GOLDEN=1 python -m pytest tests/agreements/test_golden.py -p no:cacheprovider

A generated agreement is also converted by LibreOffice (skipped when soffice is absent), as the
partners' lawyers read it.
"""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from datetime import date, datetime, timezone
from pathlib import Path

import docx
import pytest
from docx.table import Table
from docx.text.paragraph import Paragraph

from tracker import audit
from tracker.documents import operations as ops
from tracker.extensions import db
from tracker.models import Contract, User

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("TRACKER_UPDATE_GOLDEN") == "1"
NOW = datetime(2026, 12, 6, 9, 30, tzinfo=timezone.utc)
TODAY = date(2026, 12, 6)
SPONSOR = {"legal_name": "Novacure Oncology", "legal_form": "société par actions simplifiée",
           "share_capital": "2 500 000 €", "registration_number": "832147565", "rcs_city": "Paris",
           "vat_number": "FR73832147565", "address": "18 rue de la Pépinière, 75008 Paris, France",
           "representative": "Laura Novak", "representative_title": "Présidente"}
TRIAL = {
    "title": "Phase I dose-escalation of NVC-114 in advanced solid tumours", "protocol_number": "NVC-114-001",
    "phase": "I", "acronym": "ESCALADE", "indication": "Tumeurs solides avancées", "patients": 30,
    "eu_ct_number": "2024-512345-21-00",
    "budget": [{"item": "Visite de sélection", "amount": "1200", "unit": "EUR per patient"},
               {"item": "Visite de traitement (cycle)", "amount": "850.50", "unit": "EUR per visit"},
               {"item": "Frais d'archivage", "amount": "1500", "unit": "EUR flat"}],
    "investigators": {"GR": "Claire Martin", "IB": "Paul Garnier"},
    "site_details": {
        "GR": {"investigator_title": "Dr", "investigator_department": "Département d'innovation thérapeutique et "
               "d'essais précoces (DITEP)", "investigator_rpps": "10000000009", "patients": 24},
        "IB": {"investigator_title": "Pr", "investigator_department": "Unité d'essais cliniques de phase précoce",
               "investigator_rpps": "12345678903", "patients": 6,
               "budget": [{"item": "Visite de sélection", "amount": "1100", "unit": "EUR per patient"},
                          {"item": "Visite de traitement (cycle)", "amount": "800", "unit": "EUR per visit"}]}},
}
CASES = (("coordinating_fr", "GR"), ("coordinating_en", "GR"), ("associated_fr", "IB"), ("associated_en", "IB"))


def reading_order(data: bytes) -> str:
    """The document as a reader goes through it: paragraphs and table rows in order, then header and footer."""
    document = docx.Document(io.BytesIO(data))
    lines = []
    for child in document.element.body.iterchildren():
        if child.tag.endswith("}p"):
            lines.append(Paragraph(child, document).text)
        elif child.tag.endswith("}tbl"):
            lines += [" | ".join(cell.text for cell in row.cells) for row in Table(child, document).rows]
    section = document.sections[0]
    lines += ["[header] " + p.text for p in section.header.paragraphs]
    lines += ["[footer] " + p.text for p in section.footer.paragraphs]
    return "\n".join(line.rstrip() for line in lines if line.strip()) + "\n"


@pytest.fixture
def agreements(app, builtin_templates, make_sponsor, make_contract, make_user):
    """The four shipped agreements filled for one contract (GR coordinating, IB associated), as .docx bytes."""
    reference = make_contract(make_sponsor("Novacure", **SPONSOR), now=NOW, received_on=date(2026, 11, 30),
                              **TRIAL)
    filled = {}
    make_user("admin", None, email="admin@golden.test")
    with app.app_context():
        admin = audit.Actor.of(db.session.execute(db.select(User).where(User.email == "admin@golden.test"))
                               .scalar_one())
        contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
        for template, site in CASES:
            document = ops.generate(contract, site, template, actor=admin, now=NOW, today=TODAY)
            filled[template] = document.content
        db.session.commit()
    return filled


@pytest.mark.parametrize(("template", "site"), CASES)
def test_filled_text_matches_the_reviewed_copy(agreements, template, site):
    text = reading_order(agreements[template])
    path = GOLDEN / f"{template}.txt"
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}: run with TRACKER_UPDATE_GOLDEN=1 and review it"
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize(("template", "site"), CASES)
def test_no_blank_no_raw_number_and_a_total(agreements, template, site):
    text = reading_order(agreements[template])
    assert "None" not in text and "{{" not in text and "{%" not in text
    assert not re.search(r"(?<![\d,€])\d+\.\d\d\b", text), "a raw amount such as 1200.00"
    assert "2026-12-06" not in text  # dates in words
    assert ("6 décembre 2026" if template.endswith("_fr") else "6 December 2026") in text
    for citation in ("L. 1121-16-1", "R. 1121-3-1", "29 juillet 2024" if template.endswith("_fr") else "29 July 2024"):
        assert citation in text
    # the parties named whole: the sponsor's legal name and form, capital, RCS; titles of the representatives
    assert "Novacure Oncology, société par actions simplifiée" in text
    assert "2 500 000 €" in text and "Paris" in text and "Présidente" in text and "Directeur général" in text
    if site == "GR":
        total = "3\u202f550,50\u00a0€" if template.endswith("_fr") else "€3,550.50"
        one = "1\u202f200,00\u00a0€" if template.endswith("_fr") else "€1,200.00"
        assert total in text and one in text and "24" in text
        assert "Dr Claire Martin" in text and "10000000009" in text
    else:  # the associated site's own patients and budget, and the coordinating site named
        total = "1\u202f900,00\u00a0€" if template.endswith("_fr") else "€1,900.00"
        assert total in text and ("1\u202f100,00\u00a0€" in text or "€1,100.00" in text)
        assert "1\u202f200,00" not in text and "€1,200.00" not in text  # not the contract-wide budget
        assert "Gustave Roussy" in text and "Institut Gustave Roussy" in text
        assert "Pr Paul Garnier" in text and "12345678903" in text
        figures = re.search(r"(?:dans l'Établissement|at the Institution) \| (\d+)", text)
        assert figures and figures.group(1) == "6"


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_a_generated_agreement_reads_whole_in_libreoffice(agreements, tmp_path):
    source = tmp_path / "convention.docx"
    source.write_bytes(agreements["associated_fr"])
    profile = (tmp_path / "profile").as_uri()  # a private profile: parallel runs do not collide
    subprocess.run([soffice(), f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(source)], check=True, capture_output=True, timeout=240)
    pdf = (tmp_path / "convention.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "convention.pdf"), "-"],
                              capture_output=True, text=True, check=True).stdout
        flat = re.sub(r"\s+", " ", text)
        for expected in ("R. 1121-3-1", "Institut Gustave Roussy", "Annexe 1", "1 900,00 €", "6 décembre 2026",
                         "Novacure Oncology, société par actions simplifiée"):
            assert expected in flat.replace("\u202f", " ").replace("\u00a0", " "), expected
