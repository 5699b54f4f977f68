"""Kept answers of GET /api/v1/contracts(/REF): never stale, never another reader's, same tag, new each day."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import event

from tests.helpers.workers import redis_url as worker_redis_url
from tracker import audit
from tracker.api import answers
from tracker.contracts.editing import update_contract
from tracker.extensions import db
from tracker.models import ApiToken, Contract, Site, Sponsor, User
from tracker.people.sponsors import update_sponsor
from tracker.people.tokens import revoke_token
from tracker.pipeline.operations import set_owner

MONDAY = datetime(2026, 3, 9, 8, 0, tzinfo=timezone.utc)  # no holiday that week at either site
ADMIN = audit.Actor(None, "admin@t", "admin")


@pytest.fixture
def at(monkeypatch):
    """Set the API's clock: ``at(instant)``."""
    def set_to(instant):
        monkeypatch.setattr("tracker.api.contracts.now", lambda: instant)
    set_to(MONDAY)
    return set_to


@pytest.fixture
def reader(app, token_for):
    """A test client calling the API as this person: ``reader(email).get(path)``."""
    class Reader:
        def __init__(self, email):
            self.client = app.test_client()
            self.headers = {"Authorization": f"Bearer {token_for(email)}"}

        def get(self, path, **headers):
            return self.client.get("/api/v1" + path, headers={**self.headers, **headers})
    return Reader


def _statements(app, call):
    """The response of ``call()`` and how many SQL statements it ran."""
    with app.app_context():
        engine = db.engine
    seen = []

    def count(*_args):
        seen.append(1)
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = call()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return response, len(seen)


def _own(app, reference, email):
    """Make this person the owner of the contract's coordinating track."""
    with app.app_context():
        user = db.session.execute(db.select(User).where(User.email == email)).scalar_one()
        contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
        set_owner(contract.coordinating_track, user.id, actor=ADMIN, now=MONDAY)
        db.session.commit()


def _track(body, site="GR"):
    return next(t for t in body["tracks"] if t["site"] == site)


def test_an_unchanged_contract_is_answered_from_the_kept_answer_with_the_same_body_and_tag(
        app, at, reader, make_user, make_sponsor, make_contract):
    reference = make_contract(make_sponsor(), now=MONDAY)
    staff = reader(make_user("legal", "GR"))
    first, built = _statements(app, lambda: staff.get(f"/contracts/{reference}"))
    again, kept = _statements(app, lambda: staff.get(f"/contracts/{reference}"))
    assert first.status_code == again.status_code == 200
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Content-Type"] == "application/json"
    assert kept < built, (kept, built)  # the tracks, events and signatories were not read again
    # The tag of a kept answer is still the one a conditional GET matches.
    assert staff.get(f"/contracts/{reference}", **{"If-None-Match": again.headers["ETag"]}).status_code == 304
    # And it is what building afresh gives.
    answers.clear_cache()
    assert staff.get(f"/contracts/{reference}").data == first.data


def test_any_change_is_seen_on_the_next_read(app, at, reader, make_user, make_sponsor, make_contract):
    sponsor_id = make_sponsor()
    reference = make_contract(sponsor_id, now=MONDAY)
    owner = make_user("legal", "GR")
    staff = reader(owner)
    before = staff.get(f"/contracts/{reference}")
    listed = staff.get("/contracts").json["contracts"][0]
    assert listed["title"] == "A phase I trial"

    with app.app_context():
        contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
        update_contract(contract, {"title": "A renamed trial"}, actor=ADMIN, now=MONDAY)
        db.session.commit()
    after = staff.get(f"/contracts/{reference}")
    assert after.json["title"] == "A renamed trial" and after.headers["ETag"] != before.headers["ETag"]
    assert staff.get("/contracts").json["contracts"][0]["title"] == "A renamed trial"

    moved = app.test_client().post(f"/api/v1/contracts/{reference}/events", json={"site": "GR", "action": "mark_complete"},
                                   headers=staff.headers)
    assert moved.status_code == 201, moved.text
    assert _track(staff.get(f"/contracts/{reference}").json)["stage"] == "review"

    # Names a contract shows but does not hold: its sponsor's, its sites' codes, its owners'.
    with app.app_context():
        update_sponsor(db.session.get(Sponsor, sponsor_id), {"name": "Novacure Renamed SA"}, actor=ADMIN, now=MONDAY)
        db.session.commit()
    assert staff.get(f"/contracts/{reference}").json["sponsor"] == "Novacure Renamed SA"
    assert staff.get("/contracts").json["contracts"][0]["sponsor"] == "Novacure Renamed SA"
    _own(app, reference, owner)
    assert _track(staff.get(f"/contracts/{reference}").json)["owner"] == owner
    with app.app_context():
        db.session.execute(db.select(User).where(User.email == owner)).scalar_one().email = "renamed.owner@gr.test"
        db.session.commit()
    assert _track(staff.get(f"/contracts/{reference}").json)["owner"] == "renamed.owner@gr.test"


