"""The signing desk's vocabulary: who signs for each site, the links and codes of their mails, a signer.

The mails are caught by a real SMTP server on loopback (the ``smtp`` fixture); the signing pages
are driven over HTTP with Flask's test client, from the links and codes the mails carry.
"""
from __future__ import annotations

import io
import re

from tests.helpers.actors import STAFF
from tests.helpers.web import csrf_token
from tracker.database import utcnow
from tracker.extensions import db
from tracker.mail.smtp import send_due
from tracker.models import Contract, Track
from tracker.signing import signatories

PEOPLE = {
    "GR": {"institution": ("Pr Élise Moreau", "direction@gr.test"), "investigator": ("Dr Claire Martin", "cmartin@gr.test"),
           "sponsor": ("Laura Novak", "laura@novacure.test")},
    "IB": {"institution": ("M. Laurent Vidal", "direction@ib.test"), "investigator": ("Dr Paul Garnier", "pgarnier@ib.test"),
           "sponsor": ("Laura Novak", "laura@novacure.test")},
}
SITE_NAMES = {"GR": "Gustave Roussy", "IB": "Institut Bergonié"}
LINK = re.compile(r"http://tracker\.test(/sign/[A-Za-z0-9_-]+)")
CODE = re.compile(r"^\s+(\d{6})\s*$", re.M)


def track_of(reference: str, site: str) -> Track:
    contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
    return next(t for t in contract.tracks if t.site.code == site)


def name_all(app, reference: str, sites=("GR", "IB")) -> None:
    """Name the three signatories of ``PEOPLE`` at each site, in English."""
    with app.app_context():
        for site in sites:
            track = track_of(reference, site)
            for party, (person, email) in PEOPLE[site].items():
                wanted = signatories.parse(track, {"party": party, "name": person, "email": email, "language": "en"})
                signatories.name(track, wanted, actor=STAFF, now=utcnow())
        db.session.commit()


def verify(client, data: bytes | None = None, sha256: str | None = None):
    """Ask the public verification page about a PDF, its SHA-256, or both."""
    token = csrf_token(client, "/verify")
    form = {"csrf_token": token}
    if data is not None:
        form["file"] = (io.BytesIO(data), "agreement.pdf")
    if sha256 is not None:
        form["sha256"] = sha256
    return client.post("/verify", data=form, content_type="multipart/form-data", headers={"Accept-Language": "en"})


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
