"""SPEC 5c: a signatory declines with a reason (the link dies, the owner and the site's legal staff hear why, the
track stays in signature); and once a track is executed, its owner, the site's managers, the sponsor's users and
every signatory get one mail each with the executed PDF attached."""
from __future__ import annotations

import hashlib

from tests.helpers.actors import STAFF
from tests.helpers.documents import needs_soffice
from tests.helpers.signing import PEOPLE, name_all, track_of
from tests.helpers.web import csrf_token
from tracker.database import utcnow
from tracker.extensions import db
from tracker.models import Contract, Event, User
from tracker.models.signing import ExecutedAgreement, SigningLink
from tracker.signing import signatories

NAME, EMAIL = PEOPLE["GR"]["institution"]
REASON = "Article 5.1 does not match the budget our board approved; please send the corrected grid."


def _own(app, reference: str, email: str) -> None:
    with app.app_context():
        track = track_of(reference, "GR")
        track.owner_id = db.session.execute(db.select(User.id).where(User.email == email)).scalar_one()
        db.session.commit()


def _decline(signer, path: str, reason: str):
    token = csrf_token(signer.client, path)
    return signer.client.post(path + "/decline", data={"csrf_token": token, "reason": reason},
                              headers={"Accept-Language": "en"})


def test_a_decline_kills_the_link_and_tells_the_owner_and_legal_staff_why(app, agreed, signer, make_user):
    owner = make_user("manager", "GR", language="en")
    legal = make_user("legal", "GR", language="en")
    other_site = make_user("legal", "IB", language="en")
    _own(app, agreed.reference, owner)
    name_all(app, agreed.reference, sites=("GR",))
    path = signer.link(EMAIL, "GR")

    empty = _decline(signer, path, "   ")
    assert empty.status_code == 422 and "Say why you decline" in empty.get_data(as_text=True)
    assert signer.client.get(path).status_code == 200  # nothing changed: the link still opens

    answer = _decline(signer, path, REASON)
    assert answer.status_code == 200 and "You declined to sign" in answer.get_data(as_text=True)
    dead = signer.client.get(path, headers={"Accept-Language": "en"})
    assert dead.status_code == 410 and "You declined to sign through it" in dead.get_data(as_text=True)
    assert signer.ask_code(path, NAME).status_code == 410

    for address in (owner, legal):
        told = signer.mails(address, "declined to sign the agreement for Gustave Roussy")
        assert len(told) == 1, address
        text = told[0].part("plain")
        assert REASON in text and NAME in text and EMAIL in text
        assert f"http://tracker.test/contracts/{agreed.reference}" in text
    assert not signer.mails(other_site, "declined")
    with app.app_context():
        track = track_of(agreed.reference, "GR")
        assert track.stage == "signature"
        link = db.session.execute(db.select(SigningLink).where(SigningLink.declined_at.is_not(None))).scalar_one()
        assert link.decline_reason == REASON
        # Staff send the link to someone else: the new person can sign.
        wanted = signatories.parse(track, {"party": "institution", "name": "Dr Anne Roux", "email": "aroux@gr.test",
                                           "language": "en"})
        signatories.name(track, wanted, actor=STAFF, now=utcnow())
        db.session.commit()
    _path, signed = signer.sign("aroux@gr.test", "Dr Anne Roux", "GR")
    assert signed.status_code == 200


@needs_soffice
def test_the_completion_mail_carries_the_executed_pdf_to_everyone_concerned(app, agreed, signer, make_user,
                                                                          make_sponsor):
    owner = make_user("manager", "GR", language="en")
    manager = make_user("manager", "GR", language="fr")
    with app.app_context():
        sponsor_name = db.session.execute(db.select(Contract).where(Contract.reference == agreed.reference)
                                          ).scalar_one().sponsor.name
    sponsor_user = make_user("sponsor", None, sponsor=sponsor_name, language="en")
    legal = make_user("legal", "GR")
    _own(app, agreed.reference, owner)
    name_all(app, agreed.reference, sites=("GR",))
    for party in ("sponsor", "institution", "investigator"):
        person, email = PEOPLE["GR"][party]
        assert signer.sign(email, person, "GR")[1].status_code == 200
    with app.app_context():
        executed = db.session.execute(db.select(ExecutedAgreement)).scalar_one()
        pdf_sha256 = executed.sha256
    signer.deliver()
    readers = [owner, manager, sponsor_user] + [email for _person, email in PEOPLE["GR"].values()]
    for address in readers:
        got = [m for m in signer.smtp.box.to(address) if "[" + agreed.reference + "]" in m.subject
               and ("signed by every party" in "".join(m.subject.split(" ")) or "signé" in m.subject
                    or "signed" in m.subject)]
        executed_mails = [m for m in got if any(p.get_filename() for p in m.message.iter_attachments())]
        assert len(executed_mails) == 1, address
        attachment = next(executed_mails[0].message.iter_attachments())
        assert attachment.get_content_type() == "application/pdf"
        assert hashlib.sha256(attachment.get_content()).hexdigest() == pdf_sha256
    assert not [m for m in signer.smtp.box.to(legal) if any(True for _ in m.message.iter_attachments())]
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Event.id)).where(Event.action == "sign")).scalar() == 3
