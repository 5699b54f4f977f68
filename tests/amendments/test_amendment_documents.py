"""The amendment templates, French and English: real .docx files citing the agreement they amend."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.helpers.amendments import execute
from tests.helpers.actors import ADMIN
from tests.helpers.contract_data import CONTRACT_DETAILS, SPONSOR_IDENTITY
from tests.helpers.docx_text import all_text
from tracker.contracts.amendments import create_amendment
from tracker.documents import library
from tracker.documents.operations import generate
from tracker.extensions import db
from tracker.models import Contract
from tracker.timeutil import local_date


@pytest.fixture
def amendment(app, builtin_templates, make_sponsor, make_contract, now):
    sponsor_id = make_sponsor(**SPONSOR_IDENTITY)
    reference = make_contract(sponsor_id, eu_ct_number="2024-512345-21-00", **CONTRACT_DETAILS)
    signed_at = now - timedelta(days=3)
    execute(app, reference, signed_at)
    with app.app_context():
        parent = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
        created = create_amendment(parent, {"title": "Twenty more patients and a new arm", "sites": ["GR", "IB"],
                                            "received_on": local_date(now).isoformat()}, actor=ADMIN, now=now)
        db.session.commit()
        return reference, created.reference, local_date(signed_at)


@pytest.mark.parametrize("language, signed_words, title", [
    ("fr", "signée le", "AVENANT N° 1"), ("en", "signed on", "AMENDMENT No. 1")])
def test_the_amendment_is_generated_citing_the_agreement(app, amendment, now, language, signed_words, title):
    parent, reference, signed = amendment
    with app.app_context():
        contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
        assert library.default_template("coordinating", language, amendment=True) == f"amendment_{language}"
        texts = {}
        for site in ("GR", "IB"):  # one template for every site of the amendment, with no field left empty
            document = generate(contract, site, f"amendment_{language}", actor=ADMIN, now=now, today=local_date(now))
            texts[site] = all_text(document.content)
        db.session.commit()
    text = texts["IB"]
    assert title in text and reference in text and parent in text
    assert f"{signed_words} {signed.day}" in text or f"{signed_words} 1er" in text
    assert "Twenty more patients and a new arm" in text and "A phase I trial" in text  # object and trial
    assert "2024-512345-21-00" in text and "Dr Paul Garnier" in text
    assert ("850,50" if language == "fr" else "850.50") in text  # IB's own budget, carried over
    assert "Dr Claire Martin" in texts["GR"]


def test_a_first_agreement_keeps_its_own_template(app, builtin_templates):
    with app.app_context():
        assert library.default_template("coordinating", "fr") == "coordinating_fr"
        assert library.default_template("associated", "en", amendment=False) == "associated_en"
