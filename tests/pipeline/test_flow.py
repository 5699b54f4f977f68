"""The two-site pipeline end to end through apply_action: paths, rounds, signatures, cancelling."""
from __future__ import annotations

from datetime import timedelta
from itertools import permutations

import pytest

from tests.helpers.clock import now
from tracker.errors import Conflict, InvalidInput
from tracker.extensions import db
from tracker.models import AuditEntry, Event, Site
from tracker.stages.rules import holder

SIGN_ALL = [("sign", "institution"), ("sign", "investigator"), ("sign", "sponsor")]


def _sign_all(flow, reference, site):
    for _action, party in SIGN_ALL:
        flow.act(reference, site, "sign", party=party)


def _to_signature(flow, reference):
    flow.act(reference, "GR", "mark_complete")
    flow.act(reference, "GR", "agree")


def test_coordinator_finishes_first_then_the_associated_site(flow):
    reference = flow.contract()
    assert (flow.get(reference).status, flow.get(reference).executed_sites) == ("open", "0/2")
    _to_signature(flow, reference)
    flow.act(reference, "IB", "conformity_ok")
    _sign_all(flow, reference, "GR")
    contract = flow.get(reference)
    assert {t.site.code: t.stage for t in contract.tracks} == {"GR": "executed", "IB": "signature"}
    assert (contract.status, contract.executed_sites) == ("open", "1/2")
    _sign_all(flow, reference, "IB")
    contract = flow.get(reference)
    assert (contract.status, contract.executed_sites) == ("executed", "2/2")
    status_rows = db.session.execute(db.select(AuditEntry).where(
        AuditEntry.entity == "contract", AuditEntry.field == "status",
        AuditEntry.contract_id == contract.id)).scalars().all()
    assert [(r.old_value, r.new_value) for r in status_rows] == [(None, "open"), ("open", "executed")]


def test_associated_site_finishes_first_then_the_coordinator(flow):
    reference = flow.contract()
    _to_signature(flow, reference)
    flow.act(reference, "IB", "conformity_ok")
    _sign_all(flow, reference, "IB")
    contract = flow.get(reference)
    assert {t.site.code: t.stage for t in contract.tracks} == {"GR": "signature", "IB": "executed"}
    assert (contract.status, contract.executed_sites) == ("open", "1/2")
    flow.act(reference, "GR", "sign", party="sponsor")
    flow.act(reference, "GR", "sign", party="institution")
    assert flow.get(reference).status == "open"
    flow.act(reference, "GR", "sign", party="investigator")
    contract = flow.get(reference)
    assert (contract.status, contract.executed_sites) == ("executed", "2/2")


@pytest.mark.parametrize("site", ["GR", "IB"])
def test_single_site_contract(flow, site):
    reference = flow.contract(sites=(site,), coordinating=site)
    contract = flow.get(reference)
    assert [(t.site.code, t.role, t.stage) for t in contract.tracks] == [(site, "coordinating", "completeness")]
    assert contract.executed_sites == "0/1"
    flow.act(reference, site, "mark_incomplete")
    flow.act(reference, site, "submit_documents", flow.sponsor())
    flow.act(reference, site, "mark_complete")
    flow.act(reference, site, "agree")
    _sign_all(flow, reference, site)
    contract = flow.get(reference)
    assert (contract.status, contract.executed_sites) == ("executed", "1/1")
    assert flow.actions(reference, site) == [
        "receive", "mark_incomplete", "submit_documents", "mark_complete", "agree", "sign", "sign", "sign"]


