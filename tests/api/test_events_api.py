"""POST and GET /api/v1/contracts/REF/events over real HTTP (SPEC 5b)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tracker.extensions import db
from tracker.models import AuditEntry, Event


class People(dict):
    """API clients made on first use: hashing a password costs time, so only the ones a test needs."""

    def __init__(self, api, make_user):
        super().__init__()
        self._make = {
            "legal_gr": lambda: make_user("legal", "GR"),
            "legal_ib": lambda: make_user("legal", "IB"),
            "manager_gr": lambda: make_user("manager", "GR"),
            "admin": lambda: make_user("admin"),
            "sponsor": lambda: make_user("sponsor", sponsor="Novacure Oncology SA"),
            "other_sponsor": lambda: make_user("sponsor", sponsor="Helix Therapeutics Inc."),
        }
        self._api = api

    def __missing__(self, key):
        self[key] = self._api(self._make[key]())
        return self[key]


@pytest.fixture
def world(api, make_user, make_sponsor, make_contract):
    """A GR-coordinated contract with IB associated, and a client for each kind of person."""
    sponsor_id = make_sponsor("Novacure Oncology SA")
    make_sponsor("Helix Therapeutics Inc.", "US")
    return make_contract(sponsor_id), People(api, make_user)


def _post(client, reference, **body):
    return client.post(f"/contracts/{reference}/events", json=body)


def _events(client, reference):
    response = client.get(f"/contracts/{reference}/events")
    assert response.status_code == 200, response.text
    return response.json()["events"]


def _track(client, reference, site):
    return next(t for t in client.get(f"/contracts/{reference}").json()["tracks"] if t["site"] == site)


def _audit_count(app):
    with app.app_context():
        return db.session.execute(db.select(db.func.count(AuditEntry.id))).scalar()


def test_an_action_answers_201_with_the_event_and_moves_the_track(world):
    reference, c = world
    before = datetime.now(timezone.utc)
    response = _post(c["legal_gr"], reference, site="gr", action="mark_complete", comment="Complete file")
    assert response.status_code == 201, response.text
    event = response.json()
    assert {k: event[k] for k in ("site", "action", "from_stage", "to_stage", "party", "round", "comment")} == {
        "site": "GR", "action": "mark_complete", "from_stage": "completeness", "to_stage": "review",
        "party": None, "round": 0, "comment": "Complete file"}
    effective = datetime.fromisoformat(event["effective_at"])
    assert effective.utcoffset() is not None and before <= effective <= datetime.now(timezone.utc)
    assert event["effective_at"] == event["recorded_at"]  # defaults to now
    track = _track(c["legal_gr"], reference, "GR")
    assert (track["stage"], track["holder"], track["round"]) == ("review", "site", 0)
    assert _events(c["legal_gr"], reference)[-1]["id"] == event["id"]


def test_an_action_the_stage_does_not_allow_is_409_and_changes_nothing(app, world):
    reference, c = world
    legal_gr, legal_ib = c["legal_gr"], c["legal_ib"]  # made before counting: a new user is audited too
    before, audit_before = _events(c["admin"], reference), _audit_count(app)
    response = _post(legal_gr, reference, site="GR", action="send_to_sponsor")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "conflict"
    assert "Send the draft to the sponsor" in error["message"] and "Completeness check" in error["message"]
    response = _post(legal_ib, reference, site="IB", action="mark_complete")
    assert response.status_code == 409 and "coordinating" in response.json()["error"]["message"]
    assert _events(c["admin"], reference) == before and _audit_count(app) == audit_before
    assert _track(c["admin"], reference, "GR")["stage"] == "completeness"


@pytest.mark.parametrize("who, body, why", [
    ("legal_ib", {"site": "GR", "action": "mark_complete"}, "Gustave Roussy"),
    ("sponsor", {"site": "GR", "action": "mark_complete"}, "Only site staff"),
    ("legal_gr", {"site": "GR", "action": "cancel", "comment": "Stop"}, "manager"),
    ("legal_gr", {"site": "GR", "action": "cancel"}, "manager"),
])
def test_a_role_that_may_not_act_is_403_and_changes_nothing(app, world, who, body, why):
    reference, c = world
    client = c[who]
    before, audit_before = _events(c["admin"], reference), _audit_count(app)
    response = _post(client, reference, **body)
    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == "forbidden" and why in response.json()["error"]["message"]
    assert _events(c["admin"], reference) == before and _audit_count(app) == audit_before


def test_another_sponsors_contract_is_404(world):
    reference, c = world
    assert _post(c["other_sponsor"], reference, site="GR", action="submit_documents").status_code == 404
    assert c["other_sponsor"].get(f"/contracts/{reference}/events").status_code == 404


def test_staff_of_a_site_not_on_the_contract_get_404(world, make_contract):
    reference, c = world
    sponsor_id = c["admin"].get(f"/contracts/{reference}").json()["sponsor_id"]
    gr_only = make_contract(sponsor_id, sites=("GR",))
    assert _post(c["legal_ib"], gr_only, site="GR", action="mark_complete").status_code == 404
    assert c["legal_ib"].get(f"/contracts/{gr_only}/events").status_code == 404


def test_no_token_is_401(api, world):
    reference, _c = world
    assert _post(api(), reference, site="GR", action="mark_complete").status_code == 401


@pytest.mark.parametrize("body, field", [
    ({"site": "GR", "action": "approve"}, "action"),
    ({"site": "GR"}, "action"),
    ({"action": "mark_complete"}, "site"),
    ({"site": "XX", "action": "mark_complete"}, "site"),
    ({"site": "GR", "action": "mark_complete", "effective_at": "2026-03-09T10:00:00"}, "effective_at"),
    ({"site": "GR", "action": "mark_complete", "effective_at": "yesterday"}, "effective_at"),
    ({"site": "GR", "action": "mark_complete", "effective_at": 12}, "effective_at"),
    ({"site": "GR", "action": "mark_complete", "colour": "red"}, "colour"),
    ({"site": "GR", "action": "mark_complete", "comment": 5}, "comment"),
    ({"site": "GR", "action": "mark_complete", "for_sponsor": "yes"}, "for_sponsor"),
    ({"site": "GR", "action": "cancel"}, "comment"),
])
def test_invalid_input_is_422_naming_the_field(app, world, body, field):
    reference, c = world
    before, audit_before = _events(c["admin"], reference), _audit_count(app)
    response = _post(c["admin"], reference, **body)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_input" and field in error["fields"]
    assert _events(c["admin"], reference) == before and _audit_count(app) == audit_before


def test_effective_at_bounds(world):
    reference, c = world
    received = _events(c["admin"], reference)[0]["effective_at"]
    future = (datetime.now(timezone.utc) + timedelta(minutes=5)).isoformat()
    response = _post(c["legal_gr"], reference, site="GR", action="mark_complete", effective_at=future)
    assert response.status_code == 422 and "future" in response.json()["error"]["fields"]["effective_at"]
    too_early = (datetime.fromisoformat(received) - timedelta(hours=1)).isoformat()
    response = _post(c["legal_gr"], reference, site="GR", action="mark_complete", effective_at=too_early)
    assert response.status_code == 422 and "previous event" in response.json()["error"]["fields"]["effective_at"]
    # A time given with another zone's offset (New York in summer) is kept as that same instant.
    new_york = (datetime.now(timezone.utc) - timedelta(days=1)).replace(hour=22, minute=30, second=0,
                                                                      microsecond=0)
    stamp = new_york.astimezone(timezone(timedelta(hours=-4))).isoformat()
    response = _post(c["legal_gr"], reference, site="GR", action="mark_complete", effective_at=stamp)
    assert response.status_code == 201, response.text
    assert datetime.fromisoformat(response.json()["effective_at"]) == new_york
    response = _post(c["legal_gr"], reference, site="GR", action="send_to_sponsor",
                     effective_at=(new_york - timedelta(seconds=1)).isoformat().replace("+00:00", "Z"))
    assert response.status_code == 422


def test_events_are_listed_in_order(world):
    reference, c = world
    steps = [("legal_gr", "GR", "mark_incomplete", {}), ("sponsor", "GR", "submit_documents", {}),
             ("legal_gr", "GR", "mark_complete", {}), ("legal_gr", "GR", "send_to_sponsor", {}),
             ("sponsor", "GR", "sponsor_replied", {}), ("legal_gr", "GR", "agree", {}),
             ("legal_ib", "IB", "conformity_ok", {}), ("sponsor", "IB", "sign", {"party": "sponsor"})]
    for who, site, action, extra in steps:
        assert _post(c[who], reference, site=site, action=action, **extra).status_code == 201, (who, action)
    events = _events(c["legal_gr"], reference)
    assert [(e["site"], e["action"]) for e in events] == [
        ("GR", "receive"), ("IB", "receive"), ("GR", "mark_incomplete"), ("GR", "submit_documents"),
        ("GR", "mark_complete"), ("GR", "send_to_sponsor"), ("GR", "sponsor_replied"), ("GR", "agree"),
        ("IB", "open_conformity"), ("IB", "conformity_ok"), ("IB", "sign")]
    assert [e["round"] for e in events if e["site"] == "GR"][-3:] == [1, 1, 1]
    times = [e["effective_at"] for e in events]
    assert [datetime.fromisoformat(t) for t in times] == sorted(datetime.fromisoformat(t) for t in times)
    assert _events(c["sponsor"], reference) == [
        {k: v for k, v in e.items() if k not in ("actor", "comment_for_sponsor")} for e in events]


def test_sponsor_users_see_only_comments_meant_for_them(world):
    reference, c = world
    _post(c["legal_gr"], reference, site="GR", action="mark_complete", comment="Budget too low, push back")
    _post(c["legal_gr"], reference, site="GR", action="send_to_sponsor", comment="Please see clause 7",
          for_sponsor=True)
    _post(c["sponsor"], reference, site="GR", action="sponsor_replied", comment="Clause 7 accepted")
    staff = {e["action"]: e for e in _events(c["legal_gr"], reference)}
    assert staff["mark_complete"]["comment"] == "Budget too low, push back"
    assert staff["mark_complete"]["comment_for_sponsor"] is False
    assert staff["send_to_sponsor"]["comment_for_sponsor"] is True
    sponsor = {e["action"]: e for e in _events(c["sponsor"], reference)}
    assert sponsor["mark_complete"]["comment"] is None
    assert sponsor["send_to_sponsor"]["comment"] == "Please see clause 7"
    assert sponsor["sponsor_replied"]["comment"] == "Clause 7 accepted"  # their own words
    assert all("actor" not in e and "comment_for_sponsor" not in e for e in sponsor.values())
    body = c["sponsor"].get(f"/contracts/{reference}/events").text
    assert "push back" not in body


def test_two_site_execution_progress(world):
    reference, c = world
    for who, site, action in [("legal_gr", "GR", "mark_complete"), ("legal_gr", "GR", "agree"),
                              ("legal_ib", "IB", "conformity_ok")]:
        assert _post(c[who], reference, site=site, action=action).status_code == 201
    for site, staff in (("IB", "legal_ib"), ("GR", "legal_gr")):
        _post(c[staff], reference, site=site, action="sign", party="institution")
        track = _track(c["sponsor"], reference, site)
        assert track["holder"] == "site" and track["signatures"]["institution"]
        _post(c[staff], reference, site=site, action="sign", party="investigator")
        assert _track(c["sponsor"], reference, site)["holder"] == "sponsor"
        response = _post(c["sponsor"], reference, site=site, action="sign", party="institution")
        assert response.status_code == 403
        assert _post(c["sponsor"], reference, site=site, action="sign", party="sponsor").status_code == 201
        contract = c["sponsor"].get(f"/contracts/{reference}").json()
        if site == "IB":
            assert (contract["status"], contract["executed_sites"]) == ("open", "1/2")
    contract = c["admin"].get(f"/contracts/{reference}").json()
    assert (contract["status"], contract["executed_sites"]) == ("executed", "2/2")
    assert all(t["stage"] == "executed" and t["holder"] is None for t in contract["tracks"])
    response = _post(c["sponsor"], reference, site="GR", action="sign", party="sponsor")
    assert response.status_code == 409


def test_manager_cancels_with_a_reason(app, world):
    reference, c = world
    response = _post(c["manager_gr"], reference, site="GR", action="cancel", comment="Sponsor withdrew")
    assert response.status_code == 201 and response.json()["to_stage"] == "cancelled"
    contract = c["admin"].get(f"/contracts/{reference}").json()
    assert contract["status"] == "cancelled"
    assert {t["site"]: t["stage"] for t in contract["tracks"]} == {"GR": "cancelled", "IB": "cancelled"}
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Event.id)).where(Event.action == "cancel")).scalar() == 2
