"""A small world of two competing sponsors, their contracts at both sites, and the people of each side.

Novacure's contract has a draft generated, the coordinating site's file complete and the
draft sent to the sponsor, so the portal has something to show, download and answer.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.alerts.conftest import smtp  # noqa: F401  (a real SMTP server on loopback)
from tests.helpers.portal import World


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
