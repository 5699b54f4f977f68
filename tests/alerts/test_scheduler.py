"""``flask --app tracker scheduler`` as real processes: two of them never send an alert twice.

The scheduler takes its time from the real clock, and alerts leave only during the
recipient site's working hours, so these tests choose the *site's time zone* (sites
are data) rather than bending the clock: one where it is working hours right now, or
one where it is night. Nothing in the product is stubbed. When no time zone on Earth
is in working hours on a weekday (about Saturday 07:00 to Sunday 18:00 UTC), the
delivery test is skipped and says so; the night test always runs.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date, datetime, time as clock, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tracker.extensions import db
from tracker.models import Site
from tracker.sla.calendar import CalendarSpec, calendar_for

FRANCE = calendar_for(CalendarSpec(country="FR"))
ZONES = ["Etc/GMT" if h == 0 else f"Etc/GMT{-h:+d}" for h in range(-12, 15)]  # UTC-12 .. UTC+14
WAIT = 75  # seconds: the first sweep runs at start, the first send ten seconds later


def zone_where(now: datetime, wanted) -> str | None:
    for name in ZONES:
        local = now.astimezone(ZoneInfo(name))
        if wanted(local):
            return name
    return None


def working_hours(local: datetime) -> bool:
    # A margin on both sides: the test takes up to a minute and a half.
    return FRANCE.is_working_day(local.date()) and clock(8, 30) <= local.time() <= clock(17, 30)


def night(local: datetime) -> bool:
    return clock(0, 30) <= local.time() <= clock(5, 0)


def _site_in(app, zone: str) -> None:
    with app.app_context():
        db.session.add(Site(code="HZ", name="Centre Horizon", legal_name="Centre Horizon", address="1 rue du Test",
                            finess="000000001", siret="00000000000001", representative="Directeur",
                            timezone=zone, country="FR", works_whit_monday=False))
        db.session.commit()


def _start(app, smtp, logs, count=2) -> list[tuple[subprocess.Popen, object]]:
    env = dict(os.environ, TRACKER_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               TRACKER_SMTP_HOST="127.0.0.1", TRACKER_SMTP_PORT=str(smtp.port), TRACKER_SECRET_KEY="test",
               TRACKER_BASE_URL="http://tracker.test", TRACKER_MAIL_FROM="contracts@tracker.test")
    started = []
    for index in range(count):
        log = open(logs / f"scheduler-{index}.log", "w+")
        process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "tracker", "scheduler"],
                                   stdout=log, stderr=subprocess.STDOUT, env=env)
        started.append((process, log))
    return started


def _stop(started) -> list[str]:
    outputs = []
    for process, _log in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process, log in started:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.seek(0)
        outputs.append(log.read())
        log.close()
    return outputs


def _logs(started) -> list[str]:
    texts = []
    for _process, log in started:
        log.flush()
        with open(log.name) as f:
            texts.append(f.read())
    return texts


def _wait_until_each_has(started, *needles) -> list[str]:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        texts = _logs(started)
        if all(all(n in text for n in needles) for text in texts):
            return texts
        if any(process.poll() is not None for process, _log in started):
            break
        time.sleep(0.5)
    raise AssertionError("the schedulers did not log " + ", ".join(needles) + ":\n" + "\n---\n".join(_logs(started)))


def _breached_contract(desk) -> str:
    legal = desk.make_user("legal", "HZ")
    received = date.today() - timedelta(days=20)  # completeness (2 working days) long overdue
    desk._make_contract(desk.sponsor_id, coordinating="HZ", sites=("HZ",), received_on=received)
    return legal


def test_two_schedulers_deliver_a_due_alert_once(app, desk, smtp, tmp_path):
    zone = zone_where(datetime.now(timezone.utc), working_hours)
    if zone is None:
        pytest.skip("no time zone is in working hours on a French working day right now (the weekend gap, "
                    "about Saturday 07:00 to Sunday 18:00 UTC); in-process tests cover delivery")
    _site_in(app, zone)
    legal = _breached_contract(desk)
    started = _start(app, smtp, tmp_path)
    try:
        texts = _wait_until_each_has(started, "sweep at", "send at")
        deadline = time.monotonic() + 10
        while not smtp.received and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        texts = _stop(started)
    assert all("scheduler started" in text and "Traceback" not in text for text in texts), texts
    assert [m.rcpt_tos for m in smtp.received] == [[legal]]
    (row,) = desk.outbox()
    assert (row["kind"], row["status"], row["attempts"]) == ("breach", "sent", 0)
    queued = [int(t.split("queued ")[1].split(" ")[0]) for text in texts for t in text.splitlines()
              if "sweep at" in t]
    assert sum(queued) == 1  # one scheduler queued it, the other found it there
    assert any("sent 1" in line for text in texts for line in text.splitlines() if "send at" in line)


def test_two_schedulers_hold_an_alert_outside_working_hours(app, desk, smtp, tmp_path):
    now = datetime.now(timezone.utc)
    zone = zone_where(now, night)
    assert zone is not None  # some time zone is always between 00:30 and 05:00
    _site_in(app, zone)
    _breached_contract(desk)
    started = _start(app, smtp, tmp_path)
    try:
        _wait_until_each_has(started, "sweep at", "send at")
    finally:
        texts = _stop(started)
    assert all("Traceback" not in text for text in texts), texts
    assert smtp.received == []
    (row,) = desk.outbox()
    local = now.astimezone(ZoneInfo(zone))
    day = FRANCE.next_working_day(local.date())
    assert row["status"] == "queued"
    assert row["not_before"] == datetime.combine(day, clock(8), tzinfo=ZoneInfo(zone))
