"""SPEC 4: a negotiation round beyond the policy's limit escalates to the managers, queued by the action
that starts the round, in its own transaction - not by a sweep that may never see the round
(issue 15: "a round that ends before the next sweep escalates nothing").
"""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tracker import audit
from tracker.extensions import db
from tracker.models import Contract
from tracker.pipeline.operations import apply_action
from tracker.sla.operations import save_policy
from tracker.sla.policy import DEFAULTS

from tests.helpers.actors import ADMIN
from tests.helpers.clock import paris


def _three_rounds(desk) -> str:
    reference = desk.contract("2026-10-01")
    desk.act(reference, "mark_complete", "2026-10-05 09:00")
    for day in (5, 6, 7):
        desk.act(reference, "send_to_sponsor", f"2026-10-0{day} 10:00")
        desk.act(reference, "sponsor_replied", f"2026-10-0{day} 15:00")
    return reference


def test_the_fourth_send_to_sponsor_queues_the_escalation_itself(desk, smtp):
    legal = desk.make_user("legal", "GR")
    managers = [desk.make_user("manager", "GR") for _ in range(2)]
    desk.make_user("manager", "IB")  # another site's manager hears nothing
    reference = _three_rounds(desk)
    assert desk.outbox() == []

    desk.act(reference, "send_to_sponsor", "2026-10-08 10:00")  # round 4 starts; no sweep ever runs
    assert desk.alerts() == sorted(("escalation", m) for m in managers)
    assert {row["key"].split(":")[2] for row in desk.outbox()} == {"round4"}
    # The round ends before anything else runs: the escalation is still owed.
    desk.act(reference, "sponsor_replied", "2026-10-08 11:00")
    desk.act(reference, "agree", "2026-10-08 12:00")

    assert desk.send("2026-10-08 16:00") == (2, 0)
    # The legal user hears of the sponsor's replies (notifications), not of the escalation.
    addresses = {r for m in smtp.received for r in m.rcpt_tos}
    assert sorted(a for a in addresses for _ in desk.alert_mails(smtp, a)) == sorted(managers)
    (mail,) = desk.alert_mails(smtp, managers[0])
    text = mail.part("plain")
    assert "tour de négociation 4" in mail.subject
    assert "Le tour de négociation 4 a commencé le 8 oct. 2026" in text
    assert "au-delà de la limite de 3 tours" in text
    assert not desk.alert_mails(smtp, legal)


def test_a_fifth_round_escalates_again_and_sweeps_add_nothing(desk, smtp):
    manager = desk.make_user("manager", "GR")
    reference = _three_rounds(desk)
    desk.act(reference, "send_to_sponsor", "2026-10-08 10:00")
    desk.act(reference, "sponsor_replied", "2026-10-08 11:00")
    desk.act(reference, "send_to_sponsor", "2026-10-08 12:00")
    for when in ("2026-10-08 12:05", "2026-10-08 12:10"):
        desk.sweep(when)
    escalations = desk.outbox(kind="escalation")
    assert [(row["email"], row["key"].split(":")[2]) for row in escalations] == [(manager, "round4"), (manager, "round5")]


def test_the_escalation_is_written_in_the_actions_transaction(app, desk):
    desk.make_user("manager", "GR")
    reference = _three_rounds(desk)
    with app.app_context():
        contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
        apply_action(contract.coordinating_track, "send_to_sponsor", actor=ADMIN, now=datetime.now(timezone.utc),
                     effective_at=paris("2026-10-08 10:00"))
        db.session.rollback()  # the request failed after the action: neither it nor its alert remains
    assert desk.outbox() == []
    desk.act(reference, "send_to_sponsor", "2026-10-08 10:00")
    assert [row["kind"] for row in desk.outbox()] == ["escalation"]


def test_reopening_after_agreement_starts_a_round_that_may_escalate(desk, smtp):
    manager = desk.make_user("manager", "GR")
    reference = _three_rounds(desk)
    desk.act(reference, "agree", "2026-10-08 09:00")
    assert desk.outbox() == []
    desk.act(reference, "reopen", "2026-10-09 09:00", comment="The sponsor reopened the indemnity clause.")
    assert desk.alerts() == [("escalation", manager)]
    assert desk.send("2026-10-09 09:01") == (1, 0)
    assert smtp.box.to(manager)


def test_a_reopening_within_the_limit_escalates_nothing(desk):
    desk.make_user("manager", "GR")
    reference = desk.contract("2026-10-01")
    desk.act(reference, "mark_complete", "2026-10-05 09:00")
    desk.act(reference, "send_to_sponsor", "2026-10-05 10:00")
    desk.act(reference, "agree", "2026-10-06 10:00")
    desk.act(reference, "reopen", "2026-10-07 10:00", comment="A typo in the budget annex.")  # round 2
    assert desk.outbox() == []


def test_the_limit_is_the_policy_in_force_when_the_round_starts(app, desk):
    manager = desk.make_user("manager", "GR")
    with app.app_context():
        save_policy({**DEFAULTS, "round_limit": 1}, actor=audit.SYSTEM, now=datetime.now(timezone.utc))
        db.session.commit()
    reference = desk.contract("2026-10-01")
    desk.act(reference, "mark_complete", "2026-10-05 09:00")
    desk.act(reference, "send_to_sponsor", "2026-10-05 10:00")
    assert desk.outbox() == []
    desk.act(reference, "sponsor_replied", "2026-10-05 11:00")
    desk.act(reference, "send_to_sponsor", "2026-10-05 12:00")  # round 2 is beyond a limit of 1
    assert desk.alerts() == [("escalation", manager)]


@pytest.mark.parametrize("then", ["cancel", "nothing"])
def test_a_cancelled_contract_drops_its_pending_round_escalation(desk, smtp, then):
    desk.make_user("manager", "GR")
    reference = _three_rounds(desk)
    desk.act(reference, "send_to_sponsor", "2026-10-08 20:00")  # after hours: waits for Friday 08:00
    if then == "cancel":
        desk.act(reference, "cancel", "2026-10-08 21:00", comment="The sponsor stopped the programme.")
    sent, _failed = desk.send("2026-10-09 08:00")
    assert [row["status"] for row in desk.outbox(kind="escalation")] == (
        ["superseded"] if then == "cancel" else ["sent"])
    assert sent == (0 if then == "cancel" else 1)
