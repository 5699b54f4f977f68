"""SPEC 3: a regulatory ceiling is fixed when it starts (issue 15, "ceilings fixed when they start").

Its length, its internal target and the roll-forward come from the policy in force at
``mark_complete`` (coordinating site) or at the coordinator's ``agree`` (associated site), whatever an
admin saves later; it rolls forward over weekends and public holidays only, never over a site's
internal closure days, which still move the internal stage deadlines. Each test reads the dates
through the API (the replay) and the fields stored on the track (what sweeps and lists read): both
must say the same.
"""
from __future__ import annotations

from datetime import date

import pytest

from tracker.extensions import db
from tracker.models import Contract
from tracker.sla.policy import DEFAULTS

from tests.helpers.web import csrf_token

EN = {"Accept-Language": "en"}


class Office:
    """A GR lawyer working over the API and an admin on the pages, on the same contracts."""

    def __init__(self, app, api, client, login, make_user, make_contract, sponsor_id):
        self.app, self.client, self._make_contract, self.sponsor_id = app, client, make_contract, sponsor_id
        self.lawyers = {"GR": api(make_user("legal", "GR")), "IB": api(make_user("legal", "IB"))}
        self.manager = api(make_user("manager", "GR"))
        login(make_user("admin", None))

    def contract(self, received_on: str, sites=("GR", "IB")) -> str:
        return self._make_contract(self.sponsor_id, sites=sites, received_on=date.fromisoformat(received_on))

    def act(self, reference: str, action: str, at: str, site: str = "GR", **extra) -> None:
        caller = self.manager if action == "cancel" else self.lawyers[site]
        response = caller.post(f"/contracts/{reference}/events", json={
            "site": site, "action": action, "effective_at": at, **extra})
        assert response.status_code == 201, response.text

    def save_policy(self, **changes) -> None:
        data = {name: str(value) for name, value in DEFAULTS.items() if not isinstance(value, bool)}
        data.update({name: str(value) for name, value in changes.items() if not isinstance(value, bool)})
        if changes.get("roll_forward", True):
            data["roll_forward"] = "y"
        data.update({"csrf_token": csrf_token(self.client, "/admin/policy"), "note": "Shorter ceilings"})
        assert self.client.post("/admin/policy", data=data, headers=EN).status_code == 302

    def close(self, site: str, day: str) -> None:
        token = csrf_token(self.client, "/admin/policy")
        response = self.client.post(f"/admin/sites/{site}/closures", data={"csrf_token": token, "day": day,
                                                                          "label": "Internal closure"})
        assert response.status_code == 302

    def track(self, reference: str, site: str = "GR") -> dict:
        body = self.lawyers["GR"].get(f"/contracts/{reference}").json()
        return next(t for t in body["tracks"] if t["site"] == site)

    def ceiling(self, reference: str, site: str = "GR") -> tuple[str | None, str | None]:
        """(regulatory_due_on, target_due_on), checked against the stored fields."""
        track = self.track(reference, site)
        with self.app.app_context():
            contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
            stored = next(t for t in contract.tracks if t.site.code == site)
            stored_dates = (stored.regulatory_due_on, stored.target_due_on)
        assert tuple(d.isoformat() if d else None for d in stored_dates) == (
            track["regulatory_due_on"], track["target_due_on"])
        return track["regulatory_due_on"], track["target_due_on"]


@pytest.fixture
def office(app, api, client, login, make_user, make_contract, make_sponsor):
    return Office(app, api, client, login, make_user, make_contract, make_sponsor())


def test_a_policy_saved_after_mark_complete_does_not_move_the_ceiling(office):
    complete_9_march = office.contract("2026-03-05")
    office.act(complete_9_march, "mark_complete", "2026-03-09T10:00:00+01:00")
    complete_2_march = office.contract("2026-02-27")
    office.act(complete_2_march, "mark_complete", "2026-03-02T10:00:00+01:00")
    assert office.ceiling(complete_9_march)[0] == "2026-04-23"
    assert office.ceiling(complete_2_march)[0] == "2026-04-16"

    office.save_policy(coordinating_ceiling=30)
    office.act(complete_9_march, "send_to_sponsor", "2026-03-12T10:00:00+01:00")  # its next event
    assert office.ceiling(complete_9_march)[0] == "2026-04-23"  # not 8 April
    office.act(complete_2_march, "cancel", "2026-03-12T11:00:00+01:00", comment="The sponsor withdrew.")
    assert office.ceiling(complete_2_march)[0] == "2026-04-16"  # not 1 April
    assert office.ceiling(complete_9_march)[0] == "2026-04-23"

    later = office.contract("2026-03-10")
    office.act(later, "mark_complete", "2026-03-12T10:00:00+01:00")
    assert office.ceiling(later)[0] == "2026-04-13"  # a ceiling started now gets the new 30 days


