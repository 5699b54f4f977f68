"""Requests that only read do not queue behind writers; their rare writes still go through atomic()."""
from __future__ import annotations

import sqlite3
import time
from datetime import timedelta

import pytest
from flask import Flask

from tracker import create_app
from tracker.database import utcnow
from tracker.extensions import db
from tracker.models import ApiToken


def _sqlite_path(app: Flask) -> str:
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("the write lock that readers must not wait for is SQLite's")
        return db.engine.url.database


def test_a_reader_is_answered_while_a_writer_holds_the_lock(app, client, make_sponsor, make_user, token_for,
                                                            make_contract):
    """Before, every request began with BEGIN IMMEDIATE and waited for the busy timeout behind any writer."""
    path = _sqlite_path(app)
    sponsor = make_sponsor()
    reference = make_contract(sponsor)
    token = token_for(make_user("legal", "GR"))
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/api/v1/contracts/{reference}", headers=headers).status_code == 200  # last use noted

    writer = sqlite3.connect(path, isolation_level=None, timeout=1)
    writer.execute("BEGIN IMMEDIATE")
    try:
        started = time.perf_counter()
        answer = client.get(f"/api/v1/contracts/{reference}", headers=headers)
        waited = time.perf_counter() - started
        page = client.get("/api/v1/contracts", headers=headers)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert answer.status_code == 200 and answer.json["reference"] == reference
    assert page.status_code == 200 and [c["reference"] for c in page.json["contracts"]] == [reference]
    assert waited < 5, "the read waited for the writer's lock"


def test_a_write_from_a_reading_request_waits_for_the_lock_then_lands(app, client, make_user, token_for, now):
    """A stale "last used" time is written by a GET: it takes the lock like any write, after the reader part."""
    token = token_for(make_user("legal", "GR"))
    with app.app_context():
        row = db.session.execute(db.select(ApiToken)).scalar_one()
        row.last_used_at = now - timedelta(days=3)
        db.session.commit()
    assert client.get("/api/v1/contracts", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    with app.app_context():
        used = db.session.execute(db.select(ApiToken.last_used_at)).scalar_one()
    assert used > now - timedelta(minutes=1)


def test_the_last_use_is_written_at_most_once_a_minute(app, client, make_user, token_for, now):
    token = token_for(make_user("legal", "GR"))
    headers = {"Authorization": f"Bearer {token}"}
    client.get("/api/v1/contracts", headers=headers)
    with app.app_context():
        first = db.session.execute(db.select(ApiToken.last_used_at)).scalar_one()
    client.get("/api/v1/contracts", headers=headers)
    with app.app_context():
        assert db.session.execute(db.select(ApiToken.last_used_at)).scalar_one() == first


@pytest.fixture
def probe_app(app):
    """A second app on the same database with two routes that write from a GET: one right, one wrong."""
    probe = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                        "SECRET_KEY": "probe", "RATELIMIT_ENABLED": False})
    from tracker.models import Sponsor
    from tracker.transaction import atomic

    @probe.get("/probe/right")
    def right():
        with atomic():
            db.session.add(Sponsor(name="Written inside atomic", country="FR", created_at=utcnow()))
        return "ok"

    @probe.get("/probe/wrong")
    def wrong():
        db.session.add(Sponsor(name="Written outside atomic", country="FR", created_at=utcnow()))
        db.session.commit()
        return "ok"

    yield probe
    with probe.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_reading_request_writes_only_through_atomic(probe_app, app):
    from tracker.models import Sponsor

    client = probe_app.test_client()
    assert client.get("/probe/right").status_code == 200
    with pytest.raises(RuntimeError, match="outside atomic"):
        client.get("/probe/wrong")
    with app.app_context():
        names = set(db.session.execute(db.select(Sponsor.name)).scalars())
    assert "Written inside atomic" in names
    assert "Written outside atomic" not in names
