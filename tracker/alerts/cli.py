"""The alert commands of SPEC 5b: ``sla sweep``, ``outbox send`` and ``scheduler``."""
from __future__ import annotations

from datetime import datetime

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from tracker.database import utcnow
from tracker.extensions import db
from tracker.timeutil import parse_instant

sla = AppGroup("sla", help="SLA clocks and the alerts they raise.")
outbox = AppGroup("outbox", help="The queue of alert e-mails.")


class Instant(click.ParamType):
    """An ISO-8601 time that says its zone, such as 2026-05-11T09:00:00+02:00."""

    name = "ISO-8601 time"

    def convert(self, value, param, ctx):
        if isinstance(value, datetime):
            return value
        try:
            return parse_instant(value)
        except ValueError:
            self.fail(f"{value!r} is not an ISO-8601 time with a time zone "
                      "(for example 2026-05-11T09:00:00+02:00 or 2026-05-11T07:00:00Z).", param, ctx)


NOW = click.option("--now", type=Instant(), default=None,
                   help="Act as if it were this time (ISO-8601 with zone); default: the current time.")


def sweep_and_digest(now: datetime) -> tuple[int, int]:
    """Queue the alerts and the digests due at ``now`` in one transaction, and commit it."""
    from tracker.alerts import digest, sweep

    try:
        queued = sweep(now)
        digests = digest(now)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return queued, digests


def send_all(now: datetime, batch: int = 100) -> tuple[int, int]:
    """Deliver everything due at ``now``, batch after batch; return (sent, failed attempts).

    Stops after a batch that delivered nothing: with the server down, the rest
    waits for the next run instead of meeting the same outage batch after batch.
    """
    from tracker.alerts.outbox import send_due

    sent = failed = 0
    while True:
        s, f = send_due(now, batch=batch)
        sent, failed = sent + s, failed + f
        if s + f < batch or s == 0:
            return sent, failed


@sla.command("sweep")
@NOW
def sweep_command(now: datetime | None):
    """Evaluate every open clock and queue the alerts (and digests) that are due."""
    now = now or utcnow()
    queued, digests = sweep_and_digest(now)
    click.echo(f"Queued {queued} alert(s) and {digests} digest(s) for {now.isoformat()}.")


@outbox.command("send")
@NOW
@click.option("--batch", type=click.IntRange(1, 10_000), default=100, show_default=True,
              help="Messages claimed at a time.")
def send_command(now: datetime | None, batch: int):
    """Deliver queued alerts whose window has come; print how many were sent and failed."""
    sent, failed = send_all(now or utcnow(), batch)
    click.echo(f"Sent {sent}, failed {failed}.")


@click.command("scheduler")
@with_appcontext
def scheduler_command():
    """Run sweeps, sending and digests on schedule (one such process per deployment)."""
    from tracker.alerts.scheduler import run

    run(current_app._get_current_object())


def register(app: Flask) -> None:
    for command in (sla, outbox, scheduler_command):
        app.cli.add_command(command)
