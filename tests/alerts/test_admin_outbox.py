"""The admin outbox page: failures are visible with their error, and can be sent again."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tracker.mail.window import load_windows
from tracker.extensions import db
from tracker.models import AuditEntry, OutboxMessage

from tests.helpers.clock import paris
from tests.helpers.web import csrf_token

EN = {"Accept-Language": "en"}


def _fail_ten_times(desk, smtp) -> dict:
    desk.make_user("legal", "GR")
    desk.contract("2026-10-01")
    desk.sweep("2026-10-13 09:00")
    smtp.stop()
    now = paris("2026-10-13 09:00")
    for _attempt in range(10):
        desk.send(now)
        now = desk.outbox()[0]["not_before"]
    smtp.start()
    (row,) = desk.outbox()
    assert row["status"] == "failed"
    return row


def test_only_admins_reach_the_outbox(client, make_user, login):
    assert client.get("/admin/outbox").status_code == 302  # to the sign-in page
    login(make_user("manager", "GR"))
    assert client.get("/admin/outbox", headers=EN).status_code == 403
    token = csrf_token(client, "/")
    assert client.post("/admin/outbox/1/retry", data={"csrf_token": token}).status_code == 403


def test_a_failed_message_shows_its_error_and_is_sent_again(app, client, desk, smtp, make_user, login):
    row = _fail_ten_times(desk, smtp)
    login(make_user("admin", None))
    page = client.get("/admin/outbox?status=failed", headers=EN)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'id="message-{row["id"]}"' in html
    assert "Connection refused" in html and "Send again" in html and "Failed (1)" in html
    assert "Sent (0)" in html

    token = csrf_token(client, "/admin/outbox?status=failed")
    response = client.post(f"/admin/outbox/{row['id']}/retry?status=failed", data={"csrf_token": token},
                           headers=EN)
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/outbox?status=failed")
    (queued,) = desk.outbox()
    assert (queued["status"], queued["attempts"]) == ("queued", 0)
    with app.app_context():
        assert db.session.execute(db.select(AuditEntry).where(
            AuditEntry.entity == "outbox", AuditEntry.entity_id == str(row["id"]))).scalar_one().new_value == "queued"
    with app.app_context():  # retried "now" (the real clock): it leaves in the site's next working hour
        opening = load_windows()[row["site_id"]].next_opening(datetime.now(timezone.utc))
    assert desk.send(opening + timedelta(minutes=1)) == (1, 0)
    assert len(smtp.received) == 1

    again = client.post(f"/admin/outbox/{row['id']}/retry", data={"csrf_token": token}, headers=EN,
                        follow_redirects=True)
    assert "Only a failed message can be sent again." in again.get_data(as_text=True)
    assert desk.outbox()[0]["status"] == "sent"


def test_the_outbox_is_paginated_and_filtered(app, client, desk, make_user, login):
    [desk.make_user("legal", "GR") for _ in range(30)]
    desk.contract("2026-10-01")
    desk.sweep("2026-10-13 09:00")
    login(make_user("admin", None))
    first = client.get("/admin/outbox", headers=EN).get_data(as_text=True)
    assert first.count('id="message-') == app.config["PAGE_SIZE"] and "Page 1 of 2" in first
    second = client.get("/admin/outbox?page=2", headers=EN).get_data(as_text=True)
    assert second.count('id="message-') == 30 - app.config["PAGE_SIZE"]
    assert client.get("/admin/outbox?status=sent", headers=EN).get_data(as_text=True).count('id="message-') == 0
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(OutboxMessage.id))).scalar() == 30
