"""SPEC 5c: the three parties of each site sign in any order, from the links and codes their e-mails carry;
each site's track is executed after its third signature, and the contract after both sites."""
from __future__ import annotations

from itertools import permutations

import pytest

from tests.helpers.actors import STAFF
from tests.helpers.documents import needs_soffice
from tests.helpers.signing import PEOPLE, name_all, track_of
from tracker.database import utcnow
from tracker.signing import signatories
from tracker.extensions import db
from tracker.models import Contract, Event, OutboxMessage
from tracker.models.signing import ExecutedAgreement, Signature

ORDERS = list(permutations(("institution", "investigator", "sponsor")))


@needs_soffice
@pytest.mark.parametrize("order", ORDERS, ids=["-".join(p[:3] for p in o) for o in ORDERS])
def test_three_parties_sign_in_any_order_at_two_sites(app, agreed, signer, order):
    name_all(app, agreed.reference)
    # Another person signs for the sponsor at IB, so that each site's three signatures stand apart (the same
    # person at both sites signs both at once: test_one_session); Laura Novak gets a GR link of her own back.
    with app.app_context():
        track = track_of(agreed.reference, "IB")
        wanted = signatories.parse(track, {"party": "sponsor", "name": "Marc Petit", "email": "mpetit@novacure.test",
                                           "language": "en"})
        signatories.name(track, wanted, actor=STAFF, now=utcnow())
        db.session.commit()
    people = {"GR": PEOPLE["GR"], "IB": {**PEOPLE["IB"], "sponsor": ("Marc Petit", "mpetit@novacure.test")}}
    for site in ("GR", "IB"):
        for step, party in enumerate(order, start=1):
            person, email = people[site][party]
            _path, answer = signer.sign(email, person, site)
            assert answer.status_code == 200, answer.get_data(as_text=True)[:800]
            assert "Your signature is recorded" in answer.get_data(as_text=True)
            with app.app_context():
                track = track_of(agreed.reference, site)
                signed = [p for p, at in track.signatures.items() if at]
                assert sorted(signed) == sorted(order[:step])
                assert track.stage == ("executed" if step == 3 else "signature")
                contract = track.contract
                assert contract.executed_sites == f"{1 if site == 'IB' else 0}/2" if step < 3 else \
                    contract.executed_sites == ("1/2" if site == "GR" else "2/2")
    with app.app_context():
        contract = db.session.execute(db.select(Contract).where(Contract.reference == agreed.reference)).scalar_one()
        assert contract.status == "executed"
        events = db.session.execute(db.select(Event).where(Event.contract_id == contract.id,
                                                           Event.action == "sign")).scalars().all()
        assert len(events) == 6 and all(e.actor_id is None for e in events)
        signatures = db.session.execute(db.select(Signature)).scalars().all()
        assert len(signatures) == 6 and {s.method for s in signatures} == {"online"}
        assert {s.event_id for s in signatures} == {e.id for e in events}
        assert all(s.ip_address == "192.0.2.10" and s.user_agent == "SignerTest/1.0" for s in signatures)
        agreements = db.session.execute(db.select(ExecutedAgreement)).scalars().all()
        assert len(agreements) == 2
        assert all(a.document.content.startswith(b"%PDF-") for a in agreements)
        copies = db.session.execute(db.select(OutboxMessage).where(OutboxMessage.kind == "signing_executed")
                                    ).scalars().all()
        assert len(copies) == 6  # every party of each site
    signer.deliver()
    for site in ("GR", "IB"):
        for _person, email in people[site].values():
            assert signer.mails(email, "is signed by every party")
