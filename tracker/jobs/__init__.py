"""The scheduled work - sweep, send, digests, webhooks, anchor - as units the CLI and the scheduler
(``tracker.jobs.scheduler``) both call; above every feature whose work it runs.

Each job takes ``now``, does its work in the current app context, commits, and
returns a line saying what it did. The database decides what is due, so running a
job twice, late, or from two processes at once changes nothing.
"""
from __future__ import annotations

from datetime import datetime

from tracker.extensions import db


def _committed(work):
    try:
        result = work()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return result


def sweep(now: datetime) -> int:
    """Queue the alerts due at ``now``; return how many were queued."""
    from tracker.alerts.sweep import sweep as run

    return _committed(lambda: run(now))


def digest(now: datetime, timezone: str | None = None) -> int:
    """Queue today's digests for the sites (in ``timezone``, if given) whose window is open, and each
    person's digest of the notifications they chose to read there."""
    from tracker.alerts.digest import digest as run
    from tracker.notices.digest import digest as notices

    return _committed(lambda: run(now, timezone) + notices(now))


def send(now: datetime, batch: int = 100) -> tuple[int, int]:
    """Deliver everything due at ``now``, batch after batch; return (sent, failed attempts).

    Stops after a batch that delivered nothing: with the server down, the rest
    waits for the next run instead of meeting the same outage batch after batch.
    """
    from tracker.mail.smtp import send_due

    sent = failed = 0
    while True:
        s, f = send_due(now, batch=batch)
        sent, failed = sent + s, failed + f
        if s + f < batch or s == 0:
            return sent, failed


def deliver_webhooks(now: datetime, batch: int = 100) -> tuple[int, int]:
    """Send the webhook deliveries due at ``now``, at any hour; return (delivered, failed attempts)."""
    from tracker.webhooks.delivery import send_due

    return send_due(now, batch=batch)


def anchor(now: datetime) -> str:
    """Copy the audit chain's head to the anchor log outside the database; say what was done."""
    from tracker import audit

    anchored = audit.anchor(now)
    return f"anchored entry {anchored.seq}" if anchored else "audit head already anchored"
