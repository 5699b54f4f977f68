"""Telling the admins that a webhook delivery was given up (SPEC 4), through the outbox.

The mail goes out with the next run of the sender, at any hour, like the other mails
that answer an event rather than a deadline; each admin reads it in their language.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from tracker.extensions import db
from tracker.mail import queue as outbox
from tracker.mail.render import base_url
from tracker.models import User, Webhook, WebhookDelivery


def _subject(v: dict) -> str:
    return _("A webhook delivery was given up: %(event)s to %(url)s", event=v["event"], url=v["url"])


def tell_admins(delivery: WebhookDelivery, hook: Webhook, now: datetime) -> int:
    admins = db.session.execute(db.select(User).where(User.role == "admin", User.active.is_(True))
                                .order_by(User.id)).scalars().all()
    values = {"event": delivery.event, "url": hook.url, "delivery": delivery.uuid, "attempts": delivery.attempts,
              "status_code": delivery.last_status_code, "error": delivery.last_error,
              "link": f"{base_url()}/admin/webhooks/{hook.id}/deliveries"}
    return outbox.queue("webhook_failed", f"webhook_failed:{delivery.uuid}", admins, "webhook_failed", values,
                         _subject, now=now)
