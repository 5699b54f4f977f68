"""Admins edit the policy and the site calendars; due dates follow."""
from datetime import date

from tracker.extensions import db
from tracker.models import AuditEntry, Policy, Track
from tracker.sla.policy import DEFAULTS
from tests.helpers.web import csrf_token

EN = {"Accept-Language": "en"}


def _policy_form(client, **over):
    data = {name: str(value) for name, value in DEFAULTS.items() if not isinstance(value, bool)}
    data.update({"roll_forward": "y", "csrf_token": csrf_token(client, "/admin/policy"), "note": "Shorter review"})
    data.update(over)
    return data


def test_only_admins_reach_the_policy(client, make_user, login):
    login(make_user("manager", "GR"))
    assert client.get("/admin/policy").status_code == 403


def test_saving_makes_a_new_version_and_running_stages_keep_theirs(client, app, api, make_user, login,
                                                                   make_sponsor, make_contract):
    sponsor_id = make_sponsor()
    reference = make_contract(sponsor_id, received_on=date(2026, 4, 27))
    legal = api(make_user("legal", "GR"))
    legal.post(f"/contracts/{reference}/events", json={
        "site": "GR", "action": "mark_complete", "effective_at": "2026-04-30T10:00:00+02:00"})
    login(make_user("admin", None))
    response = client.post("/admin/policy", data=_policy_form(client, review_first_round="2",
                                                               review_later_rounds="2"), headers=EN)
    assert response.status_code == 302
    with app.app_context():
        versions = db.session.execute(db.select(Policy).order_by(Policy.id)).scalars().all()
        assert len(versions) == 2 and versions[-1].settings["review_first_round"] == 2
        assert db.session.execute(db.select(AuditEntry).where(
            AuditEntry.entity == "policy", AuditEntry.entity_id == str(versions[-1].id),
            AuditEntry.field == "review_first_round")).scalar_one().new_value == "2"
    track = next(t for t in legal.get(f"/contracts/{reference}").json()["tracks"] if t["site"] == "GR")
    assert track["sla"]["due_on"] == "2026-05-11"  # still 5 working days: the stage began under version 1
    legal.post(f"/contracts/{reference}/events", json={
        "site": "GR", "action": "send_to_sponsor", "effective_at": "2026-05-04T10:00:00+02:00"})
    legal.post(f"/contracts/{reference}/events", json={
        "site": "GR", "action": "sponsor_replied", "effective_at": "2026-05-05T10:00:00+02:00"})
    track = next(t for t in legal.get(f"/contracts/{reference}").json()["tracks"] if t["site"] == "GR")
    # The new review stage started under version 2: 2 working days, 6 and 7 May.
    assert track["sla"]["due_on"] == "2026-05-07"


def test_out_of_bounds_values_are_named_and_nothing_is_saved(client, app, make_user, login):
    login(make_user("admin", None))
    response = client.post("/admin/policy", data=_policy_form(client, completeness="0", round_limit="abc"),
                           headers=EN)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="completeness-error"' in page and "from 1 to 60" in page
    assert 'id="round_limit-error"' in page
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Policy.id))).scalar() == 1


def test_a_closure_day_moves_due_dates(client, app, api, make_user, login, make_sponsor, make_contract):
    sponsor_id = make_sponsor()
    reference = make_contract(sponsor_id, received_on=date(2026, 5, 11))
    legal = api(make_user("legal", "GR"))
    legal.post(f"/contracts/{reference}/events", json={
        "site": "GR", "action": "mark_complete", "effective_at": "2026-05-12T09:00:00+02:00"})
    login(make_user("admin", None))
    token = csrf_token(client, "/admin/policy")
    response = client.post("/admin/sites/GR/closures", data={"csrf_token": token, "day": "2026-05-15",
                                                              "label": "Ascension bridge"})
    assert response.status_code == 302
    track = next(t for t in legal.get(f"/contracts/{reference}").json()["tracks"] if t["site"] == "GR")
    assert track["sla"]["due_on"] == "2026-05-21"
    with app.app_context():
        stored = db.session.execute(db.select(Track).where(Track.role == "coordinating")).scalar_one()
        assert stored.due_on == date(2026, 5, 21)
    bad = client.post("/admin/sites/GR/closures", data={"csrf_token": token, "day": "15/05/2026"},
                      headers=EN, follow_redirects=True)
    assert "Give the date of the closure" in bad.get_data(as_text=True)
    page = client.get("/admin/policy", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Ascension bridge" in page
    again = client.post("/admin/sites/GR/closures", data={"csrf_token": token, "day": "2026-05-15"},
                        headers={"Accept-Language": "fr"}, follow_redirects=True).get_data(as_text=True)
    assert "déjà fermé le 15 mai 2026" in again and "2026-05-15." not in again  # the product's date format
    with app.app_context():
        from tracker.models import SiteClosure

        closure_id = db.session.execute(db.select(SiteClosure.id)).scalar_one()
    confirm = client.get(f"/admin/sites/GR/closures/{closure_id}/delete")
    assert confirm.status_code == 200  # a confirmation page, nothing removed yet
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(SiteClosure.id))).scalar() == 1
    client.post(f"/admin/sites/GR/closures/{closure_id}/delete",
                data={"csrf_token": csrf_token(client, f"/admin/sites/GR/closures/{closure_id}/delete")})
    track = next(t for t in legal.get(f"/contracts/{reference}").json()["tracks"] if t["site"] == "GR")
    assert track["sla"]["due_on"] == "2026-05-20"


def test_whit_monday_setting(client, api, make_user, login, make_sponsor, make_contract):
    sponsor_id = make_sponsor()
    reference = make_contract(sponsor_id, received_on=date(2026, 5, 20))
    legal = api(make_user("legal", "GR"))
    legal.post(f"/contracts/{reference}/events", json={
        "site": "GR", "action": "mark_complete", "effective_at": "2026-05-21T09:00:00+02:00"})
    due = lambda: next(t for t in legal.get(f"/contracts/{reference}").json()["tracks"]  # noqa: E731
                       if t["site"] == "GR")["sla"]["due_on"]
    assert due() == "2026-05-29"  # 22, 26, 27, 28, 29: Whit Monday 25 May is off by default
    login(make_user("admin", None))
    client.post("/admin/sites/GR/whit-monday", data={"csrf_token": csrf_token(client, "/admin/policy"),
                                                     "works": "y"})
    assert due() == "2026-05-28"
