"""SPEC 2: a way back after agreement (issue 15).

``reopen`` (coordinating site's staff, with a reason) takes the coordinating track from signature back
to review in a new round; associated tracks in conformity or signature go back to waiting for the
coordinator; signatures recorded since ``agree`` are voided but stay in the history; the regulatory
ceiling keeps running. ``conformity_issue`` (associated site's staff, saying what differs) keeps the
associated track in conformity and tells the coordinating site, without moving its track.
"""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.helpers.clock import now
from tracker.errors import Conflict, Forbidden, InvalidInput
from tracker.extensions import db
from tracker.models import AuditEntry, OutboxMessage, User
from tracker.sla.state import contract_states

PARIS = ZoneInfo("Europe/Paris")
REASON = "The sponsor reopened the indemnity clause at signature."


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=PARIS)


def _agreed_and_partly_signed(flow) -> str:
    """Complete 9 March 2026, agreed 1 April; GR and IB each have signatures; IB's conformity confirmed."""
    reference = flow.contract(received_on=date(2026, 3, 5))
    flow.act(reference, "GR", "mark_complete", effective_at=at("2026-03-09 10:00"))
    flow.act(reference, "GR", "send_to_sponsor", effective_at=at("2026-03-10 10:00"))
    flow.act(reference, "GR", "agree", effective_at=at("2026-04-01 10:00"))
    flow.act(reference, "GR", "sign", party="institution", effective_at=at("2026-04-02 10:00"))
    flow.act(reference, "GR", "sign", party="sponsor", effective_at=at("2026-04-02 11:00"))
    flow.act(reference, "IB", "conformity_ok", effective_at=at("2026-04-02 12:00"))
    flow.act(reference, "IB", "sign", party="investigator", effective_at=at("2026-04-03 10:00"))
    return reference


def _tracks(flow, reference) -> dict:
    return {t.site.code: t for t in flow.get(reference).tracks}


def test_reopen_goes_back_to_review_in_a_new_round_and_voids_the_signatures(flow):
    reference = _agreed_and_partly_signed(flow)
    before = contract_states(flow.get(reference), now())
    ceilings = {t.site.code: before[t.id].regulatory_due_on for t in flow.get(reference).tracks}
    assert ceilings == {"GR": date(2026, 4, 23), "IB": date(2026, 4, 16)}

    event = flow.act(reference, "GR", "reopen", flow.actor("legal", "GR"), comment=REASON,
                     effective_at=at("2026-04-06 10:00"))
    tracks = _tracks(flow, reference)
    gr, ib = tracks["GR"], tracks["IB"]
    assert (event.from_stage, event.to_stage, event.comment) == ("signature", "review", REASON)
    assert (gr.stage, gr.round) == ("review", 2)
    assert ib.stage == "waiting_coordinator"
    assert set(gr.signatures.values()) == {None} and set(ib.signatures.values()) == {None}
    # Voided, not forgotten: the signatures stay in the event log and the audit says what was cleared.
    assert [e.party for e in gr.events if e.action == "sign"] == ["institution", "sponsor"]
    assert [e.action for e in ib.events][-1] == "coordinator_reopened" and ib.events[-1].comment == REASON
    cleared = db.session.execute(db.select(AuditEntry.field).where(
        AuditEntry.contract_id == gr.contract_id, AuditEntry.new_value.is_(None),
        AuditEntry.field.like("%_signed_at"))).scalars().all()
    assert sorted(cleared) == ["institution_signed_at", "investigator_signed_at", "sponsor_signed_at"]

    after = contract_states(flow.get(reference), now())
    # The ceilings keep running from their start; the review of a later round has 3 working days.
    assert {t.site.code: after[t.id].regulatory_due_on for t in tracks.values()} == ceilings
    assert after[gr.id].due_on == date(2026, 4, 9)
    assert flow.get(reference).status == "open"


def test_after_reopening_the_terms_are_agreed_again_and_signed_anew(flow):
    reference = _agreed_and_partly_signed(flow)
    flow.act(reference, "GR", "reopen", comment=REASON, effective_at=at("2026-04-06 10:00"))
    with pytest.raises(Conflict):
        flow.act(reference, "GR", "sign", party="investigator")
    flow.act(reference, "GR", "agree", effective_at=at("2026-04-07 10:00"))
    tracks = _tracks(flow, reference)
    assert (tracks["GR"].stage, tracks["IB"].stage) == ("signature", "conformity")
    states = contract_states(flow.get(reference), now())
    assert states[tracks["IB"].id].regulatory_due_on == date(2026, 4, 16)  # still from the first agreement
    for party in ("institution", "investigator", "sponsor"):
        flow.act(reference, "GR", "sign", party=party, effective_at=at("2026-04-08 10:00"))
    assert _tracks(flow, reference)["GR"].stage == "executed"


def test_reopen_leaves_an_executed_associated_site_executed(flow):
    reference = _agreed_and_partly_signed(flow)
    for party in ("institution", "sponsor"):
        flow.act(reference, "IB", "sign", party=party, effective_at=at("2026-04-03 11:00"))
    flow.act(reference, "GR", "reopen", comment=REASON, effective_at=at("2026-04-06 10:00"))
    tracks = _tracks(flow, reference)
    assert (tracks["GR"].stage, tracks["IB"].stage) == ("review", "executed")
    assert None not in tracks["IB"].signatures.values()


