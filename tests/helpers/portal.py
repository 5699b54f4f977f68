"""Two competing sponsors, their contracts and people (the ``world`` fixture of tests/portal), and ways to move it on."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tests.helpers.actors import STAFF
from tracker.database import utcnow
from tracker.documents.operations import generate
from tracker.extensions import db
from tracker.models import Contract
from tracker.pipeline.operations import apply_action
from tracker.timeutil import local_date


@dataclass
class World:
    app: object
    novacure: int
    helix: int
    ref_a: str  # Novacure's contract, GR coordinating, IB associated
    ref_b: str  # Helix's contract
    sponsor_a: str
    sponsor_b: str
    legal_gr: str
    legal_ib: str
    manager_gr: str
    manager_ib: str
    admin: str
    sent_doc: int = 0
    draft_doc: int = 0

    def contract(self, reference: str) -> Contract:
        return db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()

    def track(self, reference: str, site: str = "GR"):
        return next(t for t in self.contract(reference).tracks if t.site.code == site)

    def act(self, reference: str, action: str, site: str = "GR", *, ago: timedelta | None = None, **kw):
        with self.app.app_context():
            now = utcnow()
            event = apply_action(self.track(reference, site), action, actor=STAFF, now=now,
                                 effective_at=(now - ago) if ago else None, **kw)
            db.session.commit()
            return event.id

    def generate(self, reference: str, site: str = "GR") -> int:
        with self.app.app_context():
            now = utcnow()
            template = "coordinating_fr" if self.track(reference, site).role == "coordinating" else "associated_fr"
            document = generate(self.contract(reference), site, template, actor=STAFF, now=now, today=local_date(now),
                                draft=True)  # these contracts carry no legal identity
            db.session.commit()
            return document.id
