"""Conditional GETs on the contract endpoints: an ETag, 304 for an unchanged contract, a new tag on any change."""
from __future__ import annotations

from tracker import audit
from tracker.contracts.editing import update_contract
from tracker.extensions import db
from tracker.models import Contract, User
from tracker.pipeline.operations import apply_action, set_owner
from tracker.sla.operations import save_policy
from tracker.sla.policy import DEFAULTS


def _contract(app, reference):
    return db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()


def _change(app, reference, what):
    with app.app_context():
        contract = _contract(app, reference)
        coordinating = contract.coordinating_track
        if what == "event":
            apply_action(coordinating, "mark_complete", actor=audit.Actor(None, "admin@t", "admin"), now=_now())
        elif what == "owner":
            other = db.session.execute(db.select(User).where(User.role == "legal", User.site_id == coordinating.site_id,
                                                             User.id != coordinating.owner_id)).scalars().first()
            set_owner(coordinating, other.id, actor=audit.SYSTEM, now=_now())
        elif what == "edit":
            update_contract(contract, {"title": "A renamed trial"}, actor=audit.Actor(None, "admin@t", "admin"),
                            now=_now())
        elif what == "policy":
            save_policy({**DEFAULTS, "review_first_round": 4}, actor=audit.SYSTEM, now=_now())
        db.session.commit()


def _now():
    from datetime import datetime, timezone
    return datetime.now(timezone.utc)


def test_a_matching_tag_gets_304_and_an_event_changes_it(api, make_user, make_sponsor, make_contract):
    reference = make_contract(make_sponsor())
    client = api(make_user("legal", "GR"))
    first = client.get(f"/contracts/{reference}")
    tag = first.headers["ETag"]
    assert first.status_code == 200 and tag.startswith('"')
    assert first.headers["Cache-Control"] == "private, no-cache"

    again = client.get(f"/contracts/{reference}", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == tag
    other = client.get(f"/contracts/{reference}", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.json()["reference"] == reference

    event = client.post(f"/contracts/{reference}/events", json={"site": "GR", "action": "mark_complete"})
    assert event.status_code == 201, event.text
    after = client.get(f"/contracts/{reference}", headers={"If-None-Match": tag})
    assert after.status_code == 200 and after.headers["ETag"] != tag
    assert {t["site"]: t["stage"] for t in after.json()["tracks"]}["GR"] == "review"


def test_every_kind_of_change_moves_the_tag(app, api, make_user, make_sponsor, make_contract):
    make_user("legal", "GR")
    make_user("legal", "GR")
    reference = make_contract(make_sponsor())
    client = api(make_user("legal", "GR"))
    seen = {client.get(f"/contracts/{reference}").headers["ETag"]}
    for what in ("event", "owner", "edit", "policy"):
        _change(app, reference, what)
        tag = client.get(f"/contracts/{reference}").headers["ETag"]
        assert tag not in seen, f"the tag did not change after the {what}"
        seen.add(tag)
    # Nothing changed since: the last tag still holds.
    assert client.get(f"/contracts/{reference}", headers={"If-None-Match": tag}).status_code == 304


def test_sponsors_and_staff_get_different_tags_and_other_sponsors_a_404(api, make_user, make_sponsor,
                                                                        make_contract):
    sponsor_id = make_sponsor()
    reference = make_contract(sponsor_id)
    staff = api(make_user("legal", "GR")).get(f"/contracts/{reference}").headers["ETag"]
    sponsor = api(make_user("sponsor", sponsor="Novacure Oncology SA")).get(f"/contracts/{reference}")
    assert sponsor.status_code == 200 and sponsor.headers["ETag"] != staff
    make_sponsor("Other Pharma")
    stranger = api(make_user("sponsor", sponsor="Other Pharma"))
    assert stranger.get(f"/contracts/{reference}", headers={"If-None-Match": staff}).status_code == 404


def test_the_list_answers_304_until_a_contract_on_the_page_changes(api, make_user, make_sponsor, make_contract):
    sponsor_id = make_sponsor()
    reference = make_contract(sponsor_id)
    client = api(make_user("legal", "GR"))
    page = client.get("/contracts?limit=10")
    tag = page.headers["ETag"]
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-cache"
    assert client.get("/contracts?limit=10", headers={"If-None-Match": tag}).status_code == 304
    assert client.get("/contracts?limit=5", headers={"If-None-Match": tag}).status_code == 200

    client.post(f"/contracts/{reference}/events", json={"site": "GR", "action": "mark_complete"})
    assert client.get("/contracts?limit=10", headers={"If-None-Match": tag}).status_code == 200
    tag = client.get("/contracts?limit=10").headers["ETag"]
    make_contract(sponsor_id)
    assert client.get("/contracts?limit=10", headers={"If-None-Match": tag}).status_code == 200
