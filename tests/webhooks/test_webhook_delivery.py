"""Webhooks end to end: registered over the API, queued by real changes, delivered by `outbox send` over HTTP."""
from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import timedelta

from tracker.extensions import db
from tracker.models import OutboxMessage, WebhookAttempt, WebhookDelivery

SECRET = "a-long-shared-secret-0123456789"


def _register(api, admin, url, events=("contract.created", "track.event", "document.created", "track.executed")):
    answer = api(admin).post("/webhooks", json={"url": url, "secret": SECRET, "events": list(events)})
    assert answer.status_code == 201, answer.text
    assert "secret" not in answer.json()
    return answer.json()["id"]


def _send(app, now):
    result = app.test_cli_runner().invoke(args=["outbox", "send", "--now", now.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_receiver_gets_signed_deliveries_of_real_changes(app, api, make_user, make_sponsor, receiver, now):
    admin = make_user("admin")
    _register(api, admin, receiver.url)
    staff = api(make_user("legal", "GR"))
    sponsor_id = make_sponsor()
    created = staff.post("/contracts", json={
        "sponsor_id": sponsor_id, "title": "A phase I trial", "protocol_number": "P-1", "phase": "I",
        "coordinating_site": "GR", "sites": ["GR", "IB"], "received_on": (now - timedelta(days=3)).date().isoformat()})
    reference = created.json()["reference"]
    assert staff.post(f"/contracts/{reference}/events", json={"site": "GR", "action": "mark_complete"}).status_code == 201

    output = _send(app, now + timedelta(seconds=5))
    assert "Webhooks delivered 2, failed 0." in output
    events = []
    for headers, body in receiver.received:
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(headers["X-Tracker-Signature"], expected)
        payload = json.loads(body)
        assert payload["id"] == headers["X-Tracker-Delivery"] and headers["Content-Type"] == "application/json"
        events.append((payload["event"], payload["data"]))
    assert [e for e, _ in events] == ["contract.created", "track.event"]
    assert events[0][1]["contract"]["reference"] == reference and events[0][1]["contract"]["sites"] == ["GR", "IB"]
    assert events[1][1]["event"]["action"] == "mark_complete" and events[1][1]["track"]["stage"] == "review"

    # The admin's delivery list shows each attempt with its status and answer time.
    hook_id = api(admin).get("/webhooks").json()["webhooks"][0]["id"]
    deliveries = api(admin).get(f"/webhooks/{hook_id}/deliveries").json()["deliveries"]
    assert {d["status"] for d in deliveries} == {"delivered"}
    assert all(d["attempt_log"][0]["status_code"] == 200 and d["attempt_log"][0]["duration_ms"] >= 0
               for d in deliveries)
    assert _send(app, now + timedelta(seconds=10)).strip() == "Sent 0, failed 0."  # nothing twice


def test_a_failing_receiver_gets_retries_with_the_same_delivery_id_then_the_admins_are_told(
        app, api, make_user, make_sponsor, make_contract, receiver, now, smtp):
    admin = make_user("admin")
    _register(api, admin, receiver.url, events=["contract.created"])
    receiver.status = 500
    make_contract(make_sponsor(), now=now)
    _send(app, now + timedelta(seconds=1))
    _send(app, now + timedelta(seconds=2))  # too early: the backoff has not passed
    assert len(receiver.received) == 1
    _send(app, now + timedelta(minutes=1))
    _send(app, now + timedelta(minutes=3))
    ids = {headers["X-Tracker-Delivery"] for headers, _ in receiver.received}
    bodies = {body for _, body in receiver.received}
    assert len(receiver.received) == 3 and len(ids) == 1 and len(bodies) == 1

    # Still failing a day later: given up, and every admin hears of it.
    output = _send(app, now + timedelta(hours=24, minutes=1))
    assert "Webhooks delivered 0, failed 1." in output
    with app.app_context():
        delivery = db.session.execute(db.select(WebhookDelivery)).scalar_one()
        assert delivery.status == "given_up" and delivery.attempts == 4 and delivery.last_status_code == 500
        assert db.session.execute(db.select(db.func.count(WebhookAttempt.id))).scalar() == 4
        assert db.session.execute(db.select(OutboxMessage.kind)).scalars().all() == ["webhook_failed"]
    _send(app, now + timedelta(hours=24, minutes=2))
    mail = smtp.box.to(admin)
    assert len(mail) == 1 and "contract.created" in mail[0].subject and receiver.url in mail[0].part("plain")
    assert len(receiver.received) == 4  # given up: never again


def test_a_slow_receiver_does_not_hold_the_sender(app, api, make_user, make_sponsor, make_contract, receiver, now):
    _register(api, make_user("admin"), receiver.url, events=["contract.created"])
    receiver.delay = 12
    sponsor_id = make_sponsor()
    for _ in range(3):
        make_contract(sponsor_id, now=now)
    started = time.monotonic()
    output = _send(app, now + timedelta(seconds=1))
    took = time.monotonic() - started
    # One timeout for this receiver; its other deliveries wait for the next run.
    assert took < 9, took
    assert "Webhooks delivered 0, failed 1." in output
    with app.app_context():
        statuses = db.session.execute(db.select(WebhookDelivery.status, WebhookDelivery.attempts)).all()
        assert sorted(statuses) == [("queued", 0), ("queued", 0), ("queued", 1)]


def test_a_dead_receiver_is_a_failed_attempt(app, api, make_user, make_sponsor, make_contract, receiver, now):
    url = receiver.url
    receiver.stop()
    _register(api, make_user("admin"), url, events=["contract.created"])
    make_contract(make_sponsor(), now=now)
    assert "Webhooks delivered 0, failed 1." in _send(app, now + timedelta(seconds=1))
    with app.app_context():
        attempt = db.session.execute(db.select(WebhookAttempt)).scalar_one()
        assert attempt.status_code is None and attempt.error
