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

from tracker.extensions import db

log = logging.getLogger("tracker.scheduler")

JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}
# The first send waits for the first sweep to have filled the outbox.
FIRST_SEND_DELAY = timedelta(seconds=10)


def _sweep(now: datetime) -> str:
    from tracker.alerts.cli import sweep_and_digest

    queued, digests = sweep_and_digest(now)
    return f"queued {queued} alert(s) and {digests} digest(s)"


def _send(now: datetime) -> str:
    from tracker.alerts.cli import send_all

    sent, failed = send_all(now)
    return f"sent {sent}, failed {failed}"


def _digest(now: datetime) -> str:
    from tracker.alerts import digest

    queued = digest(now)
    db.session.commit()
    return f"queued {queued} digest(s)"


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


def build(app: Flask, start: datetime | None = None) -> BlockingScheduler:
    """The scheduler with its three jobs; the sweep runs at once, the first send shortly after."""
    start = start or datetime.now(timezone.utc)
    scheduler = BlockingScheduler(timezone=timezone.utc, job_defaults=JOB_DEFAULTS)
    scheduler.add_job(job(app, "sweep", _sweep), IntervalTrigger(minutes=5), id="sweep",
                      next_run_time=start)
    scheduler.add_job(job(app, "send", _send), IntervalTrigger(minutes=1), id="send",
                      next_run_time=start + FIRST_SEND_DELAY)
    # The digest function itself skips sites whose day is not a working day.
    scheduler.add_job(job(app, "digest", _digest),
                      CronTrigger(day_of_week="mon-fri", hour=8, minute=0, timezone="Europe/Paris"),
                      id="digest")
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
    log.info("scheduler started: sweep every 5 minutes, send every minute, digest at 08:00 Europe/Paris")
    scheduler.start()
    log.info("scheduler stopped")
