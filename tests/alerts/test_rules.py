"""SPEC 4: which alert reaches whom, and only once per stage visit however often the sweep runs.

Calendar used below (Gustave Roussy, Europe/Paris, no holiday in October 2026): a review
entered on Monday 5 October has 5 working days and is due on Monday 12 October.
"""
from __future__ import annotations

from tests.helpers.clock import paris
from tests.helpers.concurrency import race
from tracker.extensions import db
from tracker.models import OutboxMessage


def _review_due_monday_12_october(desk) -> str:
    reference = desk.contract("2026-10-01")
    desk.act(reference, "mark_complete", "2026-10-05 10:00")
    return reference


def test_warning_the_working_day_before_then_breach_after_the_due_day_each_once(desk):
    legal = desk.make_user("legal", "GR")
    manager = desk.make_user("manager", "GR")
    desk.make_user("legal", "IB")  # another site's staff hear nothing
    _review_due_monday_12_october(desk)

    desk.sweep("2026-10-08 12:00")
    assert desk.alerts() == []  # Thursday: two working days before the due day
    for when in ("2026-10-09 09:00", "2026-10-09 09:05", "2026-10-09 18:00", "2026-10-12 10:00"):
        desk.sweep(when)  # Friday (the working day before) and the due day itself
    assert desk.alerts() == [("warning", legal)]

    for when in ("2026-10-13 00:30", "2026-10-13 00:35", "2026-10-13 11:00"):
        desk.sweep(when)  # Tuesday: the due day has ended
    assert desk.alerts() == sorted([("warning", legal), ("breach", legal), ("breach", manager)])
    breach = desk.outbox(kind="breach")[0]
    assert breach["not_before"] == paris("2026-10-13 08:00")  # queued at night, leaves at 08:00


def test_no_stale_warning_once_the_stage_is_breached(desk):
    legal = desk.make_user("legal", "GR")
    _review_due_monday_12_october(desk)
    desk.sweep("2026-10-13 09:00")  # the first sweep after the due day
    assert desk.alerts() == [("breach", legal)]


def test_escalation_to_managers_two_working_days_after_the_due_day(desk):
    desk.make_user("legal", "GR")
    manager = desk.make_user("manager", "GR")
    _review_due_monday_12_october(desk)
    desk.sweep("2026-10-13 09:00")
    assert ("escalation", manager) not in desk.alerts()  # 1 working day late
    desk.sweep("2026-10-14 09:00")
    desk.sweep("2026-10-15 09:00")
    assert [kind for kind, email in desk.alerts() if email == manager] == ["breach", "escalation"]
    escalation = desk.outbox(kind="escalation")[0]
    assert "2 working days late" in escalation["body_text"] or "2 jours ouvrés de retard" in escalation["body_text"]


def test_a_new_stage_visit_alerts_again(desk):
    legal = desk.make_user("legal", "GR")
    reference = _review_due_monday_12_october(desk)
    desk.sweep("2026-10-13 09:00")
    desk.act(reference, "send_to_sponsor", "2026-10-13 10:00")
    desk.act(reference, "sponsor_replied", "2026-10-14 10:00")  # review again, round 1: 3 working days
    desk.sweep("2026-10-19 09:00")  # due Monday 19 October: the warning of the new visit
    desk.sweep("2026-10-20 09:00")
    assert desk.alerts() == sorted([("breach", legal), ("warning", legal), ("breach", legal)])
    assert len({row["key"] for row in desk.outbox()}) == 3


def test_a_fourth_negotiation_round_escalates_to_the_managers(desk):
    legal = desk.make_user("legal", "GR")
    manager = desk.make_user("manager", "GR")
    reference = desk.contract("2026-10-01")
    desk.act(reference, "mark_complete", "2026-10-05 09:00")
    for day in (5, 6, 7):  # rounds 1 to 3 go back and forth within the SLA
        desk.act(reference, "send_to_sponsor", f"2026-10-0{day} 10:00")
        desk.act(reference, "sponsor_replied", f"2026-10-0{day} 15:00")
    desk.sweep("2026-10-07 16:00")
    assert desk.alerts() == []  # three rounds are within the limit
    desk.act(reference, "send_to_sponsor", "2026-10-08 10:00")  # the 4th round starts
    desk.sweep("2026-10-08 11:00")
    desk.sweep("2026-10-08 11:05")
    assert desk.alerts() == [("escalation", manager)]
    assert "4" in desk.outbox(kind="escalation")[0]["body_text"]
    desk.act(reference, "sponsor_replied", "2026-10-08 15:00")  # same round, back in review
    desk.sweep("2026-10-08 16:00")
    assert desk.alerts() == [("escalation", manager)]
    assert legal not in {email for _kind, email in desk.alerts()}


