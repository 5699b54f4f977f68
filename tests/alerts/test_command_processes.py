"""The alert commands as real processes, the way cron or an operator runs them, with ``--now``.

One morning of issue 15: a warning queued by the 00:05 sweep, the file sent to the sponsor at
07:40, the digest at 08:00 and the sender at 08:00 - which delivers the digest and not the warning.
"""
from __future__ import annotations

import os
import subprocess
import sys


def _flask(app, smtp, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, TRACKER_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               TRACKER_SMTP_HOST="127.0.0.1", TRACKER_SMTP_PORT=str(smtp.port), TRACKER_SECRET_KEY="test",
               TRACKER_BASE_URL="http://tracker.test", TRACKER_MAIL_FROM="contracts@tracker.test")
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "tracker", *args], capture_output=True,
                          text=True, env=env, timeout=120)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def test_sweep_digest_and_send_as_processes_around_the_opening_of_the_window(app, desk, smtp):
    legal = desk.make_user("legal", "GR")
    manager = desk.make_user("manager", "GR", language="en")
    reference = desk.contract("2026-10-01")
    desk.act(reference, "mark_complete", "2026-10-05 10:00")  # review due Monday 12 October

    swept = _flask(app, smtp, "sla", "sweep", "--now", "2026-10-09T00:05:00+02:00")
    assert swept.returncode == 0 and swept.stdout.startswith("Queued 1 alert(s)"), swept.stdout + swept.stderr
    early = _flask(app, smtp, "outbox", "send", "--now", "2026-10-09T07:59:00+02:00")
    assert early.stdout.strip() == "Sent 0, failed 0."  # the window is not open yet

    desk.act(reference, "send_to_sponsor", "2026-10-09 07:40")
    digest = _flask(app, smtp, "sla", "digest", "--now", "2026-10-09T08:00:00+02:00")
    assert digest.returncode == 0 and digest.stdout.startswith("Queued 1 digest(s)")
    sent = _flask(app, smtp, "outbox", "send", "--now", "2026-10-09T08:00:00+02:00")
    assert sent.returncode == 0 and sent.stdout.strip() == "Sent 1, failed 0."

    (mail,) = smtp.received
    assert mail.rcpt_tos == [manager] and "Daily digest" in mail.subject
    assert "Paused: with the sponsor" in mail.part("plain")
    assert not smtp.box.to(legal)
    assert [row["status"] for row in desk.outbox(kind="warning")] == ["superseded"]