def test_a_sponsor_never_gets_staff_answers_nor_another_sponsors(app, at, reader, make_user, make_sponsor,
                                                                 make_contract):
    novacure = make_sponsor()
    other = make_sponsor("Other Pharma SA")
    reference = make_contract(novacure, now=MONDAY)
    theirs = make_contract(other, now=MONDAY)
    owner = make_user("legal", "GR")
    _own(app, reference, owner)
    staff = reader(owner)
    staff_body = staff.get(f"/contracts/{reference}").json
    assert "@" in _track(staff_body)["owner"]  # staff see the owner's address

    sponsor = reader(make_user("sponsor", sponsor="Novacure Oncology SA"))
    seen = sponsor.get(f"/contracts/{reference}")
    assert seen.status_code == 200 and "@" not in _track(seen.json)["owner"]  # sponsors, the owner's name
    stranger = reader(make_user("sponsor", sponsor="Other Pharma SA"))
    for _ in range(2):  # the answer Novacure's user left is not reached by anyone else
        assert stranger.get(f"/contracts/{reference}").status_code == 404
        assert stranger.get(f"/contracts/{theirs}").json["sponsor"] == "Other Pharma SA"
        assert [c["reference"] for c in stranger.get("/contracts").json["contracts"]] == [theirs]
        assert [c["reference"] for c in sponsor.get("/contracts").json["contracts"]] == [reference]
    # A site the contract does not involve cannot reach the answer either.
    with app.app_context():
        db.session.add(Site(code="ZZ", name="Elsewhere", timezone="Europe/Paris"))
        db.session.commit()
    assert reader(make_user("legal", "ZZ")).get(f"/contracts/{reference}").status_code == 404


def test_days_left_move_with_the_day_without_any_change(app, at, reader, make_user, make_sponsor, make_contract):
    reference = make_contract(make_sponsor(), now=MONDAY)
    staff = reader(make_user("legal", "GR"))
    monday = staff.get(f"/contracts/{reference}")
    left = _track(monday.json)["sla"]["working_days_left"]
    assert left is not None
    assert _track(staff.get(f"/contracts/{reference}").json)["sla"]["working_days_left"] == left  # kept
    at(MONDAY.replace(day=10))
    tuesday = staff.get(f"/contracts/{reference}")
    assert _track(tuesday.json)["sla"]["working_days_left"] == left - 1
    assert tuesday.headers["ETag"] != monday.headers["ETag"]


def test_each_site_turns_the_day_at_its_own_midnight(app, at, reader, make_user, make_sponsor, make_contract):
    """Auckland's Tuesday begins while it is still Monday in Paris, where the tag's day is read."""
    with app.app_context():
        db.session.execute(db.select(Site).where(Site.code == "GR")).scalar_one().timezone = "Pacific/Auckland"
        db.session.commit()
    start = datetime(2026, 3, 8, 23, 0, tzinfo=timezone.utc)  # Monday at noon in Auckland
    reference = make_contract(make_sponsor(), now=start)
    staff = reader(make_user("legal", "GR"))
    at(datetime(2026, 3, 9, 1, 0, tzinfo=timezone.utc))  # Monday 02:00 in Paris, 14:00 in Auckland
    first = staff.get(f"/contracts/{reference}")
    at(datetime(2026, 3, 9, 12, 0, tzinfo=timezone.utc))  # Monday 13:00 in Paris, Tuesday 01:00 in Auckland
    later = staff.get(f"/contracts/{reference}")
    assert later.headers["ETag"] == first.headers["ETag"]  # same day where the tag is read...
    assert (_track(later.json)["sla"]["working_days_left"]
            == _track(first.json)["sla"]["working_days_left"] - 1)  # ...but not at the site


def test_the_process_store_keeps_the_most_recently_used_answers_within_its_size():
    store = answers.Memory(size=20)
    store.put("a", b"1" * 8)
    store.put("b", b"2" * 8)
    assert store.get("a") == b"1" * 8  # now the most recent
    store.put("c", b"3" * 8)
    assert store.get("b") is None and store.get("a") and store.get("c") and len(store) == 2 and store.used == 16
    store.put("c", b"4" * 4)  # a new value under a kept key replaces it
    assert store.used == 12 and store.get("c") == b"4" * 4
    store.put("big", b"5" * 21)  # larger than the whole store: not kept, nothing dropped
    assert store.get("big") is None and len(store) == 2


