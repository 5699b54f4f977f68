"""Every row of the action table of SPEC 2, for every kind of person, from every stage.

The expectations are written out here from the specification, not read from
``tracker.stages.rules``, so a wrong row in the engine's table fails a test.
"""
from __future__ import annotations

import pytest

from tests.helpers.clock import now
from tracker.errors import Conflict, Forbidden
from tracker.extensions import db
from tracker.pipeline.operations import apply_action
from tracker.stages.rules import STAGE_LABELS

STAFF = {"admin", "manager", "legal"}
SPONSOR = {"sponsor"}
MANAGERS = {"admin", "manager"}

# action: (stages it starts from, the only track role it applies to, stage it leads to, who may take it)
TABLE = {
    "mark_incomplete": ({"completeness"}, "coordinating", "awaiting_documents", STAFF),
    "submit_documents": ({"awaiting_documents"}, "coordinating", "completeness", STAFF | SPONSOR),
    "mark_complete": ({"completeness"}, "coordinating", "review", STAFF),
    "send_to_sponsor": ({"review"}, "coordinating", "with_sponsor", STAFF),
    "sponsor_replied": ({"with_sponsor"}, "coordinating", "review", STAFF | SPONSOR),
    "agree": ({"review", "with_sponsor"}, "coordinating", "signature", STAFF),
    "conformity_ok": ({"conformity"}, "associated", "signature", STAFF),
    "sign": ({"signature"}, None, "signature", STAFF | SPONSOR),
    "reopen": ({"signature"}, "coordinating", "review", STAFF),
    "conformity_issue": ({"conformity"}, "associated", "conformity", STAFF),
    "cancel": ({"completeness", "awaiting_documents", "review", "with_sponsor", "waiting_coordinator",
                "conformity", "signature"}, None, "cancelled", MANAGERS),
}

# Where the test puts a track before trying the action: (site, role of its track, stage).
POSITIONS = [("GR", "coordinating", s) for s in (
    "completeness", "awaiting_documents", "review", "with_sponsor", "signature", "executed", "cancelled")] + [
    ("IB", "associated", s) for s in ("waiting_coordinator", "conformity", "signature", "executed", "cancelled")]

# The people who try: the track's own site staff, another site's staff, admin, and sponsor users.
ROLES = ["admin", "manager", "legal", "legal_other", "manager_other", "sponsor", "sponsor_other"]
OTHER_SITE = {"GR": "IB", "IB": "GR"}


def _actor(flow, role, site):
    if role in ("manager", "legal"):
        return flow.actor(role, site)
    if role in ("legal_other", "manager_other"):
        return flow.actor(role.split("_")[0], OTHER_SITE[site])
    if role == "sponsor":
        return flow.actor("sponsor", sponsor_id=flow.sponsor_id)
    if role == "sponsor_other":
        return flow.actor("sponsor", sponsor_id=flow.other_sponsor_id)
    return flow.admin


# The actions that need a reason, and one each.
REASONS = {"cancel": "The sponsor stopped the programme.",
           "reopen": "The sponsor reopened the indemnity clause at signature.",
           "conformity_issue": "Article 7 of our contract does not carry the agreed insurance amount."}


def _expected(action, role, track_role, stage):
    sources, only_on, _target, who = TABLE[action]
    if role not in who:
        return "forbidden"
    if stage in sources and only_on in (None, track_role):
        return "done"
    return "conflict"


def _kwargs(action, role):
    if action == "sign":
        return {"party": "sponsor" if role.startswith("sponsor") else "institution"}
    if action in REASONS:
        return {"comment": REASONS[action]}
    return {}


@pytest.fixture
def positions(flow):
    """One contract per position, driven there by the real actions."""
    prepared = []
    for site, track_role, stage in POSITIONS:
        reference = flow.contract()
        assert flow.drive(reference, site, stage).role == track_role
        prepared.append((reference, site, track_role, stage))
    db.session.commit()
    return prepared


