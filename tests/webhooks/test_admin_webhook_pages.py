"""The admin's webhook pages: add one (with clear refusals), see its deliveries, delete it after confirming."""
from __future__ import annotations

from datetime import timedelta

from tests.helpers.web import csrf_token
from tracker.extensions import db
from tracker.models import Webhook

EN = {"Accept-Language": "en"}


def test_add_see_deliveries_and_delete(app, client, login, make_user, make_sponsor, make_contract, receiver, now):
    login(make_user("admin"))
    page = client.get("/admin/webhooks", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Ajouter un webhook" in page
    token = csrf_token(client, "/admin/webhooks")

    refused = client.post("/admin/webhooks", data={"csrf_token": token, "url": "ftp://x.example/",
                                                   "secret": "s" * 20, "events": ["track.event"]},
                          headers=EN)
    assert refused.status_code == 422 and "Only http:// and https://" in refused.get_data(as_text=True)

    added = client.post("/admin/webhooks", data={"csrf_token": token, "url": receiver.url, "secret": "s" * 20,
                                                 "events": ["contract.created"]})
    assert added.status_code == 302
    with app.app_context():
        hook_id = db.session.execute(db.select(Webhook.id)).scalar_one()
    listed = client.get("/admin/webhooks").get_data(as_text=True)
    assert receiver.url in listed and "s" * 20 not in listed

    make_contract(make_sponsor(), now=now)
    result = app.test_cli_runner().invoke(args=["outbox", "send", "--now", (now + timedelta(seconds=1)).isoformat()])
    assert "Webhooks delivered 1" in result.output
    deliveries = client.get(f"/admin/webhooks/{hook_id}/deliveries", headers=EN).get_data(as_text=True)
    assert "contract.created" in deliveries and "answered HTTP 200 in" in deliveries and "Delivered" in deliveries

    confirm = client.get(f"/admin/webhooks/{hook_id}/delete", headers=EN)
    assert confirm.status_code == 200 and "Delete this webhook?" in confirm.get_data(as_text=True)
    assert client.post(f"/admin/webhooks/{hook_id}/delete", data={"csrf_token": token}, headers=EN).status_code == 302
    after = client.get("/admin/webhooks", headers=EN).get_data(as_text=True)
    assert "is deleted" in after and f'id="webhook-{hook_id}"' not in after
    assert client.get(f"/admin/webhooks/{hook_id}/deliveries").status_code == 200  # the history stays
