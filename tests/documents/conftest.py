"""Fixtures for the documents layer: contexts with awkward values, Word-shaped templates, zips."""
from __future__ import annotations

import io
from types import SimpleNamespace

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from tests.helpers.documents import TEMPLATES, make_zip

BUILTIN = ("coordinating_fr", "coordinating_en", "associated_fr", "associated_en")
AWKWARD_SPONSOR = "Société Générale d'Études & Cie <R&D>"


@pytest.fixture(autouse=True)
def clean_db():
    """The documents layer is pure: override the database reset that tests/conftest.py applies."""
    yield


@pytest.fixture
def context():
    """Factory for a render context full of values that break naive XML: &, <, >, quotes, accents."""

    def make(**overrides) -> dict:
        data = {
            "sponsor": {
                "name": AWKWARD_SPONSOR,
                "address": '1 "Quai" <Ouest> & Fils, 69002 Lyon',
                "country": "FR",
                "registration_number": "RCS Lyon B 123 456 789",
                "representative": "Mme Zoë O'Brien-Ferrand",
                "legal_name": "Société Générale d'Études & Cie <R&D> SAS",
                "legal_form": "société par actions simplifiée",
                "share_capital": "1 000 000 €",
                "rcs_city": "Lyon",
                "vat_number": None,
                "representative_title": "Présidente",
                "designation": "Société Générale d'Études & Cie <R&D> SAS, société par actions simplifiée",
            },
            "site": {
                "code": "GR",
                "name": "Gustave Roussy",
                "legal_name": "Institut Gustave Roussy",
                "address": "114 rue Édouard-Vaillant, 94805 Villejuif",
                "finess": "940000664",
                "siret": "77567160500019",
                "representative": "Pr Jean Martin",
                "representative_title": "Directeur général",
                "role": "coordinating",
                "designation": "Institut Gustave Roussy",
                "patients": 12,
                "third_party": None,
                "budget": [
                    {"item": "Visite de sélection (J-28)", "amount": "1250.00", "amount_text": "1 250,00 €",
                     "unit": "EUR per patient", "unit_text": "par patient"},
                    {"item": "Cycle 1 J1 <PK & PD>", "amount": "2100.00", "amount_text": "2 100,00 €",
                     "unit": "EUR per visit", "unit_text": "par visite"},
                ],
            },
            "coordinating_site": {"code": "GR", "name": "Gustave Roussy", "designation": "Institut Gustave Roussy",
                                  "finess": "940000664", "address": "114 rue Édouard-Vaillant, 94805 Villejuif"},
            "investigator": {"name": "Dr Anne Leroy", "title": "Dr", "department": "Département d'innovation",
                             "rpps": "10000000009"},
            "contract": {
                "reference": "GR-2026-0042",
                "title": "Phase I of XR-17 <first-in-human> & expansion",
                "acronym": "XR17 \"FIH\"",
                "protocol_number": "XR17-101",
                "eu_ct_number": None,
                "phase": "I",
                "indication": "Tumeurs solides avancées",
                "patients": 24,
                "cro": None,
            },
            "budget": [
                {"item": "Visite de sélection (J-28)", "amount": "1 250,00 €", "unit": "par patient"},
                {"item": "Cycle 1 J1 <PK & PD>", "amount": "2 100,00 €", "unit": "par visite"},
            ],
            "budget_total": "3350.00",
            "budget_total_text": "3 350,00 €",
            "today": "29/11/2026",
            "today_text": "29 novembre 2026",
        }
        for key, value in overrides.items():
            section, _, name = key.partition("__")
            if name:
                data[section][name] = value
            else:
                data[section] = value
        return data

    return make


def save(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def split_runs(paragraph, pieces) -> list:
    """Write pieces as separate runs, as Word does; a piece is text or (text, {'bold': True...}).

    A proofing-error mark and a bookmark are slipped between runs too, as Word leaves them.
    """
    runs = []
    for index, piece in enumerate(pieces):
        text, style = (piece, {}) if isinstance(piece, str) else piece
        run = paragraph.add_run(text)
        for attribute, value in style.items():
            setattr(run, attribute, value)
        runs.append(run)
        if index == 0:
            paragraph._p.append(OxmlElement("w:proofErr"))
            mark = OxmlElement("w:bookmarkStart")
            mark.set(qn("w:id"), "0")
            mark.set(qn("w:name"), "_GoBack")
            paragraph._p.append(mark)
    return runs


@pytest.fixture
def word_template():
    """A Word-shaped template: tags split across formatted runs in body, table, header, footer."""
    document = docx.Document()
    split_runs(document.add_paragraph(), [
        ("Le promoteur ", {}),
        ("{{ spon", {"bold": True}),
        ("sor.na", {"italic": True}),
        ("me }}", {"underline": True}),
        (" s'engage.", {}),
    ])
    split_runs(document.add_paragraph(), ["{", "%p if contract.eu_ct_number %", "}"])
    document.add_paragraph("EU CT: {{ contract.eu_ct_number }}")
    document.add_paragraph("{%p endif %}")
    table = document.add_table(rows=4, cols=3)
    for cell, text in zip(table.rows[0].cells, ("Item", "Amount", "Unit")):
        cell.text = text
    split_runs(table.cell(1, 0).paragraphs[0], ["{%tr for ", ("row in bud", {"bold": True}), "get %}"])
    split_runs(table.cell(2, 0).paragraphs[0], [("{{ row.", {"italic": True}), "item }}"])
    table.cell(2, 1).text = "{{ row.amount }}"
    table.cell(2, 2).text = "{{ row.unit }}"
    table.cell(3, 0).text = "{%tr endfor %}"
    section = document.sections[0]
    split_runs(section.header.paragraphs[0], ["Réf. ", ("{{ contract.ref", {"bold": True}), "erence }}"])
    split_runs(section.footer.paragraphs[0], [("{{ site.", {"italic": True}), "name }} — {{ today }}"])
    return save(document)


def docx_with_paragraphs(*texts: str) -> bytes:
    document = docx.Document()
    for text in texts:
        document.add_paragraph(text)
    return save(document)


@pytest.fixture
def build():
    """The builders above, for tests that shape their own documents and archives."""
    return SimpleNamespace(save=save, split_runs=split_runs, zip=make_zip, paragraphs=docx_with_paragraphs)


@pytest.fixture
def builtin():
    """Bytes of a shipped agreement template by name, e.g. builtin('coordinating_fr')."""
    return lambda name: (TEMPLATES / f"{name}.docx").read_bytes()
