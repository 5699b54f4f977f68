"""Brute force: failed sign-ins per account (5 in 15 minutes) and all attempts per address (60 a minute),
held across processes through the database, or through Redis when it is configured."""
from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta, timezone

import pytest
import requests

from tests.helpers.live_servers import redis_db, servers  # noqa: F401  (the worker's Redis db, real server processes)
from tests.helpers.web import PASSWORD, csrf_token
from tests.helpers.workers import redis_url
from tracker.extensions import db
from tracker.people import sign_in_limits
from tracker.people.sign_in import sign_in

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)
EN = {"Accept-Language": "en"}


@pytest.fixture(params=["database", "redis"])
def failures(request, app):
    if request.param == "redis":
        return sign_in_limits.store_for(request.getfixturevalue("redis_db"))
    return sign_in_limits.store_for(None)


def _try(app, email, password, now, failures):
    with app.app_context():
        result = sign_in(email, password, now=now, failures=failures)
        db.session.commit()
        return result.outcome, result.locked_for


def test_five_failures_in_fifteen_minutes_lock_the_account_for_the_rest_of_the_window(app, make_user, failures):
    email = make_user("legal", "GR")
    for minute in range(4):
        assert _try(app, email, "wrong guess", T0 + timedelta(minutes=minute), failures)[0] == "wrong"
    outcome, left = _try(app, email, "wrong guess", T0 + timedelta(minutes=4), failures)
    assert outcome == "lockout" and left == timedelta(minutes=11)  # until the first failure is 15 minutes old
    outcome, left = _try(app, email, PASSWORD, T0 + timedelta(minutes=10), failures)
    assert outcome == "locked" and left == timedelta(minutes=5)  # even the right password waits
    assert _try(app, email, PASSWORD, T0 + timedelta(minutes=15), failures)[0] == "ok"


def test_a_success_clears_the_count_and_old_failures_do_not_count(app, make_user, failures):
    email = make_user("legal", "GR")
    for minute in range(4):
        _try(app, email, "wrong guess", T0 + timedelta(minutes=minute), failures)
    assert _try(app, email, PASSWORD, T0 + timedelta(minutes=5), failures)[0] == "ok"
    for minute in range(4):
        assert _try(app, email, "wrong", T0 + timedelta(minutes=6 + minute), failures)[0] == "wrong"
    # Failures 20 minutes apart never make five within a window.
    other = make_user("legal", "IB")
    for step in range(8):
        assert _try(app, other, "wrong", T0 + timedelta(minutes=20 * step), failures)[0] == "wrong"


def test_without_redis_the_count_falls_back_to_the_database(app, make_user):
    email = make_user("legal", "GR")
    unreachable = sign_in_limits.RedisFailures("redis://127.0.0.1:1/0")  # nothing listens on port 1
    outcomes = [_try(app, email, "guess", T0 + timedelta(seconds=s), unreachable)[0] for s in range(6)]
    assert outcomes == ["wrong"] * 4 + ["lockout", "locked"]
    assert _try(app, email, PASSWORD, T0 + timedelta(minutes=20), unreachable)[0] == "ok"


def test_the_limiter_stores_in_redis_when_it_is_set(monkeypatch, tmp_path):
    from tracker.config import load_config

    monkeypatch.delenv("TRACKER_REDIS_URL", raising=False)
    assert load_config(str(tmp_path))["RATELIMIT_STORAGE_URI"] == "memory://"
    monkeypatch.setenv("TRACKER_REDIS_URL", redis_url(0))
    config = load_config(str(tmp_path))
    assert config["RATELIMIT_STORAGE_URI"] == redis_url(0) and config["REDIS_URL"] == redis_url(0)


def test_an_address_without_account_is_locked_like_any_other(app, failures):
    outcomes = [_try(app, "nobody@nowhere.test", "guess", T0 + timedelta(seconds=s), failures)[0] for s in range(6)]
    assert outcomes == ["wrong"] * 4 + ["lockout", "locked"]


def test_the_sign_in_page_says_when_to_try_again_and_logs_the_lockout(client, make_user, caplog):
    email = make_user("legal", "GR")
    caplog.set_level(logging.INFO, logger="tracker.security")
    token = csrf_token(client, "/login")
    answers = [client.post("/login", headers=EN, data={"email": email, "password": "wrong guess",
                                                        "csrf_token": token}) for _ in range(5)]
    assert [a.status_code for a in answers] == [422] * 4 + [429]
    assert "Too many attempts; try again in 15 minutes." in answers[-1].get_data(as_text=True)
    right = client.post("/login", headers=EN, data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert right.status_code == 429 and client.get("/account/tokens").status_code == 302
    events = [r.security["event"] for r in caplog.records if r.name == "tracker.security"]
    assert events == ["sign_in_failed"] * 4 + ["locked_out", "sign_in_failed"]
    assert all(PASSWORD not in r.getMessage() and "wrong guess" not in r.getMessage() for r in caplog.records)


# -- across processes ------------------------------------------------------------------------------------

class Browser:
    def __init__(self, base):
        self.base, self.http = base, requests.Session()
        self.http.headers["Accept-Language"] = "en"

    def sign_in(self, email, password):
        page = self.http.get(self.base + "/login", timeout=30).text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        return self.http.post(self.base + "/login", data={"email": email, "password": password,
                                                          "csrf_token": token}, allow_redirects=False, timeout=30)


@pytest.mark.parametrize("shared", ["database", "redis"])
def test_failures_count_across_processes(app, make_user, servers, redis_db, shared):
    email = make_user("legal", "GR")
    first, second = (Browser(b) for b in servers(2, redis_db if shared == "redis" else None))
    statuses = [(first if n % 2 else second).sign_in(email, "wrong guess").status_code for n in range(5)]
    assert statuses == [422] * 4 + [429]
    locked = first.sign_in(email, PASSWORD)
    assert locked.status_code == 429 and "try again in 15 minutes" in locked.text
    with app.app_context():
        stored = db.session.execute(db.select(db.func.count()).select_from(db.Model.metadata.tables[
            "sign_in_failures"])).scalar()
    assert stored == (5 if shared == "database" else 0)  # with Redis the count lives there


def test_attempts_per_address_are_limited_across_processes_through_redis(make_user, servers, redis_db):
    email = make_user("legal", "GR")
    first, second = (Browser(b) for b in servers(2, redis_db))
    statuses = [(first if n % 2 else second).sign_in(email, "wrong guess").status_code for n in range(60)]
    assert 200 not in statuses and 429 in statuses  # the account locked on the way
    refused = second.sign_in("someone.else@gr.test", "another guess")
    assert refused.status_code == 429 and "Too many attempts; try again in 1 minute." in refused.text
    assert refused.headers["Retry-After"].isdigit()
