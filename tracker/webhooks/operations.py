"""Registering webhooks, removing them, and queueing their deliveries (SPEC 4).

A delivery is queued in the transaction of the change it tells about, like an outbox
mail: a change that rolls back sends nothing, and one that commits loses nothing.
"""
from __future__ import annotations

import json
import secrets
import uuid
from datetime import datetime
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

from tracker import audit
from tracker.errors import InvalidInput, NotFound
from tracker.extensions import db
from tracker.models import Webhook, WebhookDelivery
from tracker.webhooks.payloads import EVENTS

MAX_URL = 2000
MIN_SECRET, MAX_SECRET = 16, 200


def new_secret() -> str:
    """A secret to offer an admin who has none of their own."""
    return secrets.token_urlsafe(32)


def _check_url(raw, errors: dict) -> str:
    url = raw.strip() if isinstance(raw, str) else ""
    if not url:
        errors["url"] = str(_l("Give the address to deliver to, starting with https:// or http://."))
        return url
    if len(url) > MAX_URL:
        errors["url"] = str(_l("At most %(n)d characters.", n=MAX_URL))
        return url
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        errors["url"] = str(_l("This is not a valid address."))
        return url
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        errors["url"] = str(_l("Only http:// and https:// addresses can receive webhooks."))
    elif parts.username is not None or parts.password is not None:
        errors["url"] = str(_l("Put no user name or password in the address; the secret signs each delivery."))
    elif any(c.isspace() for c in url):
        errors["url"] = str(_l("This is not a valid address."))
    return url


def _check_secret(raw, errors: dict) -> str:
    secret = raw if isinstance(raw, str) else ""
    if not MIN_SECRET <= len(secret) <= MAX_SECRET or not secret.isprintable() or secret != secret.strip():
        errors["secret"] = str(_l("Give a secret of %(low)d to %(high)d printable characters.",
                                  low=MIN_SECRET, high=MAX_SECRET))
    return secret


def _check_events(raw, errors: dict) -> list[str]:
    if not isinstance(raw, list) or not raw or not all(isinstance(e, str) for e in raw) \
            or not set(raw) <= set(EVENTS):
        errors["events"] = str(_l("Choose one or more of: %(all)s.", all=", ".join(EVENTS)))
        return []
    return [e for e in EVENTS if e in raw]


def register(data: dict, *, actor: audit.Actor, now: datetime) -> Webhook:
    """Add a webhook from ``{url, secret, events}``; refuse (422, naming each field) and store nothing if wrong."""
    errors: dict[str, str] = {}
    url = _check_url(data.get("url"), errors)
    secret = _check_secret(data.get("secret"), errors)
    events = _check_events(data.get("events"), errors)
    if errors:
        raise InvalidInput(errors)
    hook = Webhook(url=url, secret=secret, events=events, active=True, created_at=now, created_by_id=actor.user_id)
    db.session.add(hook)
    db.session.flush()
    # The secret is not written to the audit trail: whoever reads the trail could sign deliveries.
    audit.record(actor, "webhook", hook.id, {"url": (None, url), "events": (None, events)}, now=now)
    return hook


def live(hook_id) -> Webhook:
    hook = db.session.get(Webhook, hook_id) if isinstance(hook_id, int) else None
    if hook is None or hook.deleted_at is not None:
        raise NotFound(str(_l("There is no such webhook.")))
    return hook


def remove(hook: Webhook, *, actor: audit.Actor, now: datetime) -> None:
    """Stop a webhook: nothing more is queued or sent to it; its deliveries stay listed."""
    hook.active, hook.deleted_at = False, now
    db.session.execute(db.update(WebhookDelivery).where(
        WebhookDelivery.webhook_id == hook.id, WebhookDelivery.status == "queued").values(
        status="given_up", last_error="webhook deleted"), execution_options={"synchronize_session": False})
    audit.record(actor, "webhook", hook.id, {"active": (True, False)}, now=now)


def active_hooks(event: str) -> list[Webhook]:
    hooks = db.session.execute(db.select(Webhook).where(Webhook.active.is_(True), Webhook.deleted_at.is_(None))
                               .order_by(Webhook.id)).scalars().all()
    return [h for h in hooks if event in (h.events or [])]


def queue(event: str, data: dict, *, now: datetime, contract_id: int | None = None,
          hooks: list[Webhook] | None = None) -> int:
    """Queue one delivery of ``event`` to every active webhook that wants it; return how many."""
    hooks = active_hooks(event) if hooks is None else hooks
    for hook in hooks:
        delivery_id = str(uuid.uuid4())
        body = json.dumps({"id": delivery_id, "event": event, "created_at": now.isoformat(), "data": data},
                          ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        db.session.add(WebhookDelivery(uuid=delivery_id, webhook_id=hook.id, event=event, contract_id=contract_id,
                                       body=body, status="queued", attempts=0, created_at=now, next_attempt_at=now))
    return len(hooks)
