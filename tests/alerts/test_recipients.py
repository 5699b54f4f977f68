"""SPEC 4: who hears of what - repeated sponsor reminders, the regulatory ceiling's own alerts, and a
track's owner in place of all its site's legal staff (issue 15).

Calendar (Gustave Roussy, 2026): a file complete on Monday 9 March has its ceiling on Thursday
23 April (45 calendar days); the ceiling warning comes 5 working days before, on Thursday 16 April.
"""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tracker import audit
from tracker.extensions import db
from tracker.models import Contract, Site, User
from tracker.pipeline.operations import set_owner
from tracker.sla.operations import save_policy
from tracker.sla.policy import DEFAULTS

from tests.helpers.clock import paris


def _own(app, reference: str, site: str, email: str | None) -> None:
    with app.app_context():
        contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
        track = next(t for t in contract.tracks if t.site.code == site)
        user_id = db.session.execute(db.select(User.id).where(User.email == email)).scalar() if email else None
        set_owner(track, user_id, actor=audit.SYSTEM, now=datetime.now(timezone.utc))
        db.session.commit()


def _name(app, email: str) -> str:
    with app.app_context():
        return db.session.execute(db.select(User.name).where(User.email == email)).scalar_one()


def _sweep_and_send_every_working_morning(desk, first: int, last: int, month: str = "2026-10") -> None:
    for day in range(first, last + 1):
        when = f"{month}-{day:02d} 09:00"
        if paris(when).weekday() < 5:
            desk.sweep(when)
            desk.send(when)


def test_the_sponsor_is_reminded_every_five_working_days_each_reminder_once(desk, smtp):
    contact = desk.make_user("sponsor", None, sponsor=desk.sponsor_name, language="en")
    reference = desk.contract("2026-10-01")
    desk.act(reference, "mark_complete", "2026-10-05 09:00")
    desk.act(reference, "send_to_sponsor", "2026-10-05 10:00")
    for _twice in range(2):  # a second pass over the same days sends nothing more
        _sweep_and_send_every_working_morning(desk, 5, 30)
    mails = desk.alert_mails(smtp, contact)
    assert [m.message["Date"][:16] for m in mails] == [
        "Mon, 12 Oct 2026", "Mon, 19 Oct 2026", "Mon, 26 Oct 2026"]
    assert "This is reminder number" not in mails[0].part("plain")
    assert "This is reminder number 2." in mails[1].part("plain")
    assert "This is reminder number 3." in mails[2].part("plain")
    for mail in mails:
        assert "waiting for your reply since Oct 5, 2026" in mail.part("plain")


def test_the_repeat_interval_is_a_policy_setting(app, desk, smtp):
    contact = desk.make_user("sponsor", None, sponsor=desk.sponsor_name)
    with app.app_context():
        save_policy({**DEFAULTS, "sponsor_reminder_every": 2}, actor=audit.SYSTEM, now=datetime.now(timezone.utc))
        db.session.commit()
    reference = desk.contract("2026-10-01")
    desk.act(reference, "mark_complete", "2026-10-05 09:00")
    desk.act(reference, "send_to_sponsor", "2026-10-05 10:00")
    _sweep_and_send_every_working_morning(desk, 5, 20)
    assert [m.message["Date"][5:11] for m in desk.alert_mails(smtp, contact)] == ["12 Oct", "14 Oct", "16 Oct", "20 Oct"]


def test_a_late_sender_sends_the_latest_reminder_only(desk, smtp):
    contact = desk.make_user("sponsor", None, sponsor=desk.sponsor_name, language="en")
    reference = desk.contract("2026-10-01")
    desk.act(reference, "mark_complete", "2026-10-05 09:00")
    desk.act(reference, "send_to_sponsor", "2026-10-05 10:00")
    for day in range(5, 23):
        desk.sweep(f"2026-10-{day:02d} 09:00")  # the sender is down for two and a half weeks
    assert desk.send("2026-10-22 09:00") == (1, 0)
    (mail,) = desk.alert_mails(smtp, contact)
    assert "This is reminder number 2." in mail.part("plain")
    assert [row["status"] for row in desk.outbox(kind="sponsor_reminder")] == ["superseded", "sent"]


def _with_the_sponsor_from_9_march(desk) -> str:
    """Complete on 9 March 2026, then with the sponsor (so no stage deadline runs) until the ceiling."""
    reference = desk.contract("2026-03-05")
    desk.act(reference, "mark_complete", "2026-03-09 10:00")
    desk.act(reference, "send_to_sponsor", "2026-03-09 11:00")
    return reference


def test_the_regulatory_ceiling_warns_legal_staff_and_managers_then_breaches_to_managers(desk, smtp):
    legal = [desk.make_user("legal", "GR"), desk.make_user("legal", "GR")]
    manager = desk.make_user("manager", "GR", language="en")
    desk.make_user("legal", "IB")
    _with_the_sponsor_from_9_march(desk)
    desk.sweep("2026-04-15 18:00")
    assert desk.alerts() == []
    desk.sweep("2026-04-16 09:00")  # 5 working days before Thursday 23 April
    assert desk.alerts() == sorted([("ceiling_warning", legal[0]), ("ceiling_warning", legal[1]),
                                    ("ceiling_warning", manager)])
    assert desk.send("2026-04-16 09:00") == (4, 0)  # and the manager's digest
    for when in ("2026-04-20 09:00", "2026-04-23 18:00"):
        desk.sweep(when)
    assert len(desk.alerts()) == 3  # once per track, however often the sweep runs

    desk.sweep("2026-04-24 00:05")  # the ceiling has passed unsigned
    assert [a for a in desk.alerts() if a[0] == "ceiling_breach"] == [("ceiling_breach", manager)]
    assert desk.send("2026-04-24 08:00") == (2, 0)  # and the newest of the digests queued meanwhile
    warning, breach = (m for m in smtp.box.to(manager) if "Regulatory deadline" in m.subject)
    assert "Apr 23, 2026" in warning.subject and "Apr 23, 2026" in warning.part("plain")
    assert "passed on Apr 23, 2026 without a signed agreement" in breach.part("plain")


