"""Helpers to drive tracks through the pipeline by its one operation, apply_action."""
from __future__ import annotations

import pytest

from tests.helpers.clock import now
from tracker.audit import Actor
from tracker.extensions import db
from tracker.models import AuditEntry, Contract, Event, Site, Sponsor, Track
from tracker.pipeline.operations import apply_action

# The shortest path from a track's first stage to each stage, taken by an admin.
COORDINATING_PATHS = {
    "completeness": [],
    "awaiting_documents": ["mark_incomplete"],
    "review": ["mark_complete"],
    "with_sponsor": ["mark_complete", "send_to_sponsor"],
    "signature": ["mark_complete", "agree"],
    "executed": ["mark_complete", "agree", ("sign", "institution"), ("sign", "investigator"), ("sign", "sponsor")],
    "cancelled": [("cancel", "Sponsor withdrew the study")],
}
# An associated track moves on the coordinating track's agreement, then on its own.
ASSOCIATED_PATHS = {
    "waiting_coordinator": [],
    "conformity": [],
    "signature": ["conformity_ok"],
    "executed": ["conformity_ok", ("sign", "institution"), ("sign", "investigator"), ("sign", "sponsor")],
    "cancelled": [("cancel", "Site withdrew")],
}


class Flow:
    """A small vocabulary for pipeline tests: contracts, actors, actions, counts."""

    def __init__(self, make_contract, sponsor_id: int, other_sponsor_id: int):
        self._make_contract = make_contract
        self.sponsor_id = sponsor_id
        self.other_sponsor_id = other_sponsor_id
        self.sites = {s.code: s for s in db.session.execute(db.select(Site)).scalars()}

    # -- who acts ---------------------------------------------------------------------------------
    def actor(self, role: str, site: str | None = None, sponsor_id: int | None = None) -> Actor:
        site_obj = self.sites[site] if site else None
        sponsor = db.session.get(Sponsor, sponsor_id) if sponsor_id else None
        return Actor(user_id=None, email=f"{role}@{(site or 'sponsor').lower()}.test", role=role,
                     site_code=site, site_id=site_obj.id if site_obj else None,
                     sponsor_name=sponsor.name if sponsor else None, sponsor_id=sponsor_id)

    @property
    def admin(self) -> Actor:
        return self.actor("admin")

    def sponsor(self) -> Actor:
        return self.actor("sponsor", sponsor_id=self.sponsor_id)

    # -- what they act on ------------------------------------------------------------------------
    def contract(self, sites=("GR", "IB"), coordinating="GR", received_on=None) -> str:
        db.session.rollback()  # end our read: on SQLite it holds the write lock the factory needs
        return self._make_contract(self.sponsor_id, coordinating=coordinating, sites=sites,
                                   received_on=received_on)

    def user(self, make_user, *args, **kw) -> str:
        """A user made by the factory, outside our session (which would hold SQLite's write lock)."""
        db.session.rollback()
        return make_user(*args, **kw)

    def get(self, reference: str) -> Contract:
        db.session.expire_all()
        return db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()

    def track(self, reference: str, site: str) -> Track:
        return next(t for t in self.get(reference).tracks if t.site.code == site)

    def act(self, reference: str, site: str, action: str, actor: Actor | None = None, **kw) -> Event:
        """Apply an action and commit, as a request would."""
        track = self.track(reference, site)
        kw.setdefault("now", now())
        try:
            event = apply_action(track, action, actor=actor or self.admin, **kw)
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
        return event

    def _steps(self, reference, site, path):
        for step in path:
            action, extra = (step, None) if isinstance(step, str) else step
            kw = {}
            if action == "sign":
                kw["party"] = extra
            elif action == "cancel":
                kw["comment"] = extra
            self.act(reference, site, action, **kw)

    def drive(self, reference: str, site: str, stage: str) -> Track:
        """Bring a site's track to a stage by the real actions."""
        track = self.track(reference, site)
        if track.role == "coordinating":
            self._steps(reference, site, COORDINATING_PATHS[stage])
        else:
            coordinator = self.get(reference).coordinating_track.site.code
            if stage not in ("waiting_coordinator", "cancelled"):
                self._steps(reference, coordinator, COORDINATING_PATHS["signature"])
            self._steps(reference, site, ASSOCIATED_PATHS[stage])
        track = self.track(reference, site)
        assert track.stage == stage
        return track

    # -- what the database holds -----------------------------------------------------------------
    def counts(self, reference: str) -> dict:
        contract = self.get(reference)
        return {
            "events": db.session.execute(db.select(db.func.count(Event.id)).where(
                Event.contract_id == contract.id)).scalar(),
            "audit": db.session.execute(db.select(db.func.count(AuditEntry.id))).scalar(),
            "tracks": {t.site.code: (t.stage, t.round, t.version, tuple(t.signatures.values()))
                       for t in contract.tracks},
            "status": contract.status,
        }

    def actions(self, reference: str, site: str) -> list[str]:
        return [e.action for e in self.track(reference, site).events]


@pytest.fixture
def flow(ctx, make_sponsor, make_contract):
    sponsor_id = make_sponsor("Novacure Oncology SA")
    other_id = make_sponsor("Helix Therapeutics Inc.", "US")
    return Flow(make_contract, sponsor_id, other_id)
