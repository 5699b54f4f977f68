"""An executed contract to amend: walked to signature at both sites by the pipeline's one operation."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tracker.extensions import db
from tracker.models import Contract
from tracker.pipeline.operations import apply_action

from tests.helpers.actors import ADMIN

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


def day(delta: int) -> str:
    """A date ``delta`` days from today, as a form or the API takes it."""
    return (datetime.now(timezone.utc).date() + timedelta(days=delta)).isoformat()
