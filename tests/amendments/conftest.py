"""An executed contract to amend, signed at both sites by the pipeline's one operation."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tracker.audit import Actor
from tracker.extensions import db
from tracker.models import Contract
from tracker.pipeline.operations import apply_action

ADMIN = Actor(user_id=None, email="admin@test", role="admin", site_code=None, site_id=None, sponsor_name=None,
              sponsor_id=None)
SIGNATURES = [("sign", "institution"), ("sign", "investigator"), ("sign", "sponsor")]
PATH = [("GR", "mark_complete", None), ("GR", "agree", None), ("IB", "conformity_ok", None),
        *[("GR", a, p) for a, p in SIGNATURES], *[("IB", a, p) for a, p in SIGNATURES]]


def execute(app, reference: str, at: datetime) -> None:
    """Walk a GR+IB contract to executed, every action at ``at``."""
    with app.app_context():
        for site, action, party in PATH:
            contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
            track = next(t for t in contract.tracks if t.site.code == site)
            apply_action(track, action, actor=ADMIN, now=at, party=party)
            db.session.commit()


@pytest.fixture
def signed(app, make_sponsor, make_contract, now):
    """(sponsor id, reference) of an executed GR+IB contract, signed five days ago."""
    sponsor_id = make_sponsor()
    reference = make_contract(sponsor_id, eu_ct_number="2024-512345-21-00", acronym="CLAUDIA",
                              received_on=(now - timedelta(days=40)).date())
    execute(app, reference, now - timedelta(days=5))
    return sponsor_id, reference


def day(delta: int) -> str:
    return (datetime.now(timezone.utc).date() + timedelta(days=delta)).isoformat()
