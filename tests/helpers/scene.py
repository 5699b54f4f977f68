"""A tracker in use, built through the real operations: what the page tests look at.

Contracts (sponsor Novacure, French, unless said):
  review      GR coordinating + IB, in review, overdue, with a generated agreement and a redline
  ib_first    IB coordinating + GR associated, just received
  signature   GR + IB, agreed; GR's institution has signed
  round4      GR + IB, in its 4th negotiation round
  cancelled   GR + IB, cancelled by a manager with a reason
  helix       Helix (US, English) GR only, just received
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import docx

from tracker import audit
from tracker.alerts.sweep import sweep
from tracker.documents import operations as documents
from tracker.extensions import db
from tracker.models import Contract, Document, Site, User
from tracker.pipeline.operations import apply_action
from tracker.sla.operations import add_closure
from tracker.timeutil import local_date

CANCEL_REASON = "The sponsor stopped the development programme"
C, A = "coordinating", "associated"


@dataclass
class Scene:
    people: dict[str, str] = field(default_factory=dict)  # role -> e-mail
    refs: dict[str, str] = field(default_factory=dict)  # name -> reference
    redline_id: int | None = None


def _redline(data: bytes) -> bytes:
    document = docx.Document(io.BytesIO(data))
    long = [p for p in document.paragraphs if len(p.text) > 60]
    long[1].runs[0].text = "Le Promoteur prend en charge la totalité des frais d'assurance."
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def build(app, now: datetime, make_sponsor, make_user, make_contract) -> Scene:
    """Build the scene as of ``now``: events are spread over the last three weeks."""
    scene = Scene()
    novacure, helix = make_sponsor("Novacure Oncology SA", "FR"), make_sponsor("Helix Therapeutics Inc.", "US")
    scene.people = {"legal": make_user("legal", "GR"), "legal_ib": make_user("legal", "IB"),
                    "manager": make_user("manager", "GR"), "admin": make_user("admin", None),
                    "sponsor": make_user("sponsor", None, sponsor="Novacure Oncology SA")}
    received = local_date(now) - timedelta(days=25)
    plans = {
        "review": (novacure, "GR", [(C, "mark_complete", None)]),
        "ib_first": (novacure, "IB", []),
        "signature": (novacure, "GR", [(C, "mark_complete", None), (C, "agree", None), (C, "sign", "institution")]),
        "round4": (novacure, "GR", [(C, "mark_complete", None)]
                   + [(C, "send_to_sponsor", None), (C, "sponsor_replied", None)] * 3 + [(C, "send_to_sponsor", None)]),
        "cancelled": (novacure, "GR", [(C, "mark_complete", None), (C, "cancel", None)]),
        "helix": (helix, "GR", []),
    }
    with app.app_context():
        admin = audit.Actor.of(db.session.execute(db.select(User).where(User.role == "admin")).scalar_one())
    for name, (sponsor_id, coordinating, steps) in plans.items():
        sites = ("GR",) if name == "helix" else (coordinating, "IB" if coordinating == "GR" else "GR")
        reference = make_contract(sponsor_id, coordinating=coordinating, sites=sites, received_on=received,
                                  acronym=name.upper().replace("_", "-"), now=now)
        scene.refs[name] = reference
        with app.app_context():
            contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
            at = now - timedelta(days=20)
            for role, action, party in steps:
                track = next(t for t in contract.tracks if t.role == role)
                apply_action(track, action, actor=admin, now=now, effective_at=at, party=party,
                             comment=CANCEL_REASON if action == "cancel" else None)
                at += timedelta(hours=2)
            db.session.commit()
    with app.app_context():
        contract = db.session.execute(db.select(Contract).where(Contract.reference == scene.refs["review"])).scalar_one()
        sent = documents.generate(contract, "GR", "coordinating_fr", actor=admin, now=now, today=local_date(now),
                                  draft=True)  # the scene's contracts carry no legal identity
        redline = documents.upload_redline(contract, "GR", _redline(sent.content), actor=admin, now=now)
        scene.redline_id = redline.id
        gr = db.session.execute(db.select(Site).where(Site.code == "GR")).scalar_one()
        add_closure(gr, local_date(now) + timedelta(days=40), "Site seminar", actor=admin, now=now)
        db.session.commit()
        sweep(now)  # the overdue review fills the outbox
        db.session.commit()
        assert db.session.execute(db.select(db.func.count(Document.id))).scalar() == 2
    return scene
