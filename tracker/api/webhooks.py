"""Webhooks over the API (admin): register a receiver, list them, delete one, see its deliveries."""
from __future__ import annotations

from flask import jsonify

from tracker.access import caller, role_required
from tracker.api import bp, now
from tracker.api.errors import json_body
from tracker.api.serializers import iso
from tracker.audit import Actor
from tracker.extensions import db
from tracker.models import Webhook, WebhookDelivery
from tracker.transaction import atomic
from tracker.webhooks import operations

MAX_DELIVERIES = 200


def webhook_json(hook: Webhook) -> dict:
    """A webhook as the API shows it: never its secret."""
    return {"id": hook.id, "url": hook.url, "events": list(hook.events or []), "active": hook.active,
            "created_at": iso(hook.created_at)}


def delivery_json(row: WebhookDelivery) -> dict:
    return {"id": row.uuid, "event": row.event, "status": row.status, "attempts": row.attempts,
            "created_at": iso(row.created_at), "next_attempt_at": iso(row.next_attempt_at),
            "delivered_at": iso(row.delivered_at), "last_status_code": row.last_status_code,
            "attempt_log": [{"at": iso(a.started_at), "status_code": a.status_code, "duration_ms": a.duration_ms,
                             "error": a.error} for a in row.attempt_log]}


@bp.post("/webhooks")
@role_required("admin")
def post_webhook():
    """Register a webhook ``{url, secret, events}`` (admin)."""
    data = json_body()
    with atomic():
        hook = operations.register(data, actor=Actor.of(caller()), now=now())
        body = webhook_json(hook)
    return jsonify(body), 201


@bp.get("/webhooks")
@role_required("admin")
def list_webhooks():
    """The webhooks in use (admin)."""
    hooks = db.session.execute(db.select(Webhook).where(Webhook.deleted_at.is_(None)).order_by(Webhook.id)).scalars()
    return jsonify({"webhooks": [webhook_json(h) for h in hooks]})


@bp.delete("/webhooks/<int:hook_id>")
@role_required("admin")
def delete_webhook(hook_id: int):
    """Stop a webhook; its queued deliveries are dropped, its history stays (admin)."""
    with atomic():
        operations.remove(operations.live(hook_id), actor=Actor.of(caller()), now=now())
    return "", 204


@bp.get("/webhooks/<int:hook_id>/deliveries")
@role_required("admin")
def list_deliveries(hook_id: int):
    """The latest deliveries of a webhook with each attempt's status and answer time (admin)."""
    hook = operations.live(hook_id)
    rows = db.session.execute(db.select(WebhookDelivery).where(WebhookDelivery.webhook_id == hook.id)
                              .order_by(WebhookDelivery.id.desc()).limit(MAX_DELIVERIES)).scalars()
    return jsonify({"deliveries": [delivery_json(r) for r in rows]})
