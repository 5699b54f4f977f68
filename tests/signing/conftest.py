"""A two-site contract agreed with a fixed version at each site, and a desk to sign it through real e-mails.

The mails are caught by a real SMTP server on loopback (``smtp``); ``signer`` signs from them as a
signatory would (tests/helpers/signing.py holds the people, links and codes).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from tests.alerts.conftest import smtp  # noqa: F401  (a real SMTP server on loopback)
from tests.helpers.actors import STAFF
from tests.helpers.contract_data import CONTRACT_DETAILS, SPONSOR_IDENTITY
from tests.helpers.signing import Signer
from tracker.database import utcnow
from tracker.documents.operations import generate
from tracker.extensions import db
from tracker.models import Contract
from tracker.pipeline.operations import apply_action
from tracker.timeutil import local_date


@dataclass
class Agreed:
    reference: str
    documents: dict = field(default_factory=dict)  # site -> document id fixed


@pytest.fixture
def agreed(app, builtin_templates, make_sponsor, make_contract):
    """GR coordinating and IB associated, each with its agreement generated, agreed and conformity confirmed."""
    sponsor = make_sponsor("Novacure Oncology SA", "FR", **SPONSOR_IDENTITY)
    reference = make_contract(sponsor, **CONTRACT_DETAILS)
    result = Agreed(reference)
    with app.app_context():
        now = utcnow() - timedelta(hours=1)
        contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
        for track in contract.ordered_tracks:
            name = "coordinating_fr" if track.role == "coordinating" else "associated_fr"
            result.documents[track.site.code] = generate(contract, track.site.code, name, actor=STAFF, now=now,
                                                         today=local_date(now)).id
        coordinating = contract.coordinating_track
        for action in ("mark_complete", "agree"):
            apply_action(coordinating, action, actor=STAFF, now=now, effective_at=now)
        associated = next(t for t in contract.tracks if t.role == "associated")
        apply_action(associated, "conformity_ok", actor=STAFF, now=now, effective_at=now)
        db.session.commit()
    return result


@pytest.fixture
def signer(app, smtp):  # noqa: F811  (the fixture imported above)
    return Signer(app, smtp)