def test_an_executed_track_has_no_ceiling_alert(desk, smtp):
    desk.make_user("manager", "GR")
    reference = _with_the_sponsor_from_9_march(desk)
    desk.sweep("2026-04-16 07:00")  # queued before the window opens
    desk.act(reference, "agree", "2026-04-16 07:10")
    for party in ("institution", "investigator", "sponsor"):
        desk.act(reference, "sign", "2026-04-16 07:20", party=party)
    assert desk.send("2026-04-16 08:00") == (0, 0)
    assert [row["status"] for row in desk.outbox(kind="ceiling_warning")] == ["superseded"]
    desk.sweep("2026-04-24 09:00")
    assert [row["kind"] for row in desk.outbox() if row["kind"] != "digest"] == ["ceiling_warning"]


def test_warnings_and_breaches_go_to_the_owner_else_to_all_legal_staff(app, desk, smtp):
    owner, other = desk.make_user("legal", "GR"), desk.make_user("legal", "GR")
    manager = desk.make_user("manager", "GR")
    owned = desk.contract("2026-10-01")
    unowned = desk.contract("2026-10-01")
    _own(app, owned, "GR", owner)
    for reference in (owned, unowned):
        desk.act(reference, "mark_complete", "2026-10-05 10:00")  # review due Monday 12 October
    desk.sweep("2026-10-09 09:00")
    assert desk.send("2026-10-09 09:00") == (3 + 1, 0)  # the warnings, and the manager's digest
    desk.sweep("2026-10-13 09:00")
    assert desk.send("2026-10-13 09:00") == (5 + 1, 0)
    by_contract: dict[str, list] = {}
    for row in desk.outbox():
        if row["kind"] != "digest":
            by_contract.setdefault(row["contract_id"], []).append((row["kind"], row["email"]))
    owned_alerts, unowned_alerts = (sorted(v) for _k, v in sorted(by_contract.items()))
    assert owned_alerts == sorted([("warning", owner), ("breach", owner), ("breach", manager)])
    assert unowned_alerts == sorted([("warning", owner), ("warning", other), ("breach", owner),
                                     ("breach", other), ("breach", manager)])
    assert len(smtp.box.to(owner)) == 4 and len(smtp.box.to(other)) == 2
    # The manager's breach says who has the file: the owner by name, or nobody.
    breaches = sorted((m.part("plain") for m in smtp.box.to(manager) if "En retard" in m.subject), key=len)
    assert any(f"Elle est suivie par {_name(app, owner)}." in text for text in breaches)
    assert any("Elle n'a pas de responsable" in text for text in breaches)


@pytest.mark.parametrize("leaves", ["disabled", "moved to Institut Bergonié"])
def test_an_owner_who_leaves_hands_the_alerts_back_to_all_legal_staff(app, desk, leaves):
    owner, other = desk.make_user("legal", "GR"), desk.make_user("legal", "GR")
    reference = desk.contract("2026-10-01")
    _own(app, reference, "GR", owner)
    with app.app_context():
        ib = db.session.execute(db.select(Site.id).where(Site.code == "IB")).scalar_one()
        change = {"active": False} if leaves == "disabled" else {"site_id": ib}
        db.session.execute(db.update(User).where(User.email == owner).values(**change))
        db.session.commit()
    desk.act(reference, "mark_complete", "2026-10-05 10:00")
    desk.sweep("2026-10-09 09:00")
    assert desk.alerts() == [("warning", other)]


def test_the_ceiling_warning_comes_when_the_policy_in_force_at_the_start_says(app, desk):
    desk.make_user("manager", "GR")

    def save(days: int) -> None:
        with app.app_context():
            save_policy({**DEFAULTS, "ceiling_warning_before": days}, actor=audit.SYSTEM,
                        now=datetime.now(timezone.utc))
            db.session.commit()

    def warned() -> set[int]:
        return {row["contract_id"] for row in desk.outbox(kind="ceiling_warning")}

    five_days = _with_the_sponsor_from_9_march(desk)  # the default policy: 5 working days
    save(2)
    two_days = _with_the_sponsor_from_9_march(desk)
    save(10)  # saved after both ceilings started: it moves neither warning
    with app.app_context():
        ids = dict(db.session.execute(db.select(Contract.reference, Contract.id)).all())
    desk.sweep("2026-04-15 09:00")
    assert warned() == set()
    desk.sweep("2026-04-16 09:00")
    assert warned() == {ids[five_days]}
    desk.sweep("2026-04-20 09:00")
    assert warned() == {ids[five_days]}
    desk.sweep("2026-04-21 09:00")  # 2 working days before Thursday 23 April
    assert warned() == {ids[five_days], ids[two_days]}
