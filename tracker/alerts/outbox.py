"""The outbox sender: claim due rows, deliver them over SMTP, retry with back-off (SPEC 4).

Delivery is at-least-once per claim and once in practice:

1. Claim: in one short transaction, pick queued rows whose ``not_before`` has come
   (and rows stuck in ``sending`` for more than ten minutes, left by a sender that
   died), re-check the recipient site's working window at ``now`` - a row outside
   it is pushed to the next opening - and mark the rest ``sending``. PostgreSQL
   uses ``FOR UPDATE SKIP LOCKED``, so two senders never pick the same row; SQLite
   serialises writers with BEGIN IMMEDIATE. The claim commits before any SMTP talk.
2. Send each message on one SMTP connection. The envelope recipient is the row's
   address alone, never something read from the headers.
3. Record each outcome at once, guarded by the claim: ``sent``; or back to
   ``queued`` after 1, 2, 4, 8... minutes (at most an hour) while the server is down
   or answers 4xx; ``failed`` after ten attempts or on a permanent (5xx) refusal.
   An admin can ``retry`` a failed row.
"""
from __future__ import annotations

import logging
import smtplib
import ssl
from datetime import datetime, timedelta
from email.utils import parseaddr

from flask import current_app
from flask_babel import lazy_gettext as _l

from tracker import audit
from tracker.alerts.mails import build_message
from tracker.alerts.window import load_windows
from tracker.errors import Conflict, NotFound
from tracker.extensions import db
from tracker.models import OutboxMessage, User

log = logging.getLogger(__name__)

STALE_CLAIM = timedelta(minutes=10)
MAX_ATTEMPTS = 10
SMTP_TIMEOUT = 30


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
            for row in rows:
                window = windows.get(row.site_id)
                if window is not None and not window.is_open(now):
                    # Re-checked at send time: outside the site's hours the row waits for the next window.
                    row.status, row.claimed_at, row.not_before = "queued", None, window.next_opening(now)
                    continue
                row.status, row.claimed_at = "sending", now
                claimed.append((row.id, now))
            db.session.flush()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return claimed


def _connect(config) -> smtplib.SMTP:
    smtp = smtplib.SMTP(config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=SMTP_TIMEOUT)
    try:
        if config.get("SMTP_STARTTLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("SMTP_USER"):
            smtp.login(config["SMTP_USER"], config.get("SMTP_PASSWORD") or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def _finish(message_id: int, claim: datetime, **values) -> None:
    """Record an outcome unless another sender has reclaimed the row meanwhile."""
    db.session.execute(
        db.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == "sending",
               OutboxMessage.claimed_at == claim)
        .values(**values),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()


def _succeeded(message_id: int, claimed_at: datetime, now: datetime) -> None:
    _finish(message_id, claimed_at, status="sent", sent_at=now, claimed_at=None, last_error=None)


def _failed(message_id: int, claimed_at: datetime, now: datetime, error: BaseException, *,
            permanent: bool = False, attempts: int) -> None:
    attempts += 1
    final = permanent or attempts >= MAX_ATTEMPTS
    text = f"{type(error).__name__}: {error}"[:2000]
    if final:
        log.warning("outbox message %s failed for good after %d attempt(s): %s", message_id, attempts, text)
    _finish(message_id, claimed_at, attempts=attempts, last_error=text, claimed_at=None,
            status="failed" if final else "queued",
            not_before=now if final else now + backoff(attempts))


def _permanent(error: BaseException) -> bool:
    """A 5xx answer will not change by waiting; a 4xx or a dead connection may."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def send_due(now: datetime, *, batch: int = 100) -> tuple[int, int]:
    """Deliver the rows due at ``now``; return (sent, failed attempts). Commits as it goes."""
    config = current_app.config
    claimed = claim(now, batch)
    if not claimed:
        return 0, 0
    when = dict(claimed)
    rows = db.session.execute(
        db.select(OutboxMessage, User.name).outerjoin(User, User.id == OutboxMessage.recipient_id)
        .where(OutboxMessage.id.in_(when)).order_by(OutboxMessage.id)).all()
    envelope_from = parseaddr(config["MAIL_FROM"])[1] or config["MAIL_FROM"]
    ready, failed = [], 0
    for row, name in rows:
        try:
            ready.append((row.id, row.attempts, row.to_address, build_message(row, name, config)))
        except (ValueError, TypeError) as exc:  # an address or header that cannot be sent at all
            _failed(row.id, when[row.id], now, exc, permanent=True, attempts=row.attempts)
            failed += 1
    db.session.commit()  # end the read; nothing is held while SMTP talks
    sent = 0
    try:
        smtp = _connect(config)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("SMTP server %s:%s unreachable (%s): %d message(s) will be retried",
                    config["SMTP_HOST"], config["SMTP_PORT"], exc, len(ready))
        for message_id, attempts, _to, _msg in ready:
            _failed(message_id, when[message_id], now, exc, attempts=attempts)
        return 0, failed + len(ready)
    try:
        for index, (message_id, attempts, to_address, message) in enumerate(ready):
            lost = None
            try:
                smtp.send_message(message, from_addr=envelope_from, to_addrs=[to_address])
            except smtplib.SMTPServerDisconnected as exc:
                lost = exc
            except smtplib.SMTPException as exc:  # the server refused this message only
                _failed(message_id, when[message_id], now, exc, permanent=_permanent(exc), attempts=attempts)
                failed += 1
            except OSError as exc:  # SMTPException is an OSError too, hence this order
                lost = exc
            else:
                _succeeded(message_id, when[message_id], now)
                sent += 1
            if lost is not None:
                # The connection is gone: this message and the rest wait for the back-off.
                log.warning("SMTP connection lost (%s): %d message(s) will be retried", lost, len(ready) - index)
                for later_id, later_attempts, _to, _msg in ready[index:]:
                    _failed(later_id, when[later_id], now, lost, attempts=later_attempts)
                    failed += 1
                break
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
    log.info("outbox: %d sent, %d failed", sent, failed)
    return sent, failed


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
