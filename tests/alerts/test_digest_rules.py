"""SPEC 4: the managers' daily digest - never empty, and after an outage only the newest one per manager
leaves (issue 15: "20 digests arrived one morning").
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from tracker.sla.calendar import CalendarSpec, calendar_for

from tests.helpers.clock import paris

FRANCE = calendar_for(CalendarSpec(country="FR"))


def _working_days(first: str, count: int) -> list[date]:
    days, day = [], date.fromisoformat(first)
    while len(days) < count:
        if FRANCE.is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def _with_the_sponsor(desk, sites=("GR",)) -> str:
    """An open contract whose file is with the sponsor: listed in digests, with no stage alert of its own."""
    reference = desk.contract("2026-10-01", sites=sites)
    desk.act(reference, "mark_complete", "2026-10-01 10:00")
    desk.act(reference, "send_to_sponsor", "2026-10-01 11:00")
    return reference


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=list(args))


@pytest.mark.parametrize("outage", ["server down", "sender not running"])
def test_after_twenty_days_without_sending_only_the_newest_digest_per_manager_leaves(desk, smtp, outage):
    gr = [desk.make_user("manager", "GR", language="en"), desk.make_user("manager", "GR")]
    ib = desk.make_user("manager", "IB", language="en")
    reference = _with_the_sponsor(desk, sites=("GR", "IB"))  # open at both sites
    days = _working_days("2026-10-05", 20)
    if outage == "server down":
        smtp.stop()
    for day in days:
        desk.sweep(f"{day} 08:00")
        if outage == "server down":
            desk.send(f"{day} 08:00")  # fails: the server is down
    assert len(desk.outbox(kind="digest")) == 20 * 3

    if outage == "server down":
        smtp.start()
    last = days[-1]
    assert desk.send(f"{last} 08:30") == (3, 0)
    assert sorted(r for m in smtp.received for r in m.rcpt_tos) == sorted([*gr, ib])
    for mail in smtp.box.to(gr[0]) + smtp.box.to(ib):
        assert "Oct 30, 2026" in mail.subject and reference in mail.part("plain")  # the newest: 30 October
    rows = desk.outbox(kind="digest")
    newest = {row["key"] for row in rows if row["key"].split(":")[2] == last.isoformat()}
    assert {row["key"] for row in rows if row["status"] == "sent"} == newest
    assert {row["status"] for row in rows if row["key"] not in newest} == {"superseded"}
    assert desk.send(f"{last} 12:00") == (0, 0)  # nothing older trickles out later


def test_each_days_digest_goes_when_the_sender_keeps_up(desk, smtp):
    manager = desk.make_user("manager", "GR", language="en")
    _with_the_sponsor(desk)
    for day in _working_days("2026-10-12", 3):
        desk.sweep(f"{day} 08:00")
        assert desk.send(f"{day} 08:01") == (1, 0)
    assert [m.subject.split(",")[1].strip() for m in smtp.box.to(manager)] == [
        "Oct 12", "Oct 13", "Oct 14"]


def test_no_digest_for_a_site_with_nothing_open(cli, desk, smtp):
    gr = desk.make_user("manager", "GR")
    ib = desk.make_user("manager", "IB")
    reference = desk.contract("2026-10-01", sites=("GR",))  # Institut Bergonié takes no part
    result = cli("sla", "digest", "--now", "2026-10-12T08:00:00+02:00")
    assert result.exit_code == 0 and result.output.startswith("Queued 1 digest(s)")
    assert [row["email"] for row in desk.outbox(kind="digest")] == [gr]

    desk.act(reference, "cancel", "2026-10-12 10:00", comment="The sponsor stopped the programme.")
    result = cli("sla", "digest", "--now", "2026-10-13T08:00:00+02:00")
    assert result.exit_code == 0 and result.output.startswith("Queued 0 digest(s)")
    sent = cli("outbox", "send", "--now", "2026-10-13T08:05:00+02:00")
    assert sent.output.strip() == "Sent 1, failed 0."  # Monday's, with its one contract
    assert not smtp.box.to(ib) and len(smtp.box.to(gr)) == 1


def test_the_digest_command_waits_for_the_sites_working_hours(cli, desk):
    desk.make_user("manager", "GR")
    desk.contract("2026-10-01")
    for when in ("2026-10-12T07:59:00+02:00", "2026-10-10T09:00:00+02:00", "2026-10-12T19:00:00+02:00"):
        assert cli("sla", "digest", "--now", when).output.startswith("Queued 0 digest(s)"), when
    assert cli("sla", "digest", "--now", "2026-10-12T06:00:00Z").output.startswith("Queued 1 digest(s)")
    assert cli("sla", "digest", "--now", "2026-10-12T09:00:00+02:00").output.startswith("Queued 0 digest(s)")
    assert desk.outbox(kind="digest")[0]["not_before"] == paris("2026-10-12 08:00")


def test_a_bad_now_for_the_digest_is_one_line(cli):
    result = cli("sla", "digest", "--now", "Monday")
    assert result.exit_code == 2 and "is not an ISO-8601 time with a time zone" in result.output
    assert "Traceback" not in result.output