@pytest.mark.parametrize("action", ["reopen", "conformity_issue"])
@pytest.mark.parametrize("reason", [None, "", "  \n "])
def test_reopen_and_conformity_issue_need_a_reason(flow, action, reason):
    reference = _agreed_and_partly_signed(flow) if action == "reopen" else _in_conformity(flow)
    site = "GR" if action == "reopen" else "IB"
    before = flow.counts(reference)
    with pytest.raises(InvalidInput) as info:
        flow.act(reference, site, action, comment=reason)
    assert "comment" in info.value.errors
    assert flow.counts(reference) == before


def test_only_the_coordinating_sites_staff_reopen(flow):
    reference = _agreed_and_partly_signed(flow)
    before = flow.counts(reference)
    for actor in (flow.actor("legal", "IB"), flow.actor("manager", "IB"), flow.sponsor(),
                  flow.actor("sponsor", sponsor_id=flow.other_sponsor_id)):
        with pytest.raises(Forbidden):
            flow.act(reference, "GR", "reopen", actor, comment=REASON)
    with pytest.raises(Conflict, match="coordinating"):
        flow.act(reference, "IB", "reopen", flow.actor("legal", "IB"), comment=REASON)
    assert flow.counts(reference) == before
    flow.act(reference, "GR", "reopen", flow.actor("manager", "GR"), comment=REASON)


def _in_conformity(flow) -> str:
    reference = flow.contract(received_on=date(2026, 3, 5))
    flow.act(reference, "GR", "mark_complete", effective_at=at("2026-03-09 10:00"))
    flow.act(reference, "GR", "agree", effective_at=at("2026-04-01 10:00"))
    return reference


def test_a_conformity_issue_tells_the_coordinating_site_without_moving_its_track(flow, make_user):
    owner = flow.user(make_user, "legal", "GR", language="en")
    other_legal = flow.user(make_user, "legal", "GR")
    flow.user(make_user, "legal", "IB")
    reference = _in_conformity(flow)
    coordinating = _tracks(flow, reference)["GR"]
    coordinating.owner_id = db.session.execute(db.select(User.id).where(User.email == owner)).scalar_one()
    db.session.commit()
    versions = {code: t.version for code, t in _tracks(flow, reference).items()}
    issue = "Article 7 carries an insurance amount of 3 M EUR instead of the agreed 5 M EUR."

    event = flow.act(reference, "IB", "conformity_issue", flow.actor("legal", "IB"), comment=issue,
                     effective_at=at("2026-04-02 10:00"))
    tracks = _tracks(flow, reference)
    assert (event.from_stage, event.to_stage, event.comment) == ("conformity", "conformity", issue)
    assert (tracks["GR"].stage, tracks["GR"].version, tracks["GR"].events[-1].action) == (
        "signature", versions["GR"], "agree")
    assert tracks["IB"].stage == "conformity" and tracks["IB"].version > versions["IB"]
    states = contract_states(flow.get(reference), now())
    assert states[tracks["IB"].id].due_on == date(2026, 4, 3)  # the conformity check's clock goes on

    (notice,) = db.session.execute(db.select(OutboxMessage).where(
        OutboxMessage.kind == "conformity_issue")).scalars().all()
    assert (notice.kind, notice.to_address, notice.track_id) == ("conformity_issue", owner, tracks["GR"].id)
    assert issue in notice.body_text and "Institut Bergonié" in notice.subject
    assert "On Apr 2, 2026, Institut Bergonié reported" in notice.body_text
    assert other_legal not in {notice.to_address}

    # Reported again after a fix that still differs: a second notice, not a duplicate key.
    flow.act(reference, "IB", "conformity_issue", flow.actor("manager", "IB"), comment="Still 3 M EUR.")
    assert db.session.execute(db.select(db.func.count(OutboxMessage.id)).where(
        OutboxMessage.kind == "conformity_issue")).scalar() == 2


def test_a_conformity_issue_goes_to_all_legal_staff_of_a_coordinator_without_owner(flow, make_user):
    legal = sorted([flow.user(make_user, "legal", "GR"), flow.user(make_user, "legal", "GR")])
    flow.user(make_user, "manager", "GR")
    reference = _in_conformity(flow)
    flow.act(reference, "IB", "conformity_issue", comment="The budget annex differs.")
    sent_to = sorted(db.session.execute(db.select(OutboxMessage.to_address).where(
        OutboxMessage.kind == "conformity_issue")).scalars())
    assert sent_to == legal


def test_only_the_associated_sites_staff_report_a_conformity_issue(flow):
    reference = _in_conformity(flow)
    before = flow.counts(reference)
    for actor in (flow.actor("legal", "GR"), flow.actor("manager", "GR"), flow.sponsor()):
        with pytest.raises(Forbidden):
            flow.act(reference, "IB", "conformity_issue", actor, comment="Differs.")
    with pytest.raises(Conflict, match="associated"):
        flow.act(reference, "GR", "conformity_issue", comment="Differs.")
    flow.act(reference, "IB", "conformity_ok")
    with pytest.raises(Conflict):
        flow.act(reference, "IB", "conformity_issue", comment="Too late: the track is in signature.")
    assert flow.counts(reference)["events"] == before["events"] + 1