def test_the_sponsor_is_reminded_after_five_working_days_with_it(desk):
    legal = desk.make_user("legal", "GR")
    sponsor_users = [desk.make_user("sponsor", None, sponsor=desk.sponsor_name) for _ in range(2)]
    desk.make_sponsor("Helix Therapeutics Inc.", "US")
    stranger = desk.make_user("sponsor", None, sponsor="Helix Therapeutics Inc.")
    reference = desk.contract("2026-10-01")
    desk.act(reference, "mark_complete", "2026-10-05 09:00")
    desk.act(reference, "send_to_sponsor", "2026-10-05 10:00")
    desk.sweep("2026-10-09 18:00")
    assert desk.alerts() == []  # four working days
    desk.sweep("2026-10-12 07:30")  # the fifth working day, before the window opens
    desk.sweep("2026-10-12 10:00")
    assert desk.alerts() == sorted(("sponsor_reminder", email) for email in sponsor_users)
    reminder = desk.outbox(kind="sponsor_reminder")[0]
    assert reminder["not_before"] == paris("2026-10-12 08:00")  # the coordinating site's window
    assert {legal, stranger}.isdisjoint(email for _kind, email in desk.alerts())


def test_a_paused_clock_never_alerts_the_site(desk):
    legal = desk.make_user("legal", "GR")
    manager = desk.make_user("manager", "GR")
    sponsor_user = desk.make_user("sponsor", None, sponsor=desk.sponsor_name)
    reference = desk.contract("2026-10-01")
    desk.act(reference, "mark_complete", "2026-10-05 09:00")
    desk.act(reference, "send_to_sponsor", "2026-10-05 10:00")
    for day in range(5, 31):  # three and a half weeks with the sponsor, swept every day
        desk.sweep(f"2026-10-{day:02d} 09:00")
    # Reminded on the 5th working day (12 October), then every 5 working days: 19 and 26 October.
    assert desk.alerts() == [("sponsor_reminder", sponsor_user)] * 3
    assert sorted(row["key"].split(":")[3] for row in desk.outbox(kind="sponsor_reminder")) == ["1", "2", "3"]
    site_kinds = {row["kind"] for row in desk.outbox() if row["email"] in (legal, manager)}
    assert site_kinds == {"digest"}


def test_the_digest_ranks_breaches_first_once_each_working_day(desk):
    manager = desk.make_user("manager", "GR", language="en")
    breached = desk.contract("2026-10-01", title="Overdue trial")  # completeness due 5 October
    busy = desk.contract("2026-10-01", title="Busy trial")
    desk.act(busy, "mark_complete", "2026-10-05 10:00")  # review due 12 October
    paused = desk.contract("2026-10-01", title="Paused trial")
    desk.act(paused, "mark_complete", "2026-10-05 10:00")
    desk.act(paused, "send_to_sponsor", "2026-10-05 11:00")

    desk.sweep("2026-10-10 09:00")  # Saturday
    desk.sweep("2026-10-12 07:59")  # Monday before 08:00
    assert desk.outbox(kind="digest") == []
    desk.sweep("2026-10-12 08:00")
    desk.sweep("2026-10-12 12:00")
    digests = desk.outbox(kind="digest")
    assert [(d["email"], d["not_before"]) for d in digests] == [(manager, paris("2026-10-12 08:00"))]
    text = digests[0]["body_text"]
    assert text.index(breached) < text.index(busy) < text.index(paused)
    assert "3 open, 1 overdue" in digests[0]["subject"]
    desk.sweep("2026-10-12 19:30")  # after the window: tomorrow's digest is not queued tonight
    desk.sweep("2026-10-13 08:10")
    assert [d["key"].split(":")[2] for d in desk.outbox(kind="digest")] == ["2026-10-12", "2026-10-13"]


def test_concurrent_sweeps_queue_each_alert_once(app, desk):
    legal = [desk.make_user("legal", "GR") for _ in range(2)]
    managers = [desk.make_user("manager", "GR") for _ in range(2)]
    for _ in range(6):
        desk.contract("2026-10-01")  # completeness due 5 October: breached and escalated by the 13th
    now = paris("2026-10-13 09:00")
    counts = race(5, lambda: desk.sweep(now))
    expected = 6 * (len(legal) + len(managers)) + 6 * len(managers) + len(managers)  # breach, escalation, digest
    assert sum(counts) == expected  # each row was counted by exactly one sweep
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(OutboxMessage.id))).scalar() == expected


def test_a_duplicate_key_is_skipped_without_aborting_the_transaction(app, desk):
    from tracker.mail.queue import insert_new

    desk.make_user("legal", "GR")
    desk.contract("2026-10-01")
    desk.sweep("2026-10-13 09:00")
    with app.app_context():
        existing = db.session.execute(db.select(OutboxMessage)).scalars().first()
        row = {c.name: getattr(existing, c.name) for c in OutboxMessage.__table__.columns if c.name != "id"}
        fresh = {**row, "key": row["key"] + ":copy"}
        assert insert_new([row, fresh]) == 1
        db.session.commit()
        keys = db.session.execute(db.select(OutboxMessage.key).order_by(OutboxMessage.key)).scalars().all()
        assert keys == sorted([row["key"], fresh["key"]])
