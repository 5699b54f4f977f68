"""Delivering claimed outbox rows over SMTP (SPEC 4).

The envelope recipient is the row's address alone, never something read from the
headers. One connection carries a batch; when it is lost, this message and the rest
of the batch go back to the queue with the back-off instead of meeting the same
outage message after message.
"""
from __future__ import annotations

import hashlib
import logging
import smtplib
import ssl
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from flask import current_app

from tracker.extensions import db
from tracker.mail import hooks
from tracker.mail.outbox import claim, claim_keys, failed, succeeded
from tracker.mail.render import header_safe
from tracker.models import OutboxMessage, User

log = logging.getLogger(__name__)
SMTP_TIMEOUT = 30
NOW_TIMEOUT = 10  # a mail sent within a person's request waits no longer; the outbox retries it later
MAX_ATTACHMENT = 10 * 1024 * 1024  # larger documents go as a link in the mail's text instead


def build_message(row, recipient_name: str | None, config) -> EmailMessage:
    """The MIME message of an outbox row: plain text with an HTML alternative.

    Every header value is flattened with ``header_safe``; the Message-ID is derived
    from the row, so a retry after an uncertain failure carries the same id and
    mail systems can drop the duplicate.
    """
    sender = header_safe(config["MAIL_FROM"])
    domain = sender.rpartition("@")[2].strip(">") or "tracker.invalid"
    msg = EmailMessage()
    msg["Subject"] = header_safe(row.subject, 300)
    msg["From"] = sender
    msg["To"] = Address(display_name=header_safe(recipient_name, 100), addr_spec=header_safe(row.to_address))
    msg["Date"] = format_datetime(row.created_at)
    digest = hashlib.sha256(row.key.encode()).hexdigest()[:16]
    msg["Message-ID"] = f"<alert.{row.id}.{digest}@{domain}>"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(row.body_text)
    msg.add_alternative(row.body_html, subtype="html")
    # After the parts: making the message multipart moves Content-* headers into the first part.
    msg["Content-Language"] = header_safe(row.language, 5)
    return msg


def _connect(config, timeout: float = SMTP_TIMEOUT) -> smtplib.SMTP:
    smtp = smtplib.SMTP(config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=timeout)
    try:
        if config.get("SMTP_STARTTLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("SMTP_USER"):
            smtp.login(config["SMTP_USER"], config.get("SMTP_PASSWORD") or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def _permanent(error: BaseException) -> bool:
    """A 5xx answer will not change by waiting; a 4xx or a dead connection may."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def _messages(when: dict[int, datetime], now: datetime, config) -> tuple[list, int]:
    """Build the MIME message of each claimed row; a row that cannot be built fails for good.

    A sweep's alert gets its bodies rendered here and stored on the row, in the same commit that
    ends the read, so the row holds what is sent.
    """
    rows = db.session.execute(
        db.select(OutboxMessage, User.name).outerjoin(User, User.id == OutboxMessage.recipient_id)
        .where(OutboxMessage.id.in_(when)).order_by(OutboxMessage.id)).all()
    ready, refused = [], 0
    for row, name in rows:
        try:
            if row.payload is not None:
                row.body_text, row.body_html = hooks.bodies(row)
                row.payload = None
            ready.append((row.id, row.attempts, row.to_address, _attach(build_message(row, name, config), row)))
        except (ValueError, TypeError, KeyError) as exc:  # an address, header or alert that cannot be sent at all
            failed(row.id, when[row.id], now, exc, permanent=True, attempts=row.attempts)
            refused += 1
    db.session.commit()  # end the read; nothing is held while SMTP talks
    return ready, refused


def _attach(message, row: OutboxMessage):
    """The row's document, read now (the outbox keeps only its id), attached when it is small enough."""
    if row.attachment_document_id is None:
        return message
    from tracker.models import Document

    document = db.session.get(Document, row.attachment_document_id)
    if document is None or document.withdrawn_at is not None or document.size > MAX_ATTACHMENT:
        return message
    kind, _slash, sub = ("application/pdf" if document.filename.lower().endswith(".pdf")
                         else "application/octet-stream").partition("/")
    message.add_attachment(document.content, maintype=kind, subtype=sub, filename=document.filename)
    return message


def _deliver(smtp, ready: list, when: dict, now: datetime, envelope_from: str) -> tuple[int, int]:
    sent = refused = 0
    for index, (message_id, attempts, to_address, message) in enumerate(ready):
        try:
            smtp.send_message(message, from_addr=envelope_from, to_addrs=[to_address])
        except smtplib.SMTPServerDisconnected as exc:
            return sent, refused + _requeue(ready[index:], when, now, exc)
        except smtplib.SMTPException as exc:  # the server refused this message only
            failed(message_id, when[message_id], now, exc, permanent=_permanent(exc), attempts=attempts)
            refused += 1
        except OSError as exc:  # SMTPException is an OSError too, hence this order
            return sent, refused + _requeue(ready[index:], when, now, exc)
        else:
            succeeded(message_id, when[message_id], now)
            sent += 1
    return sent, refused


def _requeue(rest: list, when: dict, now: datetime, error: BaseException) -> int:
    log.warning("SMTP connection lost or refused (%s): %d message(s) will be retried", error, len(rest))
    for message_id, attempts, _to, _msg in rest:
        failed(message_id, when[message_id], now, error, attempts=attempts)
    return len(rest)


def send_due(now: datetime, *, batch: int = 100) -> tuple[int, int]:
    """Deliver the rows due at ``now``; return (sent, failed attempts). Commits as it goes."""
    return _send(claim(now, batch), now, SMTP_TIMEOUT)


def send_now(keys: list[str], now: datetime) -> tuple[int, int]:
    """Deliver these queued rows at once, within the request that queued them (after its commit), with a
    short timeout; a failure leaves them queued for the outbox to retry with its back-off."""
    return _send(claim_keys(keys, now), now, NOW_TIMEOUT)


def _send(claimed: list[tuple[int, datetime]], now: datetime, timeout: float) -> tuple[int, int]:
    config = current_app.config
    if not claimed:
        return 0, 0
    when = dict(claimed)
    ready, refused = _messages(when, now, config)
    if not ready:
        return 0, refused
    try:
        smtp = _connect(config, timeout)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("SMTP server %s:%s unreachable", config["SMTP_HOST"], config["SMTP_PORT"])
        return 0, refused + _requeue(ready, when, now, exc)
    try:
        sent, more = _deliver(smtp, ready, when, now, parseaddr(config["MAIL_FROM"])[1] or config["MAIL_FROM"])
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
    log.info("outbox: %d sent, %d failed", sent, refused + more)
    return sent, refused + more