def _attempt(flow, reference, site, action, actor, **kw):
    """Try the action inside a savepoint that is always rolled back, so one contract serves every try."""
    track = flow.track(reference, site)
    before = flow.counts(reference)
    savepoint = db.session.begin_nested()
    try:
        event = apply_action(track, action, actor=actor, now=now(), **kw)
    except (Forbidden, Conflict) as exc:
        # Refused: nothing pending in the session, nothing written, nothing moved.
        assert not db.session.new and not db.session.dirty
        assert flow.counts(reference) == before
        assert exc.message.strip(), "a refusal must say why"
        return exc, None
    else:
        after = flow.track(reference, site)
        result = {"stage": after.stage, "from": event.from_stage, "to": event.to_stage,
                  "action": event.action, "counts": flow.counts(reference), "before": before,
                  "version": after.version}
        return None, result
    finally:
        if savepoint.is_active:
            savepoint.rollback()
        db.session.expire_all()


@pytest.mark.parametrize("action", sorted(TABLE))
def test_action_from_every_stage_for_every_role(flow, positions, action):
    for reference, site, track_role, stage in positions:
        for role in ROLES:
            expected = _expected(action, role, track_role, stage)
            error, done = _attempt(flow, reference, site, action, _actor(flow, role, site), **_kwargs(action, role))
            where = (action, role, site, stage)
            if expected == "forbidden":
                assert isinstance(error, Forbidden), where
            elif expected == "conflict":
                assert isinstance(error, Conflict), where
                # The message names the stage the track is in, or the track the action belongs to.
                assert str(STAGE_LABELS[stage]) in error.message or "track only" in error.message, error.message
            else:
                assert error is None, (where, error and error.message)
                assert done["stage"] == TABLE[action][2], where
                assert (done["action"], done["from"], done["to"]) == (action, stage, done["stage"])
                assert done["counts"]["events"] > done["before"]["events"]
                assert done["counts"]["audit"] > done["before"]["audit"]
                assert done["version"] > done["before"]["tracks"][site][2]
        # The savepoints left each prepared contract exactly where it was.
        assert flow.track(reference, site).stage == stage


def test_sponsor_user_records_only_the_sponsor_signature(flow):
    reference = flow.contract()
    flow.drive(reference, "GR", "signature")
    before = flow.counts(reference)
    for party in ("institution", "investigator"):
        with pytest.raises(Forbidden, match="sponsor's signature"):
            flow.act(reference, "GR", "sign", flow.sponsor(), party=party)
    assert flow.counts(reference) == before
    flow.act(reference, "GR", "sign", flow.sponsor(), party="sponsor")
    assert flow.track(reference, "GR").sponsor_signed_at is not None


def test_allowed_actions_offer_what_the_person_may_do_now(flow):
    from tracker.pipeline.permissions import allowed_actions

    def offered(actor, site):
        return sorted(rule.name for rule in allowed_actions(actor, flow.track(reference, site)))

    reference = flow.contract()
    legal_gr, legal_ib = flow.actor("legal", "GR"), flow.actor("legal", "IB")
    assert offered(legal_gr, "GR") == ["mark_complete", "mark_incomplete"]
    assert offered(flow.actor("manager", "GR"), "GR") == ["cancel", "mark_complete", "mark_incomplete"]
    assert offered(legal_ib, "GR") == [] and offered(legal_ib, "IB") == []
    assert offered(flow.sponsor(), "GR") == []
    flow.act(reference, "GR", "mark_incomplete")
    assert offered(flow.sponsor(), "GR") == ["submit_documents"]
    assert offered(flow.actor("sponsor", sponsor_id=flow.other_sponsor_id), "GR") == []
    flow.act(reference, "GR", "submit_documents")
    flow.act(reference, "GR", "mark_complete")
    flow.act(reference, "GR", "agree")
    assert offered(legal_ib, "IB") == ["conformity_issue", "conformity_ok"]
    assert offered(flow.sponsor(), "GR") == ["sign"]
    flow.act(reference, "GR", "sign", flow.sponsor(), party="sponsor")
    assert offered(flow.sponsor(), "GR") == []  # the sponsor's part is done
    assert offered(legal_gr, "GR") == ["reopen", "sign"]
