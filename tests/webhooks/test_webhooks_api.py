"""Registering webhooks over the API: admins only, clear refusals, nothing stored on bad input."""
from __future__ import annotations

import pytest

from tracker.extensions import db
from tracker.models import AuditEntry, Webhook

GOOD = {"url": "https://ctms.example.com/tracker", "secret": "s" * 20, "events": ["track.event"]}


@pytest.mark.parametrize("change, field", [
    ({"url": "ftp://ctms.example.com/x"}, "url"),
    ({"url": "file:///etc/passwd"}, "url"),
    ({"url": "javascript:alert(1)"}, "url"),
    ({"url": "https://user:pw@ctms.example.com/"}, "url"),
    ({"url": "https://"}, "url"),
    ({"url": "https://ctms.example.com:99999/"}, "url"),
    ({"url": ""}, "url"),
    ({"url": 12}, "url"),
    ({"secret": "short"}, "secret"),
    ({"secret": None}, "secret"),
    ({"events": []}, "events"),
    ({"events": ["contract.deleted"]}, "events"),
    ({"events": "track.event"}, "events"),
])
def test_bad_input_is_refused_naming_the_field(app, api, make_user, change, field):
    answer = api(make_user("admin")).post("/webhooks", json={**GOOD, **change})
    assert answer.status_code == 422 and field in answer.json()["error"]["fields"]
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Webhook.id))).scalar() == 0


@pytest.mark.parametrize("role", ["legal", "manager", "sponsor"])
def test_only_admins_may_manage_webhooks(api, make_user, make_sponsor, role):
    if role == "sponsor":
        make_sponsor()
    client = api(make_user(role, sponsor="Novacure Oncology SA" if role == "sponsor" else None))
    assert client.post("/webhooks", json=GOOD).status_code == 403
    assert client.get("/webhooks").status_code == 403
    assert client.session.delete(client.base + "/webhooks/1").status_code == 403


def test_register_list_and_delete(app, api, make_user):
    admin = api(make_user("admin"))
    created = admin.post("/webhooks", json={**GOOD, "events": ["track.executed", "contract.created"]})
    assert created.status_code == 201
    body = created.json()
    assert body["events"] == ["contract.created", "track.executed"] and "secret" not in body
    assert [h["id"] for h in admin.get("/webhooks").json()["webhooks"]] == [body["id"]]
    assert admin.session.delete(f"{admin.base}/webhooks/{body['id']}").status_code == 204
    assert admin.get("/webhooks").json()["webhooks"] == []
    assert admin.session.delete(f"{admin.base}/webhooks/{body['id']}").status_code == 404
    with app.app_context():
        entries = db.session.execute(db.select(AuditEntry).where(AuditEntry.entity == "webhook")).scalars().all()
        assert entries and all(GOOD["secret"] not in repr(e.__dict__) for e in entries)


def test_the_description_has_a_webhooks_section(api):
    spec = api().get("/openapi.json").json()
    assert set(spec["webhooks"]) == {"contract.created", "track.event", "document.created", "track.executed"}
    headers = {p["name"] for p in spec["webhooks"]["track.event"]["post"]["parameters"]}
    assert {"X-Tracker-Signature", "X-Tracker-Delivery"} <= headers