def test_each_send_to_the_sponsor_starts_a_new_round(flow):
    reference = flow.contract()
    flow.act(reference, "GR", "mark_complete")
    assert flow.track(reference, "GR").round == 0
    for expected in (1, 2, 3):
        event = flow.act(reference, "GR", "send_to_sponsor")
        assert event.round == expected and flow.track(reference, "GR").round == expected
        if expected < 3:
            replied = flow.act(reference, "GR", "sponsor_replied", flow.sponsor())
            assert replied.round == expected  # a reply does not start a round
    flow.act(reference, "GR", "agree")  # agreed while the sponsor held the last draft
    track = flow.track(reference, "GR")
    assert (track.stage, track.round) == ("signature", 3)
    rounds = db.session.execute(db.select(AuditEntry.old_value, AuditEntry.new_value).where(
        AuditEntry.entity == "track", AuditEntry.entity_id == str(track.id), AuditEntry.field == "round")
        .order_by(AuditEntry.id)).all()
    assert [tuple(r) for r in rounds] == [("0", "1"), ("1", "2"), ("2", "3")]
    # The associated track never negotiates.
    assert flow.track(reference, "IB").round == 0


@pytest.fixture
def third_site(ctx):
    site = Site(code="LY", name="Centre Léon Bérard", legal_name="Centre Léon Bérard", address="28 rue Laennec, Lyon",
                finess="690000880", siret="77962345300015", representative="Directeur général",
                timezone="Europe/Paris", country="FR")
    db.session.add(site)
    db.session.commit()
    return site.code


def test_agreement_opens_conformity_on_every_waiting_associated_track(flow, third_site):
    reference = flow.contract(sites=("GR", "IB", third_site))
    flow.act(reference, third_site, "cancel", comment="Site closed the trial unit")
    flow.act(reference, "GR", "mark_complete")
    flow.act(reference, "GR", "send_to_sponsor")
    assert flow.track(reference, "IB").stage == "waiting_coordinator"
    assert holder("waiting_coordinator") == "coordinator"
    agreed = flow.act(reference, "GR", "agree")
    contract = flow.get(reference)
    assert {t.site.code: t.stage for t in contract.tracks} == {
        "GR": "signature", "IB": "conformity", third_site: "cancelled"}
    follow = flow.track(reference, "IB").events[-1]
    assert (follow.action, follow.from_stage, follow.to_stage) == ("open_conformity", "waiting_coordinator",
                                                                   "conformity")
    assert follow.effective_at == agreed.effective_at
    assert flow.track(reference, "IB").stage_entered_at == agreed.effective_at
    assert flow.actions(reference, third_site)[-1] == "cancel"  # a cancelled track stays cancelled
    # A site that left does not hold the contract back.
    flow.act(reference, "IB", "conformity_ok")
    _sign_all(flow, reference, "GR")
    _sign_all(flow, reference, "IB")
    assert flow.get(reference).status == "executed"


@pytest.mark.parametrize("order", list(permutations(["institution", "investigator", "sponsor"])))
def test_signatures_in_any_order_and_who_holds_the_track(flow, order):
    reference = flow.contract()
    _to_signature(flow, reference)
    track = flow.track(reference, "GR")
    assert holder(track.stage, track.signatures) == "site"
    signed = set()
    for party in order:
        flow.act(reference, "GR", "sign", party=party)
        signed.add(party)
        track = flow.track(reference, "GR")
        assert {p for p, when in track.signatures.items() if when} == signed
        if len(signed) < 3:
            assert track.stage == "signature"
            site_missing = not {"institution", "investigator"} <= signed
            assert holder(track.stage, track.signatures) == ("site" if site_missing else "sponsor")
    assert (track.stage, holder(track.stage, track.signatures)) == ("executed", None)
    events = track.events[-3:]
    assert [e.party for e in events] == list(order)
    assert [e.to_stage for e in events] == ["signature", "signature", "executed"]


def test_a_signature_is_recorded_once(flow):
    reference = flow.contract()
    _to_signature(flow, reference)
    flow.act(reference, "GR", "sign", party="institution")
    before = flow.counts(reference)
    with pytest.raises(Conflict, match="already recorded"):
        flow.act(reference, "GR", "sign", party="institution")
    assert flow.counts(reference) == before


@pytest.mark.parametrize("party", [None, "", "witness"])
def test_sign_must_say_who_signed(flow, party):
    reference = flow.contract()
    _to_signature(flow, reference)
    before = flow.counts(reference)
    with pytest.raises(InvalidInput) as info:
        flow.act(reference, "GR", "sign", party=party)
    assert "party" in info.value.errors
    assert flow.counts(reference) == before


