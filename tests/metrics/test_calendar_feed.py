"""A staff user's iCalendar feed: a secret address kept hashed, renewable, revocable, and true to the tracks."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import requests
from icalendar import Calendar

from tests.helpers.web import csrf_token
from tracker.extensions import db
from tracker.models import AuditEntry, CalendarFeed, Contract, Track
from tracker.pipeline.operations import apply_action
from tests.helpers.actors import ADMIN


def _make_feed(client) -> str:
    token = csrf_token(client, "/profile/calendar")
    page = client.post("/profile/calendar/renew", data={"csrf_token": token}).get_data(as_text=True)
    url = re.search(r'id="feed-url"[^>]*value="([^"]+)"', page).group(1)
    db.session.rollback()  # the test client shared this app context's session: end its transaction
    assert url.startswith("http://tracker.test/calendar/ftc_") and url.endswith(".ics")
    return url.removeprefix("http://tracker.test")


def _events(server, path) -> dict:
    response = requests.get(server + path, timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    return {str(e["UID"]): (e.decoded("DTSTART"), str(e["SUMMARY"])) for e in calendar.walk("VEVENT")}


def _tracks(reference):
    """The contract's tracks as plain values, with the read ended (SQLite's write lock is free again)."""
    contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
    tracks = {t.site.code: Facts(t.id, t.visit, t.due_on, t.regulatory_due_on) for t in contract.tracks}
    db.session.rollback()
    return tracks


class Facts:
    def __init__(self, id, visit, due_on, regulatory_due_on):
        self.id, self.visit, self.due_on, self.regulatory_due_on = id, visit, due_on, regulatory_due_on


def test_the_feed_holds_the_due_dates_and_ceilings_of_my_site(ctx, server, login, make_user, make_sponsor,
                                                               make_contract):
    sponsor = make_sponsor()
    mine = make_contract(sponsor, sites=("GR", "IB"), received_on=date.today() - timedelta(days=2))
    elsewhere = make_contract(sponsor, coordinating="IB", sites=("IB",))
    client = login(make_user("legal", "GR"))
    path = _make_feed(client)
    db.session.rollback()
    events = _events(server, path)
    gr = _tracks(mine)["GR"]
    assert {k: v[0] for k, v in events.items()} == {f"due-{gr.id}-{gr.visit}@tracker.test": gr.due_on}
    assert all(summary.startswith(mine) for _day, summary in events.values())
    assert not any(elsewhere in summary for _day, summary in events.values())

    # The file is found complete: the feed follows, with the review's due date and the 45-day ceiling.
    track = db.session.get(Track, gr.id)
    apply_action(track, "mark_complete", actor=ADMIN, now=datetime.now(timezone.utc))
    db.session.commit()
    gr = _tracks(mine)["GR"]
    events = _events(server, path)
    assert {k: v[0] for k, v in events.items()} == {
        f"due-{gr.id}-{gr.visit}@tracker.test": gr.due_on, f"ceiling-{gr.id}@tracker.test": gr.regulatory_due_on}
    assert gr.regulatory_due_on >= date.today() + timedelta(days=45)
    db.session.rollback()


def test_only_the_hash_is_kept_and_renewing_or_revoking_ends_the_old_address(ctx, server, login, make_user):
    client = login(make_user("manager", "IB"))
    first = _make_feed(client)
    token = first.split("/")[-1].removesuffix(".ics")
    db.session.rollback()
    stored = db.session.execute(db.select(CalendarFeed)).scalars().all()
    assert len(stored) == 1 and token not in (stored[0].token_hash, stored[0].prefix)
    db.session.rollback()
    assert requests.get(server + first, timeout=30).status_code == 200
    second = _make_feed(client)
    assert second != first
    assert requests.get(server + first, timeout=30).status_code == 404
    assert requests.get(server + second, timeout=30).status_code == 200
    page = client.get("/profile/calendar").get_data(as_text=True)
    assert second.split("/")[-1] not in page  # never shown again
    client.post("/profile/calendar/revoke", data={"csrf_token": csrf_token(client, "/profile/calendar")})
    db.session.rollback()
    assert requests.get(server + second, timeout=30).status_code == 404
    assert requests.get(server + "/calendar/ftc_nonsense.ics", timeout=30).status_code == 404
    db.session.rollback()
    kinds = db.session.execute(db.select(AuditEntry.field).where(AuditEntry.entity == "calendar_feed")).scalars().all()
    assert kinds.count("revoked_at") == 2


def test_renewing_needs_the_form_token(ctx, login, make_user):
    client = login(make_user("legal", "GR"))
    assert client.post("/profile/calendar/renew").status_code == 400
    assert db.session.execute(db.select(db.func.count(CalendarFeed.id))).scalar() == 0
    db.session.rollback()


def test_a_feed_address_stays_dead_after_disabling_and_enabling_or_a_role_change_and_back(app, server, make_user):
    from tests.helpers.web import PASSWORD
    from tracker import audit
    from tracker.database import utcnow
    from tracker.people import accounts, users
    from tracker.people.operations import find_user_by_email

    admin_email, emails = make_user("admin", None), {change: make_user("manager", "IB") for change in ("disable", "role")}
    for change, email in emails.items():
        client = app.test_client()
        client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf_token(client, "/login")})
        with app.app_context():
            url = _make_feed(client)
        assert requests.get(server + url, timeout=30).status_code == 200
        with app.app_context():
            person, actor = find_user_by_email(email), audit.Actor.of(find_user_by_email(admin_email))
            if change == "disable":
                accounts.disable_user(person, actor=actor, now=utcnow())
                accounts.enable_user(person, actor=actor, now=utcnow())
            else:
                users.change_role(person, {"role": "legal", "site": "GR"}, actor=actor, now=utcnow())
                users.change_role(person, {"role": "manager", "site": "IB"}, actor=actor, now=utcnow())
            db.session.commit()
        assert requests.get(server + url, timeout=30).status_code == 404, change
