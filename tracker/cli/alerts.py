"""sla sweep, sla digest, outbox send and scheduler: the alert jobs, by hand or on schedule."""
from __future__ import annotations

from datetime import datetime, timezone

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from tracker import jobs
from tracker.database import utcnow
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
            parsed = parse_instant(value)
            parsed.astimezone(timezone.utc)  # 9999-12-31T23:59:59-05:00 lies past the last UTC date
            return parsed
        except OverflowError:
            self.fail(f"{value!r} is not a time between the years {EARLIEST_YEAR} and {LATEST_YEAR}.", param, ctx)
        except ValueError:
            self.fail(f"{value!r} is not an ISO-8601 time with a time zone "
                      "(for example 2026-05-11T09:00:00+02:00 or 2026-05-11T07:00:00Z).", param, ctx)


# Sweeping or sending beyond these years has no meaning and the calendars do not reach there.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2200
NOW = click.option("--now", type=Instant(), default=None,
                   help="Act as if it were this time (ISO-8601 with zone); default: the current time.")


def _now(value: datetime | None) -> datetime:
    now = value or utcnow()
    if now.astimezone(timezone.utc).year > LATEST_YEAR or now.astimezone(timezone.utc).year < EARLIEST_YEAR:
        raise click.ClickException(f"--now must be a time between the years {EARLIEST_YEAR} and {LATEST_YEAR}.")
    return now


@sla.command("sweep")
@NOW
def sweep_command(now: datetime | None):
    """Evaluate the open clocks whose next look has come and queue the alerts that are due."""
    now = _now(now)
    click.echo(f"Queued {jobs.sweep(now)} alert(s) for {now.isoformat()}.")


@sla.command("digest")
@NOW
def digest_command(now: datetime | None):
    """Queue today's digest for the managers of every site whose working hours have begun."""
    now = _now(now)
    click.echo(f"Queued {jobs.digest(now)} digest(s) for {now.isoformat()}.")


@outbox.command("send")
@NOW
@click.option("--batch", type=click.IntRange(1, 10_000), default=100, show_default=True,
              help="Messages claimed at a time.")
def send_command(now: datetime | None, batch: int):
    """Deliver queued alerts whose window has come, and the webhook deliveries that are due; print how many
    were sent and failed (a second line for webhooks, when there were any)."""
    now = _now(now)
    sent, failed = jobs.send(now, batch)
    click.echo(f"Sent {sent}, failed {failed}.")
    delivered, undelivered = jobs.deliver_webhooks(now, batch)
    if delivered or undelivered:
        click.echo(f"Webhooks delivered {delivered}, failed {undelivered}.")


@click.command("scheduler")
@with_appcontext
def scheduler_command():
    """Run sweeps, sending and digests on schedule (one such process per deployment)."""
    from tracker.jobs.scheduler import run

    run(current_app._get_current_object())


COMMANDS = (sla, outbox, scheduler_command)