def test_party_is_kept_only_on_signatures(flow):
    reference = flow.contract()
    event = flow.act(reference, "GR", "mark_complete", party="sponsor")
    assert event.party is None


def test_cancelling_the_coordinating_track_cancels_the_contract_with_its_reason(flow):
    reference = flow.contract()
    flow.act(reference, "GR", "mark_complete")
    manager = flow.actor("manager", "GR")
    event = flow.act(reference, "GR", "cancel", manager, comment="Programme stopped by the sponsor")
    contract = flow.get(reference)
    assert contract.status == "cancelled"
    assert {t.site.code: t.stage for t in contract.tracks} == {"GR": "cancelled", "IB": "cancelled"}
    assert event.comment == "Programme stopped by the sponsor"
    assert flow.track(reference, "IB").events[-1].comment == "Programme stopped by the sponsor"
    reasons = db.session.execute(db.select(AuditEntry.reason).where(
        AuditEntry.contract_id == contract.id, AuditEntry.field == "stage", AuditEntry.new_value == "cancelled")
    ).scalars().all()
    assert reasons == ["Programme stopped by the sponsor"] * 2
    with pytest.raises(Conflict):
        flow.act(reference, "GR", "mark_complete")


def test_cancelling_an_associated_track_leaves_the_others_going(flow):
    reference = flow.contract()
    flow.act(reference, "IB", "cancel", flow.actor("manager", "IB"), comment="Investigator left")
    contract = flow.get(reference)
    assert contract.status == "open"
    assert {t.site.code: t.stage for t in contract.tracks} == {"GR": "completeness", "IB": "cancelled"}
    flow.act(reference, "GR", "mark_complete")


@pytest.mark.parametrize("reason", [None, "", "   \n"])
def test_cancel_needs_a_reason(flow, reason):
    reference = flow.contract()
    before = flow.counts(reference)
    with pytest.raises(InvalidInput) as info:
        flow.act(reference, "GR", "cancel", comment=reason)
    assert "comment" in info.value.errors and "reason" in info.value.errors["comment"]
    assert flow.counts(reference) == before


def test_unknown_action_is_invalid_input_and_changes_nothing(flow):
    reference = flow.contract()
    before = flow.counts(reference)
    for action in ("approve", "receive", "open_conformity", ""):
        with pytest.raises(InvalidInput) as info:
            flow.act(reference, "GR", action)
        assert "action" in info.value.errors and "mark_complete" in info.value.errors["action"]
    assert flow.counts(reference) == before


def test_stale_version_is_a_conflict_asking_to_reload(flow):
    reference = flow.contract()
    version = flow.track(reference, "GR").version
    flow.act(reference, "GR", "mark_incomplete", expected_version=version)
    before = flow.counts(reference)
    with pytest.raises(Conflict, match="reload"):
        flow.act(reference, "GR", "submit_documents", expected_version=version)
    assert flow.counts(reference) == before
    flow.act(reference, "GR", "submit_documents", expected_version=flow.track(reference, "GR").version)


# -- effective_at -----------------------------------------------------------------------------------

def test_effective_at_defaults_to_now_and_recorded_at_is_server_time(flow):
    reference = flow.contract()
    moment = now()
    event = flow.act(reference, "GR", "mark_complete", now=moment)
    db.session.expire_all()
    stored = db.session.get(Event, event.id)
    assert stored.effective_at == moment and stored.recorded_at == moment
    assert stored.effective_at.utcoffset() == timedelta(0)


def test_effective_at_in_another_zone_is_the_same_instant(flow):
    from zoneinfo import ZoneInfo

    reference = flow.contract()
    moment = now()
    new_york = (moment - timedelta(hours=2)).astimezone(ZoneInfo("America/New_York"))
    event = flow.act(reference, "GR", "mark_complete", now=moment, effective_at=new_york)
    db.session.expire_all()
    stored = db.session.get(Event, event.id)
    assert stored.effective_at == new_york and stored.recorded_at == moment
    assert flow.track(reference, "GR").stage_entered_at == new_york


