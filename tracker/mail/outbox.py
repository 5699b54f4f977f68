"""The outbox: claim the rows that are due, record each outcome, let an admin retry (SPEC 4).

Delivery is at-least-once per claim and once in practice:

1. Claim: in one short transaction, pick queued rows whose ``not_before`` has come
   (and rows stuck in ``sending`` for more than ten minutes, left by a sender that
   died), re-check the recipient site's working window at ``now`` - a row outside
   it is pushed to the next opening - and ask whether each alert is still true
   (``freshness``): one whose reason has gone is marked ``superseded``. The rest are
   marked ``sending``. PostgreSQL uses ``FOR UPDATE SKIP LOCKED``, so two senders
   never pick the same row; SQLite serialises writers with BEGIN IMMEDIATE. The
   claim commits before any SMTP talk (``smtp.send_due``).
2. Record each outcome at once, guarded by the claim: ``sent``; or back to
   ``queued`` after 1, 2, 4, 8... minutes (at most an hour) while the server is down
   or answers 4xx; ``failed`` after ten attempts or on a permanent (5xx) refusal.
   An admin can ``retry`` a failed row.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l

from tracker import audit
from tracker.mail.window import load_windows
from tracker.errors import Conflict, NotFound
from tracker.extensions import db
from tracker.mail import hooks
from tracker.models import OutboxMessage

log = logging.getLogger(__name__)

STALE_CLAIM = timedelta(minutes=10)
MAX_ATTEMPTS = 10


def backoff(attempts: int) -> timedelta:
    """Wait after the n-th failed attempt: 1, 2, 4, 8... minutes, never more than an hour."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def claim(now: datetime, batch: int) -> list[tuple[int, datetime]]:
    """Mark up to ``batch`` deliverable rows ``sending`` and commit; return (id, claimed_at) pairs."""
    windows = load_windows()
    due = db.or_(
        db.and_(OutboxMessage.status == "queued", OutboxMessage.not_before <= now),
        db.and_(OutboxMessage.status == "sending", OutboxMessage.claimed_at < now - STALE_CLAIM),
    )
    stmt = db.select(OutboxMessage).where(due).order_by(OutboxMessage.not_before, OutboxMessage.id)
    if db.session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    claimed: list[tuple[int, datetime]] = []
    try:
        while len(claimed) < batch:
            rows = db.session.execute(stmt.limit(batch - len(claimed))).scalars().all()
            if not rows:
                break
            claimed.extend(_take(rows, windows, now))
            db.session.flush()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return claimed


def claim_keys(keys: list[str], now: datetime) -> list[tuple[int, datetime]]:
    """Claim these queued rows now, whatever their ``not_before``, and commit: a mail that answers what a
    person just did (a signing code) goes at once. Each row is taken by a conditional UPDATE, so a
    sender running meanwhile never takes the same row."""
    claimed = []
    try:
        ids = db.session.execute(db.select(OutboxMessage.id).where(
            OutboxMessage.key.in_(keys), OutboxMessage.status == "queued")).scalars().all()
        for message_id in ids:
            taken = db.session.execute(
                db.update(OutboxMessage).where(OutboxMessage.id == message_id, OutboxMessage.status == "queued")
                .values(status="sending", claimed_at=now), execution_options={"synchronize_session": False})
            if taken.rowcount == 1:
                claimed.append((message_id, now))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return claimed


def _take(rows: list[OutboxMessage], windows, now: datetime) -> list[tuple[int, datetime]]:
    """Hold rows outside their window, supersede stale ones, claim the rest."""
    in_window = []
    for row in rows:
        window = windows.get(row.site_id)
        if window is not None and not window.is_open(now):
            # Re-checked at send time: outside the site's hours the row waits for the next window.
            row.status, row.claimed_at, row.not_before = "queued", None, window.next_opening(now)
        else:
            in_window.append(row)
    stale = hooks.stale(in_window, windows, now)
    taken = []
    for row in in_window:
        if row.id in stale:
            row.status, row.claimed_at, row.last_error = "superseded", None, None
            log.info("outbox message %s (%s) superseded: its reason has gone", row.id, row.kind)
        else:
            row.status, row.claimed_at = "sending", now
            taken.append((row.id, now))
    return taken


def finish(message_id: int, claim: datetime, **values) -> None:
    """Record an outcome unless another sender has reclaimed the row meanwhile."""
    db.session.execute(
        db.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == "sending",
               OutboxMessage.claimed_at == claim)
        .values(**values),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()


def succeeded(message_id: int, claimed_at: datetime, now: datetime) -> None:
    finish(message_id, claimed_at, status="sent", sent_at=now, claimed_at=None, last_error=None)


def failed(message_id: int, claimed_at: datetime, now: datetime, error: BaseException, *,
            permanent: bool = False, attempts: int) -> None:
    attempts += 1
    final = permanent or attempts >= MAX_ATTEMPTS
    text = f"{type(error).__name__}: {error}"[:2000]
    if final:
        log.warning("outbox message %s failed for good after %d attempt(s): %s", message_id, attempts, text)
    finish(message_id, claimed_at, attempts=attempts, last_error=text, claimed_at=None,
            status="failed" if final else "queued",
            not_before=now if final else now + backoff(attempts))


def retry(message_id: int, *, now: datetime, actor: audit.Actor = audit.SYSTEM) -> OutboxMessage:
    """Put a failed message back in the queue, due now, with a fresh set of attempts."""
    row = db.session.get(OutboxMessage, message_id)
    if row is None:
        raise NotFound(str(_l("There is no such message.")))
    if row.status != "failed":
        raise Conflict(str(_l("Only a failed message can be sent again.")))
    row.status, row.not_before, row.attempts, row.claimed_at = "queued", now, 0, None
    audit.record(actor, "outbox", row.id, {"status": ("failed", "queued")}, now=now, contract_id=row.contract_id)
    return row