def test_the_target_follows_the_ceilings_policy_too(office):
    """SPEC 3's example: with the sponsor from 17 March to 2 April (16 days), the target is 11 May."""
    reference = office.contract("2026-03-05")
    office.act(reference, "mark_complete", "2026-03-09T10:00:00+01:00")
    office.act(reference, "send_to_sponsor", "2026-03-17T10:00:00+01:00")
    office.save_policy(coordinating_ceiling=30, roll_forward=False)
    office.act(reference, "sponsor_replied", "2026-04-02T10:00:00+02:00")
    assert office.ceiling(reference) == ("2026-04-23", "2026-05-11")  # Saturday 9 May, still rolled


def test_the_roll_forward_in_force_at_the_start_is_kept(office):
    reference = office.contract("2026-03-09")
    office.act(reference, "mark_complete", "2026-03-11T10:00:00+01:00")  # + 45 days: Saturday 25 April
    assert office.ceiling(reference)[0] == "2026-04-27"
    office.save_policy(roll_forward=False)
    office.act(reference, "send_to_sponsor", "2026-03-12T10:00:00+01:00")
    assert office.ceiling(reference)[0] == "2026-04-27"
    unrolled = office.contract("2026-03-09")
    office.act(unrolled, "mark_complete", "2026-03-11T10:00:00+01:00")
    assert office.ceiling(unrolled)[0] == "2026-04-25"


def test_an_internal_closure_moves_stage_deadlines_but_not_the_ceiling(office):
    reference = office.contract("2026-02-27")
    office.act(reference, "mark_complete", "2026-03-02T10:00:00+01:00")  # ceiling Thursday 16 April
    office.act(reference, "send_to_sponsor", "2026-03-03T10:00:00+01:00")
    office.act(reference, "sponsor_replied", "2026-04-13T10:00:00+02:00")  # later review: due 16 April
    assert office.track(reference)["sla"]["due_on"] == "2026-04-16"
    assert office.ceiling(reference)[0] == "2026-04-16"

    office.close("GR", "2026-04-16")
    assert office.track(reference)["sla"]["due_on"] == "2026-04-17"  # the site's own deadline moves
    assert office.ceiling(reference)[0] == "2026-04-16"  # the legal date does not
    office.act(reference, "send_to_sponsor", "2026-04-14T10:00:00+02:00")
    assert office.ceiling(reference)[0] == "2026-04-16"


def test_a_ceiling_on_a_closure_day_is_not_rolled_but_one_on_a_public_holiday_is(office):
    office.close("GR", "2026-04-23")
    on_closure = office.contract("2026-03-05")
    office.act(on_closure, "mark_complete", "2026-03-09T10:00:00+01:00")
    assert office.ceiling(on_closure)[0] == "2026-04-23"
    on_holiday = office.contract("2026-03-20")
    office.act(on_holiday, "mark_complete", "2026-03-24T10:00:00+01:00")  # + 45 days: Friday 8 May, a holiday
    assert office.ceiling(on_holiday)[0] == "2026-05-11"


def test_the_associated_ceiling_starts_at_the_coordinators_agreement_with_its_policy(office):
    reference = office.contract("2026-03-05")
    office.act(reference, "mark_complete", "2026-03-09T10:00:00+01:00")
    assert office.ceiling(reference, "IB") == (None, None)  # waiting for the coordinator: no ceiling yet
    office.save_policy(associated_ceiling=10)
    office.act(reference, "agree", "2026-04-16T10:00:00+02:00")
    assert office.ceiling(reference, "IB")[0] == "2026-04-27"  # + 10 days: Sunday 26 April, rolled
    assert office.ceiling(reference, "GR")[0] == "2026-04-23"  # the coordinator keeps its own

    office.save_policy(associated_ceiling=20)
    office.close("IB", "2026-04-27")
    office.act(reference, "conformity_ok", "2026-04-17T10:00:00+02:00", site="IB")
    assert office.ceiling(reference, "IB")[0] == "2026-04-27"


def test_the_default_associated_ceiling_rolls_over_may_day(office):
    reference = office.contract("2026-03-05")
    office.act(reference, "mark_complete", "2026-03-09T10:00:00+01:00")
    office.act(reference, "agree", "2026-04-16T10:00:00+02:00")  # + 15 days: Friday 1 May
    assert office.ceiling(reference, "IB")[0] == "2026-05-04"