def test_answers_are_shared_through_redis_and_a_failing_redis_only_costs_the_build(
        app, at, reader, make_user, make_sponsor, make_contract, monkeypatch):
    redis = pytest.importorskip("redis")
    url = worker_redis_url(0)
    try:
        redis.Redis.from_url(url).flushdb()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis at {url}: {exc}")
    reference = make_contract(make_sponsor(), now=MONDAY)
    staff = reader(make_user("legal", "GR"))
    monkeypatch.setitem(app.extensions, "tracker_answers", answers.Shared(url))
    first = staff.get(f"/contracts/{reference}")
    keys = redis.Redis.from_url(url).keys("tracker:answer:*")
    assert len(keys) == 1 and first.headers["ETag"].strip('"') in keys[0].decode()
    assert staff.get(f"/contracts/{reference}").data == first.data
    monkeypatch.setitem(app.extensions, "tracker_answers", answers.Shared("redis://127.0.0.1:1/5"))
    assert staff.get(f"/contracts/{reference}").data == first.data  # no Redis: built, not failed
    redis.Redis.from_url(url).flushdb()
    shared = answers.Shared(url)
    shared.put("tracker:answer:test:key", b"{}")
    assert answers.Shared(url).get("tracker:answer:test:key") == b"{}"  # another worker sees it
    assert 0 < shared.redis.ttl("tracker:answer:test:key") <= answers.REDIS_SECONDS
    shared.redis.delete("tracker:answer:test:key")
    gone = answers.Shared("redis://127.0.0.1:1/5")
    gone.put("k", b"v")
    assert gone.get("k") is None


def _change_caller(app, email, change):
    """Apply ``change(user, token_row)`` to this person and their newest token, and commit."""
    with app.app_context():
        user = db.session.execute(db.select(User).where(User.email == email)).scalar_one()
        token = db.session.execute(db.select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.id.desc())).scalars().first()
        change(user, token)
        db.session.commit()


@pytest.mark.parametrize("change, refusal", [
    (lambda user, token: revoke_token(user, token.id, actor=ADMIN, now=MONDAY), "unknown or revoked"),
    (lambda user, token: setattr(token, "expires_at", datetime(2020, 1, 1, tzinfo=timezone.utc)), "expired"),
    (lambda user, token: setattr(user, "active", False), "unknown or revoked"),
])
def test_a_token_refused_since_its_last_call_is_refused_at_once_though_its_answers_are_kept(
        app, at, reader, make_user, make_sponsor, make_contract, change, refusal):
    reference = make_contract(make_sponsor(), now=MONDAY)
    email = make_user("legal", "GR")
    staff = reader(email)
    first = staff.get(f"/contracts/{reference}")
    assert first.status_code == 200 and staff.get("/contracts").status_code == 200
    _change_caller(app, email, change)
    for path in (f"/contracts/{reference}", "/contracts"):
        for extra in ({}, {"If-None-Match": first.headers["ETag"]}):
            refused = staff.get(path, **extra)
            assert refused.status_code == 401 and refusal in refused.json["error"]["message"], refused.json
            assert reference not in refused.text


def test_a_person_moved_to_another_site_loses_its_contracts_at_once_though_their_answers_are_kept(
        app, at, reader, make_user, make_sponsor, make_contract):
    reference = make_contract(make_sponsor(), sites=("GR",), now=MONDAY)
    email = make_user("legal", "GR")
    staff = reader(email)
    assert staff.get(f"/contracts/{reference}").status_code == 200
    assert [c["reference"] for c in staff.get("/contracts").json["contracts"]] == [reference]

    def move(user, _token):
        user.site_id = db.session.execute(db.select(Site.id).where(Site.code == "IB")).scalar_one()
    _change_caller(app, email, move)
    assert staff.get(f"/contracts/{reference}").status_code == 404
    assert staff.get("/contracts").json["contracts"] == []


def test_the_api_neither_reads_nor_sets_the_session_cookie(app, login, make_user, make_sponsor, make_contract):
    reference = make_contract(make_sponsor(), now=MONDAY)
    browser = login(make_user("legal", "GR"))
    assert browser.get(f"/contracts/{reference}").status_code == 200  # the session is good for the pages
    refused = browser.get(f"/api/v1/contracts/{reference}")
    assert refused.status_code == 401 and "Set-Cookie" not in refused.headers
    assert "Set-Cookie" not in browser.get("/api/v1/health").headers
    assert browser.get(f"/contracts/{reference}").status_code == 200  # and still is


def test_each_kind_of_reader_gets_exactly_the_contracts_it_may_see(app, at, reader, make_user, make_sponsor,
                                                                   make_contract):
    novacure, other = make_sponsor(), make_sponsor("Other Pharma SA")
    refs = {"gr": make_contract(novacure, sites=("GR",), now=MONDAY),
            "ib": make_contract(other, coordinating="IB", sites=("IB",), now=MONDAY),
            "both": make_contract(other, now=MONDAY)}
    expected = {make_user("admin", None): {"gr", "ib", "both"},
                make_user("legal", "GR"): {"gr", "both"}, make_user("manager", "IB"): {"ib", "both"},
                make_user("sponsor", None, sponsor="Novacure Oncology SA"): {"gr"},
                make_user("sponsor", None, sponsor="Other Pharma SA"): {"ib", "both"}}
    for email, visible in expected.items():
        who = reader(email)
        for _round in range(2):  # built, then kept
            seen = {name for name, ref in refs.items() if who.get(f"/contracts/{ref}").status_code == 200}
            assert seen == visible, email
        assert {c["reference"] for c in who.get("/contracts").json["contracts"]} == {refs[n] for n in visible}
