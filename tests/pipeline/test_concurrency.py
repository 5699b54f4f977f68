"""Two people act on the same track at the same moment, through two server processes.

Real processes and real HTTP, on whichever database the suite runs on (SQLite
file or PostgreSQL): exactly one wins, the other hears 409, and the database
holds one event and one audit trail, never two and never none.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest
import requests

from tests.helpers.clock import now
from tracker import ROOT, audit
from tracker.extensions import db
from tracker.models import AuditEntry, Contract, Event
from tracker.pipeline.operations import apply_action

ROUNDS = 8
LAUNCH = """
from werkzeug.serving import make_server
from tracker import create_app
server = make_server("127.0.0.1", 0, create_app(), threaded=True)
print(server.server_port, flush=True)
server.serve_forever()
"""


@pytest.fixture(scope="module")
def servers(app):
    """Two separate server processes on the test database."""
    env = {**os.environ, "TRACKER_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "TRACKER_SECRET_KEY": "concurrency-test", "PYTHONPATH": str(ROOT)}
    processes = [subprocess.Popen([sys.executable, "-c", LAUNCH], cwd=ROOT, env=env, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) for _ in range(2)]
    try:
        bases = []
        for process in processes:
            line = process.stdout.readline()  # the port, once the app is built
            assert line.strip().isdigit(), f"server did not start (exit {process.poll()})"
            bases.append(f"http://127.0.0.1:{line.strip()}/api/v1")
        yield bases
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def _race(requests_to_send):
    """Send each (url, token, body) from its own thread, all released at once; the responses in order."""
    barrier = threading.Barrier(len(requests_to_send))
    results = [None] * len(requests_to_send)

    def send(i, url, token, body):
        with requests.Session() as session:
            session.headers["Authorization"] = f"Bearer {token}"
            barrier.wait(timeout=10)
            response = session.post(url, json=body, timeout=30)
            results[i] = (response.status_code, response.json())

    threads = [threading.Thread(target=send, args=(i, *r)) for i, r in enumerate(requests_to_send)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=40)
    assert all(r is not None for r in results), "a request did not come back"
    return results


@pytest.fixture
def people(app, make_sponsor, make_user, token_for):
    sponsor_id = make_sponsor()
    legal_a, legal_b = make_user("legal", "GR"), make_user("legal", "GR")
    manager_ib = make_user("manager", "IB")
    return {"sponsor_id": sponsor_id, "tokens": [token_for(legal_a), token_for(legal_b)],
            "ib_token": token_for(manager_ib)}


def _drive(app, reference, steps):
    with app.app_context():
        contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
        for site, action, party in steps:
            track = next(t for t in contract.tracks if t.site.code == site)
            apply_action(track, action, actor=audit.SYSTEM, now=now(), party=party)
        db.session.commit()


def _track_facts(app, reference, site):
    with app.app_context():
        contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
        track = next(t for t in contract.tracks if t.site.code == site)
        events = db.session.execute(db.select(Event.action, Event.party).where(Event.track_id == track.id)
                                    .order_by(Event.seq)).all()
        audit_rows = db.session.execute(db.select(AuditEntry.field, AuditEntry.new_value).where(
            AuditEntry.entity == "track", AuditEntry.entity_id == str(track.id)).order_by(AuditEntry.id)).all()
        return {"stage": track.stage, "version": track.version, "events": [tuple(e) for e in events],
                "audit": [tuple(r) for r in audit_rows], "status": contract.status}


def _one_winner(results):
    statuses = sorted(status for status, _body in results)
    assert statuses == [201, 409], results
    loser = next(body for status, body in results if status == 409)
    assert loser["error"]["code"] == "conflict" and loser["error"]["message"]
    return next(body for status, body in results if status == 201)


def test_two_people_mark_complete_at_once(app, servers, people, make_contract):
    started = time.monotonic()
    references = [make_contract(people["sponsor_id"]) for _ in range(ROUNDS)]
    for reference in references:
        before = _track_facts(app, reference, "GR")
        body = {"site": "GR", "action": "mark_complete"}
        results = _race([(f"{base}/contracts/{reference}/events", token, body)
                         for base, token in zip(servers, people["tokens"])])
        winner = _one_winner(results)
        assert (winner["action"], winner["to_stage"]) == ("mark_complete", "review")
        after = _track_facts(app, reference, "GR")
        assert after["stage"] == "review"
        assert after["events"] == before["events"] + [("mark_complete", None)]
        assert after["audit"] == before["audit"] + [("stage", "review")]
        assert after["version"] > before["version"]
    with app.app_context():
        assert audit.verify(db.session) is None
    assert time.monotonic() - started < 20


def test_two_people_record_the_same_signature_at_once(app, servers, people, make_contract):
    references = [make_contract(people["sponsor_id"]) for _ in range(ROUNDS)]
    for reference in references:
        _drive(app, reference, [("GR", "mark_complete", None), ("GR", "agree", None)])
        before = _track_facts(app, reference, "GR")
        body = {"site": "GR", "action": "sign", "party": "institution"}
        results = _race([(f"{base}/contracts/{reference}/events", token, body)
                         for base, token in zip(servers, people["tokens"])])
        winner = _one_winner(results)
        assert winner["party"] == "institution"
        after = _track_facts(app, reference, "GR")
        assert after["events"] == before["events"] + [("sign", "institution")]
        assert [r for r in after["audit"] if r[0] == "institution_signed_at"] == [
            ("institution_signed_at", winner["effective_at"])]
    with app.app_context():
        assert audit.verify(db.session) is None


def test_both_sites_last_signatures_at_once_execute_the_contract(app, servers, people, make_contract):
    """Different tracks of one contract: both land, and the contract is executed, not left open."""
    references = [make_contract(people["sponsor_id"]) for _ in range(ROUNDS)]
    for reference in references:
        _drive(app, reference, [("GR", "mark_complete", None), ("GR", "agree", None), ("IB", "conformity_ok", None),
                                ("GR", "sign", "institution"), ("GR", "sign", "investigator"),
                                ("IB", "sign", "institution"), ("IB", "sign", "investigator")])
        results = _race([
            (f"{servers[0]}/contracts/{reference}/events", people["tokens"][0],
             {"site": "GR", "action": "sign", "party": "sponsor"}),
            (f"{servers[1]}/contracts/{reference}/events", people["ib_token"],
             {"site": "IB", "action": "sign", "party": "sponsor"}),
        ])
        assert [status for status, _body in results] == [201, 201], results
        facts = _track_facts(app, reference, "GR")
        assert facts["stage"] == "executed" and facts["status"] == "executed"
        with app.app_context():
            contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
            assert contract.executed_sites == "2/2"
            status_rows = db.session.execute(db.select(AuditEntry.new_value).where(
                AuditEntry.entity == "contract", AuditEntry.entity_id == str(contract.id),
                AuditEntry.field == "status").order_by(AuditEntry.id)).scalars().all()
            assert status_rows == ["open", "executed"]