def test_effective_at_may_equal_the_previous_event(flow):
    reference = flow.contract()
    first = flow.act(reference, "GR", "mark_complete")
    second = flow.act(reference, "GR", "send_to_sponsor", effective_at=first.effective_at)
    assert second.effective_at == first.effective_at


@pytest.mark.parametrize("case", ["future", "before_previous", "naive"])
def test_effective_at_out_of_bounds_is_refused_and_changes_nothing(flow, case):
    reference = flow.contract()
    previous = flow.act(reference, "GR", "mark_complete").effective_at
    moment = now()
    effective_at = {
        "future": moment + timedelta(minutes=2),
        "before_previous": previous - timedelta(microseconds=1),
        "naive": moment.replace(tzinfo=None),
    }[case]
    before = flow.counts(reference)
    with pytest.raises(InvalidInput) as info:
        flow.act(reference, "GR", "send_to_sponsor", now=moment, effective_at=effective_at)
    message = info.value.errors["effective_at"]
    assert {"future": "future", "before_previous": "previous event", "naive": "time zone"}[case] in message
    assert flow.counts(reference) == before


def test_a_clock_a_few_seconds_ahead_means_now(flow):
    reference = flow.contract()
    moment = now()
    event = flow.act(reference, "GR", "mark_complete", now=moment, effective_at=moment + timedelta(seconds=20))
    assert event.effective_at == moment


def test_effective_at_before_the_received_date_is_refused(flow):
    reference = flow.contract()
    received = flow.track(reference, "GR").events[0].effective_at
    with pytest.raises(InvalidInput):
        flow.act(reference, "GR", "mark_complete", effective_at=received - timedelta(days=1))


def test_cancel_cannot_predate_an_event_on_the_tracks_it_cancels(flow):
    reference = flow.contract()
    agreed = flow.act(reference, "GR", "mark_complete")
    agreed = flow.act(reference, "GR", "agree")
    flow.act(reference, "IB", "conformity_ok")
    before = flow.counts(reference)
    # After the agreement on GR's own track, but before IB's latest event.
    with pytest.raises(InvalidInput) as info:
        flow.act(reference, "GR", "cancel", comment="Stopped", effective_at=agreed.effective_at)
    assert "previous event" in info.value.errors["effective_at"]
    assert flow.counts(reference) == before


# -- audit ----------------------------------------------------------------------------------------

def test_each_change_is_audited_with_who_what_and_why(flow):
    reference = flow.contract()
    track = flow.track(reference, "GR")
    start = db.session.execute(db.select(db.func.max(AuditEntry.id))).scalar()
    legal = flow.actor("legal", "GR")
    flow.act(reference, "GR", "mark_complete", legal, comment="All documents in")
    rows = db.session.execute(db.select(AuditEntry).where(AuditEntry.id > start).order_by(AuditEntry.id)
                              ).scalars().all()
    assert [(r.entity, r.entity_id, r.field, r.old_value, r.new_value) for r in rows] == [
        ("track", str(track.id), "stage", "completeness", "review")]
    row = rows[0]
    assert (row.actor_email, row.actor_role, row.actor_site, row.reason) == (
        legal.email, "legal", "GR", "All documents in")
    assert row.contract_id == track.contract_id


def test_a_rolled_back_action_leaves_neither_event_nor_audit(flow):
    from tracker.pipeline.operations import apply_action

    reference = flow.contract()
    before = flow.counts(reference)
    apply_action(flow.track(reference, "GR"), "mark_complete", actor=flow.admin, now=now())
    assert flow.counts(reference) != before  # written in the open transaction...
    db.session.rollback()
    assert flow.counts(reference) == before  # ...and gone with it


def test_audit_rows_written_with_a_non_utc_clock_still_verify(flow):
    from zoneinfo import ZoneInfo

    from tracker import audit

    reference = flow.contract()
    paris_now = now().astimezone(ZoneInfo("Europe/Paris"))
    flow.act(reference, "GR", "mark_complete", now=paris_now)
    db.session.expire_all()
    assert audit.verify(db.session) is None
