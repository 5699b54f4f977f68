"""Sending queued webhook deliveries (SPEC 4): signed POSTs, retried with backoff, given up after a day.

Run by ``outbox send`` (and so by the scheduler every minute) at any hour: webhooks
are for programs, not bound to the sites' working hours. Like the outbox, a run
claims due rows and commits before it talks to anyone, records each outcome at once,
and retakes a row left in ``sending`` by a sender that died.

A receiver gets ``TIMEOUT`` seconds to connect and as many to answer; after a failure
(no answer, or anything but 2xx) its other deliveries wait for the next run, so a dead
or slow receiver costs a run one timeout, not one per delivery. Redirects are not
followed: the address registered is the one that receives.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta

from tracker.extensions import db
from tracker.models import Webhook, WebhookAttempt, WebhookDelivery

log = logging.getLogger(__name__)

TIMEOUT = 5.0  # seconds, to connect and then to answer
GIVE_UP_AFTER = timedelta(hours=24)
STALE_CLAIM = timedelta(minutes=5)
ANSWER_KEPT = 500  # characters of the receiver's answer kept with the attempt


def signature(secret: str, body: bytes) -> str:
    """The X-Tracker-Signature header: sha256= and the hex HMAC-SHA256 of the body with the secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def backoff(attempts: int) -> timedelta:
    """Wait after the n-th failed attempt: 30 s, 1, 2, 4... minutes, never more than an hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 3xx is the receiver's answer, recorded as a failure


_opener = urllib.request.build_opener(_NoRedirect)


def post(url: str, body: bytes, headers: dict, timeout: float = TIMEOUT) -> tuple[int | None, str | None, str]:
    """POST once; (status code or None, error or None, start of the answer)."""
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with _opener.open(request, timeout=timeout) as answer:
            return answer.status, None, answer.read(ANSWER_KEPT).decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        text = error.read(ANSWER_KEPT).decode("utf-8", "replace") if error.fp else ""
        return error.code, f"HTTP {error.code}", text
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return None, f"{type(reason).__name__}: {reason}"[:500], ""


def claim(now: datetime, batch: int) -> list[int]:
    """Mark up to ``batch`` due deliveries ``sending`` and commit; return their ids."""
    due = db.or_(
        db.and_(WebhookDelivery.status == "queued", WebhookDelivery.next_attempt_at <= now),
        db.and_(WebhookDelivery.status == "sending", WebhookDelivery.claimed_at < now - STALE_CLAIM),
    )
    stmt = (db.select(WebhookDelivery).where(due).order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(batch))
    if db.session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    try:
        rows = db.session.execute(stmt).scalars().all()
        for row in rows:
            row.status, row.claimed_at = "sending", now
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return [row.id for row in rows]


def send_due(now: datetime, batch: int = 100, *, timeout: float = TIMEOUT) -> tuple[int, int]:
    """Deliver what is due at ``now``; return (delivered, failed attempts)."""
    delivered = failed = 0
    while True:
        ids = claim(now, batch)
        if not ids:
            return delivered, failed
        failing: set[int] = set()
        for delivery_id in ids:
            outcome = _deliver(delivery_id, now, failing, timeout)
            delivered += outcome is True
            failed += outcome is False
        if len(ids) < batch:
            return delivered, failed


def _deliver(delivery_id: int, now: datetime, failing: set[int], timeout: float) -> bool | None:
    row = db.session.get(WebhookDelivery, delivery_id)
    hook = db.session.get(Webhook, row.webhook_id)
    if hook.deleted_at is not None or not hook.active:
        _finish(row, status="given_up", last_error="webhook deleted")
        return None
    if hook.id in failing:  # its receiver just failed: wait for the next run, no attempt counted
        _finish(row, status="queued", next_attempt_at=now + backoff(1))
        return None
    body = row.body.encode()
    headers = {"Content-Type": "application/json", "User-Agent": "contract-tracker-webhooks",
               "X-Tracker-Event": row.event, "X-Tracker-Delivery": row.uuid,
               "X-Tracker-Signature": signature(hook.secret, body)}
    started = time.monotonic()
    code, error, answer = post(hook.url, body, headers, timeout)
    took = int((time.monotonic() - started) * 1000)
    ok = code is not None and 200 <= code < 300
    db.session.add(WebhookAttempt(delivery_id=row.id, started_at=now, status_code=code, duration_ms=took,
                                  error=None if ok else error or f"HTTP {code}", answer=answer or None))
    attempts = row.attempts + 1
    if ok:
        _finish(row, status="delivered", attempts=attempts, delivered_at=now, last_status_code=code, last_error=None)
        return True
    failing.add(hook.id)
    if now - row.created_at >= GIVE_UP_AFTER:
        _finish(row, status="given_up", attempts=attempts, last_status_code=code, last_error=error)
        log.warning("webhook delivery %s to %s given up after %d attempts", row.uuid, hook.url, attempts)
        from tracker.webhooks.failures import tell_admins

        tell_admins(row, hook, now)
        db.session.commit()
    else:
        _finish(row, status="queued", attempts=attempts, last_status_code=code, last_error=error,
                next_attempt_at=now + backoff(attempts))
    return False


def _finish(row: WebhookDelivery, **values) -> None:
    for name, value in values.items():
        setattr(row, name, value)
    row.claimed_at = None
    db.session.commit()
