"""A small world of two competing sponsors, their contracts at both sites, and the people of each side.

Novacure's contract has a draft generated, the coordinating site's file complete and the
draft sent to the sponsor, so the portal has something to show, download and answer.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest

from tests.alerts.conftest import smtp  # noqa: F401  (a real SMTP server on loopback)
from tracker.audit import Actor
from tracker.database import utcnow
from tracker.documents.operations import generate
from tracker.extensions import db
from tracker.models import Contract, OutboxMessage
from tracker.pipeline.operations import apply_action
from tracker.timeutil import local_date

STAFF = Actor(user_id=None, email="desk@tracker.test", role="admin")


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


@pytest.fixture
def world(app, builtin_templates, make_sponsor, make_user, make_contract):
    novacure = make_sponsor("Novacure Oncology SA", "FR")
    helix = make_sponsor("Helix Therapeutics Inc.", "US")
    received = (datetime.now(timezone.utc) - timedelta(days=40)).date()
    w = World(
        app=app, novacure=novacure, helix=helix,
        ref_a=make_contract(novacure, received_on=received, acronym="NOVAONE"),
        ref_b=make_contract(helix, received_on=received, acronym="HELIXONE"),
        sponsor_a=make_user("sponsor", None, sponsor="Novacure Oncology SA", email="laura@novacure.test",
                            language="en"),
        sponsor_b=make_user("sponsor", None, sponsor="Helix Therapeutics Inc.", email="mark@helix.test",
                            language="en"),
        legal_gr=make_user("legal", "GR", email="legal@gr.test"), legal_ib=make_user("legal", "IB", email="legal@ib.test"),
        manager_gr=make_user("manager", "GR", email="manager@gr.test"),
        manager_ib=make_user("manager", "IB", email="manager@ib.test"),
        admin=make_user("admin", None, email="admin@tracker.test"),
    )
    w.draft_doc = w.generate(w.ref_a)
    w.act(w.ref_a, "mark_complete", ago=timedelta(days=20))
    w.sent_doc = w.generate(w.ref_a)
    w.act(w.ref_a, "send_to_sponsor", ago=timedelta(days=10), comment="Please look at clause 7.", for_sponsor=True)
    w.generate(w.ref_b)
    return w


def outbox(app, **where) -> list[OutboxMessage]:
    with app.app_context():
        stmt = db.select(OutboxMessage).order_by(OutboxMessage.id)
        for name, value in where.items():
            stmt = stmt.where(getattr(OutboxMessage, name) == value)
        rows = db.session.execute(stmt).scalars().all()
        db.session.expunge_all()
        return rows


def link_in(text: str, kind: str = "welcome") -> str:
    """The path of the one-time link in a mail's text."""
    match = re.search(r"http://tracker\.test(/account/%s/[A-Za-z0-9_\-]+)" % kind, text)
    assert match, text
    return match.group(1)
