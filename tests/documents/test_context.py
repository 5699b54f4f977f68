"""Values written for the template's language: amounts, dates, units, and how parties are named."""
from datetime import date
from types import SimpleNamespace

import pytest

from tracker.documents.context import budget_rows, amount_text, date_text, party_name, template_language

NNBSP, NBSP = "\u202f", "\u00a0"


@pytest.mark.parametrize(("amount", "language", "text"), [
    ("1200.00", "fr", f"1{NNBSP}200,00{NBSP}€"),
    ("1200.00", "en", "€1,200.00"),
    ("850.5", "fr", f"850,50{NBSP}€"),
    ("1234567.89", "en", "€1,234,567.89"),
    ("0", "fr", f"0,00{NBSP}€"),
])
def test_amounts_as_each_language_writes_them(amount, language, text):
    assert amount_text(amount, language) == text


def test_dates_in_words_with_the_french_first_of_the_month():
    assert date_text(date(2026, 12, 6), "fr") == "6 décembre 2026"
    assert date_text(date(2026, 12, 6), "en") == "6 December 2026"
    assert date_text(date(2027, 1, 1), "fr") == "1er janvier 2027"
    assert date_text(date(2027, 1, 1), "en") == "1 January 2027"


def test_rows_get_amount_and_unit_texts_and_a_total():
    rows, total = budget_rows([{"item": "Sélection", "amount": "1200.00", "unit": "EUR per patient"},
                         {"item": "Cycle", "amount": "850.50", "unit": "EUR per visit"},
                         {"item": "Archivage", "amount": "1500.00", "unit": "EUR flat"},
                         {"item": "Pharmacie", "amount": "90.00", "unit": "USD per month"}], "fr")
    assert [(r["amount_text"], r["unit_text"]) for r in rows] == [
        (f"1{NNBSP}200,00{NBSP}€", "par patient"), (f"850,50{NBSP}€", "par visite"),
        (f"1{NNBSP}500,00{NBSP}€", "forfait"), (f"90,00{NBSP}$US", "per month")]
    assert str(total) == "3640.50"
    english, _ = budget_rows(rows[:2], "en")
    assert [(r["amount_text"], r["unit_text"]) for r in english] == [("€1,200.00", "per patient"),
                                                                     ("€850.50", "per visit")]


def test_parties_are_named_by_legal_name_and_form_once():
    sponsor = SimpleNamespace(name="Novacure", legal_name="Novacure Oncology", legal_form="SAS")
    assert party_name(sponsor) == "Novacure Oncology, SAS"
    assert party_name(SimpleNamespace(name="Novacure", legal_name="Novacure Oncology SAS", legal_form="SAS")) \
        == "Novacure Oncology SAS"  # the form already in the name is not repeated
    assert party_name(SimpleNamespace(name="Gustave Roussy", legal_name=None)) == "Gustave Roussy"


def test_the_template_language_comes_from_its_name():
    assert template_language("associated_en") == "en"
    assert template_language("coordinating_fr") == "fr"
    assert template_language("site_agreement", "en") == "en"
