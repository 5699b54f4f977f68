"""A two-site contract agreed with a fixed version at each site, and a desk to sign it through real e-mails.

The mails are caught by a real SMTP server on loopback (``smtp``); the signing pages are driven
over HTTP with Flask's test client, from the links and codes the mails carry.
"""
from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from tests.alerts.conftest import smtp  # noqa: F401  (a real SMTP server on loopback)
from tests.conftest import CONTRACT_DETAILS, SPONSOR_IDENTITY, csrf_token
from tracker.audit import Actor
from tracker.database import utcnow
from tracker.documents.operations import generate
from tracker.extensions import db
from tracker.mail.smtp import send_due
from tracker.models import Contract, Track
from tracker.pipeline.operations import apply_action
from tracker.signing import signatories
from tracker.timeutil import local_date

STAFF = Actor(user_id=None, email="desk@tracker.test", role="admin")
PEOPLE = {
    "GR": {"institution": ("Pr Élise Moreau", "direction@gr.test"), "investigator": ("Dr Claire Martin", "cmartin@gr.test"),
           "sponsor": ("Laura Novak", "laura@novacure.test")},
    "IB": {"institution": ("M. Laurent Vidal", "direction@ib.test"), "investigator": ("Dr Paul Garnier", "pgarnier@ib.test"),
           "sponsor": ("Laura Novak", "laura@novacure.test")},
}
SITE_NAMES = {"GR": "Gustave Roussy", "IB": "Institut Bergonié"}
needs_soffice = pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")),
                                   reason="LibreOffice (soffice) is not installed")
LINK = re.compile(r"http://tracker\.test(/sign/[A-Za-z0-9_-]+)")
COPY = re.compile(r"http://tracker\.test(/signed/[A-Za-z0-9_-]+)")
CODE = re.compile(r"^\s+(\d{6})\s*$", re.M)


@dataclass
class Agreed:
    reference: str
    documents: dict = field(default_factory=dict)  # site -> document id fixed


def track_of(reference: str, site: str) -> Track:
    contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
    return next(t for t in contract.tracks if t.site.code == site)


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


def name_all(app, reference: str, sites=("GR", "IB")) -> None:
    with app.app_context():
        for site in sites:
            track = track_of(reference, site)
            for party, (person, email) in PEOPLE[site].items():
                wanted = signatories.parse(track, {"party": party, "name": person, "email": email, "language": "en"})
                signatories.name(track, wanted, actor=STAFF, now=utcnow())
        db.session.commit()


class Signer:
    """Sign as a signatory would: the link from their mail, their name, the consent, the code from the next mail."""

    def __init__(self, app, smtp):
        self.app, self.smtp = app, smtp
        self.client = app.test_client()

    def deliver(self) -> None:
        with self.app.app_context():
            send_due(utcnow(), batch=100)

    def mails(self, address: str, subject_has: str) -> list:
        self.deliver()
        wanted = "".join(subject_has.split())  # a folded header may move the spaces of a long subject
        return [m for m in self.smtp.box.to(address) if wanted in "".join(m.subject.split())]

    def link(self, address: str, site: str) -> str:
        found = [LINK.search(m.part("plain")).group(1) for m in self.mails(address, f"Please sign the agreement for "
                                                                                     f"{SITE_NAMES[site]}")]
        assert found, f"no signing link for {address} at {site}"
        return found[-1]

    def ask_code(self, path: str, name: str, consent=True, **headers):
        token = csrf_token(self.client, path)
        data = {"csrf_token": token, "name": name}
        if consent:
            data["consent"] = "y"
        return self.client.post(path, data=data, headers={"Accept-Language": "en", **headers})

    def code(self, address: str, site: str) -> str:
        mails = self.mails(address, f"Your code to confirm your signature for {SITE_NAMES[site]}")
        assert mails, f"no code for {address}"
        return CODE.search(mails[-1].part("plain")).group(1)

    def confirm(self, path: str, code: str, **headers):
        token = csrf_token(self.client, path + "/code")
        return self.client.post(path + "/code", data={"csrf_token": token, "code": code},
                                headers={"Accept-Language": "en", "User-Agent": "SignerTest/1.0", **headers},
                                environ_base={"REMOTE_ADDR": "192.0.2.10"})

    def sign(self, address: str, name: str, site: str):
        path = self.link(address, site)
        asked = self.ask_code(path, name)
        assert asked.status_code == 303, asked.get_data(as_text=True)[:800]
        return path, self.confirm(path, self.code(address, site))


@pytest.fixture
def signer(app, smtp):  # noqa: F811  (the fixture imported above)
    return Signer(app, smtp)
