"""``flask sla sweep`` and ``flask outbox send``: --now steers time; a bad --now is a one-line error."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=list(args))


@pytest.mark.parametrize("command", [("sla", "sweep"), ("outbox", "send")])
@pytest.mark.parametrize("value", ["yesterday", "2026-10-09T09:00:00", "2026-13-40T09:00:00+02:00", ""])
def test_a_bad_now_is_refused_in_one_line(cli, command, value):
    result = cli(*command, "--now", value)
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "is not an ISO-8601 time with a time zone" in errors[0]
    assert "Traceback" not in result.output


def test_sweep_and_send_at_a_given_time(cli, desk, smtp):
    legal = desk.make_user("legal", "GR")
    desk.contract("2026-10-08")  # completeness due Monday 12 October
    swept = cli("sla", "sweep", "--now", "2026-10-09T18:00:00+02:00")
    assert swept.exit_code == 0, swept.output
    assert "Queued 1 alert(s)" in swept.output
    assert cli("sla", "sweep", "--now", "2026-10-09T16:05:00Z").output.startswith("Queued 0 alert(s)")
    sent = cli("outbox", "send", "--now", "2026-10-09T18:30:00+02:00")
    assert sent.exit_code == 0 and sent.output.strip() == "Sent 1, failed 0."
    assert [m.rcpt_tos for m in smtp.received] == [[legal]]


def test_send_reports_failures_while_the_server_is_down(cli, desk, smtp):
    desk.make_user("legal", "GR")
    desk.contract("2026-10-08")
    cli("sla", "sweep", "--now", "2026-10-09T10:00:00+02:00")
    smtp.stop()
    result = cli("outbox", "send", "--now", "2026-10-09T10:00:00+02:00")
    assert result.exit_code == 0 and result.output.strip() == "Sent 0, failed 1."


def test_a_real_process_refuses_a_bad_now_without_traceback(app):
    env = dict(os.environ, TRACKER_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"])
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "tracker", "sla", "sweep", "--now", "tomorrow"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 2
    assert "Error: Invalid value for '--now': 'tomorrow' is not an ISO-8601 time" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_send_goes_through_every_batch(cli, desk, smtp):
    [desk.make_user("legal", "GR") for _ in range(5)]
    desk.contract("2026-10-08")
    cli("sla", "sweep", "--now", "2026-10-09T10:00:00+02:00")
    result = cli("outbox", "send", "--batch", "2", "--now", "2026-10-09T10:00:00+02:00")
    assert result.output.strip() == "Sent 5, failed 0."
    assert len(smtp.received) == 5
