"""The one long-running process: sweeps, sending and digests on schedule (SPEC 5b, 6).

APScheduler only decides *when* to look; the database decides *what* is due. Each
run takes the current UTC time as ``now``, works in its own app context, commits,
and logs what it did to stderr. A run that fails is logged and the next one tries
again. Nothing is kept in memory between runs, so a restart, a missed run or a
second scheduler started by mistake sends nothing twice: the outbox key stops a
second queueing and the claim stops a second sending.
"""
from __future__ import annotations

import logging
import signal
import sys
from datetime import datetime, timedelta, timezone
from typing import Callable

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from tracker import jobs
from tracker.extensions import db
from tracker.models import Site

log = logging.getLogger("tracker.scheduler")

JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}
# The first send waits for the first sweep to have filled the outbox.
FIRST_SEND_DELAY = timedelta(seconds=10)


def _sweep(now: datetime) -> str:
    return f"queued {jobs.sweep(now)} alert(s)"


def _send(now: datetime) -> str:
    sent, failed = jobs.send(now)
    delivered, undelivered = jobs.deliver_webhooks(now)
    return f"sent {sent}, failed {failed}; webhooks delivered {delivered}, failed {undelivered}"


def _anchor(now: datetime) -> str:
    return jobs.anchor(now)


def _digest_in(timezone_name: str) -> Callable[[datetime], str]:
    def work(now: datetime) -> str:
        return f"queued {jobs.digest(now, timezone_name)} digest(s) for {timezone_name}"

    return work


def job(app: Flask, name: str, work: Callable[[datetime], str]) -> Callable[[], None]:
    """Wrap a unit of work: app context, now = current UTC time, commit, log, never raise."""

    def run() -> None:
        now = datetime.now(timezone.utc)
        with app.app_context():
            try:
                result = work(now)
                db.session.commit()
                log.info("%s at %s: %s", name, now.isoformat(timespec="seconds"), result)
            except Exception:
                db.session.rollback()
                log.exception("%s at %s failed", name, now.isoformat(timespec="seconds"))
            finally:
                db.session.remove()

    run.__name__ = f"{name}_job"
    return run


def site_timezones(app: Flask) -> list[str]:
    with app.app_context():
        zones = sorted(set(db.session.execute(db.select(Site.timezone)).scalars()))
        db.session.remove()
    return zones or ["Europe/Paris"]


def build(app: Flask, start: datetime | None = None) -> BlockingScheduler:
    """The scheduler with its jobs; the sweep runs at once, the first send shortly after.

    The digest runs once a day at 08:00 in each time zone the sites use, Monday to
    Friday; the job itself skips a site whose day is not a working day.
    """
    start = start or datetime.now(timezone.utc)
    scheduler = BlockingScheduler(timezone=timezone.utc, job_defaults=JOB_DEFAULTS)
    scheduler.add_job(job(app, "sweep", _sweep), IntervalTrigger(minutes=5), id="sweep",
                      next_run_time=start)
    scheduler.add_job(job(app, "send", _send), IntervalTrigger(minutes=1), id="send",
                      next_run_time=start + FIRST_SEND_DELAY)
    scheduler.add_job(job(app, "anchor", _anchor), IntervalTrigger(minutes=5), id="anchor",
                      next_run_time=start + FIRST_SEND_DELAY)  # the audit head, outside the database
    for zone_name in site_timezones(app):
        scheduler.add_job(job(app, f"digest {zone_name}", _digest_in(zone_name)),
                          CronTrigger(day_of_week="mon-fri", hour=8, minute=0, timezone=zone_name),
                          id=f"digest:{zone_name}")
    return scheduler


def run(app: Flask) -> None:
    """Run until SIGTERM or SIGINT; a running job is allowed to finish."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for name in ("tracker", "apscheduler"):
        logger = logging.getLogger(name)
        if not logger.handlers:
            logger.addHandler(handler)
            logger.setLevel(logging.INFO)
    scheduler = build(app)

    def stop(signum, _frame):
        log.info("signal %d: stopping the scheduler", signum)
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("scheduler started: sweep every 5 minutes, send every minute, audit anchor every 5 minutes, "
             "digest at 08:00 site time")
    scheduler.start()
    log.info("scheduler stopped")
