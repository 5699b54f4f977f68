"""The security log names who, what, when and from where for each sign-in event and refusal; and an
unknown or disabled account costs the same password-hash work as a real one."""
from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from tests.helpers.web import PASSWORD, csrf_token
from tracker import audit
from tracker.database import utcnow
from tracker.extensions import db
from tracker.people import accounts, sessions, sign_in
from tracker.people.operations import find_user_by_email

UA = {"User-Agent": "Mozilla/5.0 \"quoted\"\tforged=line", "Accept-Language": "en"}


@pytest.fixture
def lines(caplog):
    caplog.set_level(logging.INFO, logger="tracker.security")

    def read():
        return [r for r in caplog.records if r.name == "tracker.security"]
    return read


def test_sign_in_failure_and_sign_out_are_logged_with_who_when_and_where(client, make_user, lines):
    email = make_user("legal", "GR")
    token = csrf_token(client, "/login")
    client.post("/login", headers=UA, data={"email": email.upper(), "password": "not it at all", "csrf_token": token})
    client.post("/login", headers=UA, data={"email": email, "password": PASSWORD, "csrf_token": token})
    client.post("/logout", headers=UA, data={"csrf_token": csrf_token(client, "/account/tokens")})
    failed, signed_in, signed_out = lines()
    assert failed.security["event"] == "sign_in_failed" and failed.security["email"] == email
    assert failed.levelno == logging.WARNING
    assert signed_in.security["event"] == "sign_in" and signed_in.security["user_id"] == 1
    assert signed_out.security["event"] == "sign_out" and signed_out.security["email"] == email
    for record in (failed, signed_in, signed_out):
        assert record.security["ip"] == "127.0.0.1" and record.security["at"].startswith(str(utcnow().year))
        message = record.getMessage()
        assert "\n" not in message and PASSWORD not in message and "not it at all" not in message
        assert 'user_agent="Mozilla/5.0 \\"quoted\\"\\tforged=line"' in message  # quoted, on one line


def test_session_expiry_is_logged(client, make_user, login, lines):
    login(make_user("legal", "GR"))
    with client.session_transaction() as held:
        sid = sessions.parse(held["_user_id"])
        held["_user_id"] = str(sessions.SessionId(sid.user_id, sid.generation, utcnow() - timedelta(hours=13), False))
    client.get("/account/tokens")
    [expired] = [r for r in lines() if r.security["event"] == "session_expired"]
    assert expired.security["reason"] == "absolute" and expired.security["user_id"] == 1


def test_refused_pages_and_api_calls_are_logged(client, make_user, login, api, lines):
    login(make_user("legal", "GR"))
    assert client.get("/portal/").status_code == 403
    assert api().get("/contracts").status_code == 401
    records = [r.security for r in lines() if r.security["event"] == "access_refused"]
    assert {(r["status"], r["path"]) for r in records} == {(403, "/portal/"), (401, "/api/v1/contracts")}
    page = next(r for r in records if r["status"] == 403)
    assert page["email"].startswith("legal") and page["user_id"] == 1


def test_unknown_and_disabled_accounts_cost_the_same_hash_check(app, make_user, monkeypatch):
    """Each path checks exactly one hash of the same method and cost (timing itself: BENCHMARKS.md)."""
    checked = []
    real = sign_in.check_password_hash

    def spy(stored, password):
        checked.append(stored.rsplit("$", 2)[0])  # method and cost, without salt and digest
        return real(stored, password)

    monkeypatch.setattr(sign_in, "check_password_hash", spy)
    real_email, disabled_email = make_user("legal", "GR"), make_user("legal", "IB")
    with app.app_context():
        accounts.disable_user(find_user_by_email(disabled_email), actor=audit.SYSTEM, now=utcnow())
        db.session.commit()
        for email, password in ((real_email, "wrong password here"), ("nobody@nowhere.test", PASSWORD),
                                (disabled_email, PASSWORD), (real_email, PASSWORD)):
            before = len(checked)
            sign_in.authenticate(email, password)
            assert len(checked) == before + 1, email
        assert sign_in.authenticate(disabled_email, PASSWORD) is None
    assert len(set(checked)) == 1 and checked[0].startswith(("scrypt:", "pbkdf2:")), checked
