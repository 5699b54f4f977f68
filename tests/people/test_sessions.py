"""Sessions end when they should: sign-out, a new password, disabling, idle time and the absolute limit.

"Copied" cookies are the session and remember-me cookies of a signed-in browser, taken before
the event and replayed from another browser afterwards, as a thief with a copy would.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from flask_login.utils import encode_cookie

from tests.helpers.web import PASSWORD, csrf_token
from tracker import audit
from tracker.database import utcnow
from tracker.extensions import db
from tracker.people import accounts, sessions
from tracker.people.operations import find_user_by_email

EN = {"Accept-Language": "en"}
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)


def _sign_in(app, email, remember=True):
    browser = app.test_client()
    token = csrf_token(browser, "/login")
    data = {"email": email, "password": PASSWORD, "csrf_token": token}
    if remember:
        data["remember"] = "y"
    assert browser.post("/login", data=data).status_code == 302
    return browser


def _copy(app, browser, names=("session", "remember_token")):
    thief = app.test_client()
    for name in names:
        cookie = browser.get_cookie(name)
        assert cookie is not None, name
        thief.set_cookie(name, cookie.value)
    return thief


def _signed_in(browser) -> bool:
    return browser.get("/account/tokens").status_code == 200


def _end_by_password(app, email):
    with app.app_context():
        accounts.set_password(find_user_by_email(email), "saffron kettle under moonlight", actor=audit.SYSTEM,
                              now=utcnow())
        db.session.commit()


def _end_by_disabling(app, email):
    with app.app_context():
        accounts.disable_user(find_user_by_email(email), actor=audit.SYSTEM, now=utcnow())
        db.session.commit()


def _end_by_sign_out(app, email, browser):
    assert browser.post("/logout", data={"csrf_token": csrf_token(browser, "/account/tokens")}).status_code == 302


@pytest.mark.parametrize("how", ["sign_out", "password", "disable"])
@pytest.mark.parametrize("cookies", [("session", "remember_token"), ("remember_token",), ("session",)])
def test_copied_cookies_stop_working_when_the_session_ends(app, make_user, how, cookies):
    email = make_user("legal", "GR")
    browser = _sign_in(app, email)
    thief = _copy(app, browser, cookies)
    assert _signed_in(thief)  # the copy works while the session lives
    if how == "sign_out":
        _end_by_sign_out(app, email, browser)
    elif how == "password":
        _end_by_password(app, email)
    else:
        _end_by_disabling(app, email)
    assert not _signed_in(thief)
    assert not _signed_in(browser)


def test_signing_out_keeps_the_language_and_drops_the_remember_cookie(app, make_user):
    browser = _sign_in(app, make_user("legal", "GR"))
    browser.post("/language/fr", data={"csrf_token": csrf_token(browser, "/account/tokens"), "next": "/login"})
    answer = browser.post("/logout", data={"csrf_token": csrf_token(browser, "/account/tokens")})
    assert any(c.startswith("remember_token=;") for c in answer.headers.getlist("Set-Cookie"))
    page = browser.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="fr">' in page and "Déconnexion effectuée." in page


def test_sign_in_starts_a_new_session_with_a_new_csrf_token_and_keeps_the_language(app, make_user):
    email = make_user("legal", "GR")
    browser = app.test_client()
    before = csrf_token(browser, "/login")
    browser.post("/language/fr", data={"csrf_token": before, "next": "/login"})
    with browser.session_transaction() as planted:
        planted["planted"] = "by someone else"
        raw_before = planted["csrf_token"]
    browser.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": before})
    with browser.session_transaction() as held:
        assert "planted" not in held and held["lang"] == "fr" and "csrf_token" not in held
    after = csrf_token(browser, "/account/tokens")
    with browser.session_transaction() as held:
        assert held["csrf_token"] != raw_before
    # A form token handed out before sign-in is worthless after it; the new one works.
    assert browser.post("/account/tokens", data={"csrf_token": before, "name": "ctms"}).status_code == 400
    assert browser.post("/account/tokens", data={"csrf_token": after, "name": "ctms"}).status_code == 201


# -- the limits, as rules on timestamps ---------------------------------------------------------------

def _sid(remembered=False, signed_in=T0):
    return sessions.SessionId(7, 0, signed_in, remembered)


@pytest.mark.parametrize("role, seen_ago, expected", [
    ("sponsor", timedelta(minutes=29), None),
    ("sponsor", timedelta(minutes=30), "idle"),
    ("legal", timedelta(minutes=30), None),
    ("legal", timedelta(hours=9, minutes=59), None),
    ("manager", timedelta(hours=10), "idle"),
])
def test_idle_limit_is_thirty_minutes_for_sponsors_and_a_working_day_for_staff(role, seen_ago, expected):
    now = T0 + timedelta(hours=11)
    assert sessions.expiry(_sid(), role, now - seen_ago, now) == expected


def test_absolute_limit_is_twelve_hours_or_fourteen_days_when_remembered():
    fresh = T0 + timedelta(hours=11, minutes=59)
    assert sessions.expiry(_sid(), "legal", fresh, fresh) is None
    assert sessions.expiry(_sid(), "legal", fresh, T0 + timedelta(hours=12)) == "absolute"
    late = T0 + timedelta(days=13, hours=23)
    assert sessions.expiry(_sid(remembered=True), "sponsor", T0, late) is None  # no idle limit when remembered
    assert sessions.expiry(_sid(remembered=True), "sponsor", late, T0 + timedelta(days=14)) == "absolute"
    assert sessions.expiry(_sid(signed_in=T0 + timedelta(hours=1)), "legal", None, T0) == "absolute"  # future


@pytest.mark.parametrize("raw", [None, "7", "7:0", "7:0:abc:s", "7:0:1790000000:x", "7:0:99999999999999:s",
                                 "x" * 80, "٧:0:1790000000:s", "7:0:1790000000:s:extra"])
def test_session_ids_in_other_shapes_are_refused(raw):
    assert sessions.parse(raw) is None


# -- the limits, enforced on real requests --------------------------------------------------------------

def _age_session(browser, *, signed_in_ago=None, seen_ago=None):
    now = utcnow()
    with browser.session_transaction() as held:
        sid = sessions.parse(held["_user_id"])
        if signed_in_ago is not None:
            held["_user_id"] = str(sessions.SessionId(sid.user_id, sid.generation, now - signed_in_ago,
                                                      sid.remembered))
        if seen_ago is not None:
            held["_seen_at"] = sessions.epoch(now - seen_ago)


@pytest.mark.parametrize("role, seen_ago, ends", [
    ("sponsor", timedelta(minutes=31), True),
    ("legal", timedelta(minutes=31), False),
    ("legal", timedelta(hours=10, minutes=1), True),
])
def test_an_idle_session_is_signed_out_with_a_message(app, make_user, make_sponsor, role, seen_ago, ends):
    make_sponsor("Helix Therapeutics Inc.", "US")
    email = make_user(role, "GR", sponsor="Helix Therapeutics Inc." if role == "sponsor" else None)
    browser = _sign_in(app, email, remember=False)
    _age_session(browser, signed_in_ago=seen_ago, seen_ago=seen_ago)
    answer = browser.get("/account/tokens", headers=EN)
    if not ends:
        assert answer.status_code == 200
        return
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login?next=/account/tokens")
    page = browser.get(answer.headers["Location"], headers=EN).get_data(as_text=True)
    assert "signed out after a while without activity" in page
    assert not _signed_in(browser)


def test_a_session_ends_twelve_hours_after_sign_in_even_when_active(app, make_user):
    browser = _sign_in(app, make_user("legal", "GR"), remember=False)
    _age_session(browser, signed_in_ago=timedelta(hours=12, minutes=1), seen_ago=timedelta(minutes=1))
    answer = browser.get("/account/tokens", headers=EN)
    assert answer.status_code == 302
    assert "reached its time limit" in browser.get("/login", headers=EN).get_data(as_text=True)


def test_a_remembered_session_outlives_idle_time_but_not_fourteen_days(app, make_user):
    email = make_user("legal", "GR")
    browser = _sign_in(app, email, remember=True)
    _age_session(browser, signed_in_ago=timedelta(days=3), seen_ago=timedelta(days=3))
    assert _signed_in(browser)
    # Only the remember-me cookie, written 15 days ago: the browser still sends it, the server says no.
    with app.app_context():
        user = find_user_by_email(email)
        old = str(sessions.SessionId(user.id, accounts.generation_of(user.id), utcnow() - timedelta(days=15), True))
        young = str(sessions.SessionId(user.id, accounts.generation_of(user.id), utcnow() - timedelta(days=13), True))
        old_cookie, young_cookie = encode_cookie(old), encode_cookie(young)
    stale = app.test_client()
    stale.set_cookie("remember_token", old_cookie)
    answer = stale.get("/account/tokens", headers=EN)
    assert answer.status_code == 302
    assert any(c.startswith("remember_token=;") for c in answer.headers.getlist("Set-Cookie"))
    assert not _signed_in(stale)
    recent = app.test_client()
    recent.set_cookie("remember_token", young_cookie)
    assert _signed_in(recent)


def test_a_cookie_from_before_sign_in_times_existed_signs_out(app, make_user):
    email = make_user("legal", "GR")
    with app.app_context():
        user = find_user_by_email(email)
        legacy = encode_cookie(f"{user.id}:{accounts.generation_of(user.id)}")
    browser = app.test_client()
    browser.set_cookie("remember_token", legacy)
    assert not _signed_in(browser)


def test_each_sign_in_writes_a_different_remember_cookie(app, make_user, monkeypatch):
    email = make_user("legal", "GR")
    first = _sign_in(app, email).get_cookie("remember_token").value
    later = utcnow() + timedelta(seconds=5)
    monkeypatch.setattr("tracker.web.auth.account.utcnow", lambda: later)  # the next sign-in, a few seconds on
    second = _sign_in(app, email).get_cookie("remember_token").value
    assert first != second
