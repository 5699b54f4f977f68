"""The associated site's check leaves out what is the site's own: its identity and its own figures."""
from __future__ import annotations

from tests.helpers.contract_data import CONTRACT_DETAILS, SPONSOR_IDENTITY
from tracker.documents.conformity import _masker, _own_values
from tracker.documents.context import amount_text
from tracker.extensions import db
from tracker.models import Contract


def test_each_sites_own_figures_are_masked_and_nothing_else(app, make_sponsor, make_contract):
    sponsor = make_sponsor("Novacure Oncology SA", **SPONSOR_IDENTITY)
    reference = make_contract(sponsor, **CONTRACT_DETAILS)
    with app.app_context():
        contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
        coordinating, associated = contract.coordinating_track, next(t for t in contract.tracks if t.role == "associated")
        mask = _masker(_own_values(coordinating) + _own_values(associated))
        own = associated.patients if associated.patients is not None else contract.patients
        assert own != contract.patients or associated.patients is None
        # The same clause, once with the coordinator's figures and once with the associated site's.
        assert mask(f"Le centre prévoit d'inclure {contract.patients} patients.") == \
            mask(f"Le centre prévoit d'inclure {own} patients.")
        assert mask(f"{coordinating.site.name} est le centre.") == mask(f"{associated.site.name} est le centre.")
        ib_amount = amount_text(associated.budget[0]["amount"], "fr")  # "1 200,00 €", as the agreement prints it
        assert mask("Visite de sélection : 450,00 €") == mask(f"Visite de sélection : {ib_amount}")
        assert mask("Visit: €450.00") == mask(f"Visit: {amount_text(associated.budget[0]['amount'], 'en')}")
        # A change that is not a site's own stays visible, and a figure inside another number is not masked.
        assert mask("La durée est de 36 mois.") != mask("La durée est de 48 mois.")
        assert "2024" in mask(f"Arrêté du 29 juillet 2024 ; {contract.patients} patients")
