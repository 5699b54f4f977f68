"""The SPEC 3 examples, seen through GET /api/v1/contracts/REF."""
from datetime import date

import pytest

from tracker.timeutil import local_date


@pytest.fixture
def walk(api, make_user, make_sponsor, make_contract):
    """Create a two-site contract and return (client, reference, act) for a GR legal user."""
    sponsor_id = make_sponsor()
    client = api(make_user("legal", "GR"))

    def start(received_on):
        reference = make_contract(sponsor_id, received_on=received_on)

        def act(action, at, site="GR", **extra):
            response = client.post(f"/contracts/{reference}/events",
                                   json={"site": site, "action": action, "effective_at": at, **extra})
            assert response.status_code == 201, response.text
        return reference, act
    return client, start


def _track(client, reference, site="GR"):
    body = client.get(f"/contracts/{reference}").json()
    return next(t for t in body["tracks"] if t["site"] == site)


def test_review_entered_before_the_may_holidays(walk):
    client, start = walk
    reference, act = start(date(2026, 4, 27))
    act("mark_complete", "2026-04-30T10:00:00+02:00")
    track = _track(client, reference)
    assert track["stage"] == "review"
    assert track["sla"]["due_on"] == "2026-05-11"  # 1 and 8 May are holidays
    assert track["sla"]["status"] == "breached"  # long past, seen from today
    assert track["sla"]["working_days_left"] < 0


def test_review_entered_before_ascension(walk):
    client, start = walk
    reference, act = start(date(2026, 5, 11))
    act("mark_complete", "2026-05-12T09:00:00+02:00")
    assert _track(client, reference)["sla"]["due_on"] == "2026-05-20"


def test_ceiling_and_target_with_sponsor_held_days(walk):
    client, start = walk
    reference, act = start(date(2026, 3, 6))
    act("mark_complete", "2026-03-09T09:30:00+01:00")
    act("send_to_sponsor", "2026-03-17T11:00:00+01:00")
    paused = _track(client, reference)
    assert paused["sla"] == {"due_on": None, "status": "paused", "working_days_left": None}
    assert paused["holder"] == "sponsor"
    act("sponsor_replied", "2026-04-02T15:00:00+02:00")
    track = _track(client, reference)
    assert track["regulatory_due_on"] == "2026-04-23"
    assert track["target_due_on"] == "2026-05-11"  # Saturday 9 May rolled to Monday
    assert track["held"]["sponsor"] == {"calendar": 16, "working": 12}
    # Later rounds have 3 working days; Easter Monday (6 April) does not count.
    assert track["round"] == 1 and track["sla"]["due_on"] == "2026-04-08"


def test_associated_ceiling_starts_when_the_coordinator_agrees(walk):
    client, start = walk
    reference, act = start(date(2026, 3, 6))
    act("mark_complete", "2026-03-09T09:30:00+01:00")
    act("agree", "2026-03-20T16:00:00+01:00")
    associated = _track(client, reference, "IB")
    assert associated["stage"] == "conformity"
    # 15 days after 20 March is Saturday 4 April; Easter Monday moves it to Tuesday.
    assert associated["regulatory_due_on"] == "2026-04-07"
    assert associated["sla"]["due_on"] == "2026-03-24"


def test_predicted_execution_is_given_for_open_tracks_only(walk, now):
    client, start = walk
    reference, act = start(local_date(now))
    track = _track(client, reference)
    assert track["predicted_execution_on"] > local_date(now).isoformat()
    # The associated site starts once the coordinator agrees, so it finishes later.
    assert _track(client, reference, "IB")["predicted_execution_on"] > track["predicted_execution_on"]
    # Received at the start of the site's day; every action at the test's clock, which is later.
    for action in ("mark_complete", "agree"):
        act(action, now.isoformat())
    for party in ("institution", "investigator", "sponsor"):
        act("sign", now.isoformat(), party=party)
    done = _track(client, reference)
    assert done["stage"] == "executed" and done["predicted_execution_on"] is None
    assert done["sla"]["status"] == "none"
