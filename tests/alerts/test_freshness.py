"""SPEC 4: an alert is checked again when its turn to leave comes, and one whose reason has gone is
marked superseded, not sent (issue 15, "alerts must still be true when they leave").

Each test replays one morning the issue describes, on a real SMTP server on loopback, with the
sweep and the sender run at Paris wall-clock times around the 08:00 opening of the window.
Calendar (Gustave Roussy, October 2026, no holiday): a review entered on Monday 5 October has 5
working days and is due on Monday 12 October; its warning day is Friday 9 October.
"""
from __future__ import annotations

from tests.helpers.clock import paris


def _review_due_monday_12_october(desk) -> str:
    reference = desk.contract("2026-10-01")
    desk.act(reference, "mark_complete", "2026-10-05 10:00")
    return reference


def _statuses(desk, kind: str) -> list[str]:
    return [row["status"] for row in desk.outbox(kind=kind)]


def test_a_warning_queued_at_night_is_not_sent_once_the_file_went_to_the_sponsor(desk, smtp):
    legal = desk.make_user("legal", "GR")
    reference = _review_due_monday_12_october(desk)
    desk.sweep("2026-10-09 00:05")
    assert desk.alerts() == [("warning", legal)]
    assert desk.outbox(kind="warning")[0]["not_before"] == paris("2026-10-09 08:00")

    desk.act(reference, "send_to_sponsor", "2026-10-09 07:40")  # the site's clock stops
    assert desk.send("2026-10-09 08:00") == (0, 0)
    assert smtp.received == []
    assert _statuses(desk, "warning") == ["superseded"]
    assert desk.send("2026-10-09 09:00") == (0, 0)  # and it stays so
    assert smtp.received == []


def test_a_warning_still_true_at_08_00_is_sent(desk, smtp):
    """The same night without the 07:40 move: the check must not drop an alert that still holds."""
    legal = desk.make_user("legal", "GR")
    _review_due_monday_12_october(desk)
    desk.sweep("2026-10-09 00:05")
    assert desk.send("2026-10-09 08:00") == (1, 0)
    assert [m.rcpt_tos for m in smtp.received] == [[legal]]
    assert _statuses(desk, "warning") == ["sent"]


def test_no_sponsor_reminder_once_the_sponsor_has_replied(desk, smtp):
    contact = desk.make_user("sponsor", None, sponsor=desk.sponsor_name)
    reference = _review_due_monday_12_october(desk)
    desk.act(reference, "send_to_sponsor", "2026-10-05 11:00")  # 5 working days: reminder on 12 October
    desk.sweep("2026-10-12 00:05")
    assert desk.alerts() == [("sponsor_reminder", contact)]

    desk.act(reference, "sponsor_replied", "2026-10-12 07:30")
    assert desk.send("2026-10-12 08:00") == (0, 0)
    assert desk.alert_mails(smtp, contact) == []
    assert _statuses(desk, "sponsor_reminder") == ["superseded"]


def test_no_warning_for_a_contract_cancelled_the_evening_before(desk, smtp):
    legal = desk.make_user("legal", "GR")
    reference = _review_due_monday_12_october(desk)
    desk.sweep("2026-10-09 19:30")  # the warning day, after hours: it waits for Monday 08:00
    assert desk.outbox(kind="warning")[0]["not_before"] == paris("2026-10-12 08:00")
    assert desk.alerts() == [("warning", legal)]

    desk.act(reference, "cancel", "2026-10-11 20:00", comment="The sponsor stopped the programme.")
    assert desk.send("2026-10-12 08:00") == (0, 0)
    assert smtp.received == []
    assert _statuses(desk, "warning") == ["superseded"]


def test_no_breach_once_a_backdated_send_to_sponsor_shows_the_stage_ended_on_time(desk, smtp):
    legal = desk.make_user("legal", "GR")
    manager = desk.make_user("manager", "GR")
    reference = _review_due_monday_12_october(desk)
    desk.sweep("2026-10-13 00:05")
    assert desk.alerts() == sorted([("breach", legal), ("breach", manager)])

    # At 07:50 the lawyer records that the file actually left on the due day itself.
    desk.act(reference, "send_to_sponsor", "2026-10-12 17:00")
    assert desk.send("2026-10-13 08:00") == (0, 0)
    assert smtp.received == []
    assert _statuses(desk, "breach") == ["superseded", "superseded"]


def test_of_a_warning_and_a_breach_of_the_same_visit_only_the_breach_goes(desk, smtp):
    legal = desk.make_user("legal", "GR")
    _review_due_monday_12_october(desk)
    desk.sweep("2026-10-12 19:30")  # the due day, after hours: warning held until Tuesday 08:00
    desk.sweep("2026-10-13 00:05")  # the due day has ended: the breach, also for 08:00
    assert desk.alerts() == sorted([("warning", legal), ("breach", legal)])

    assert desk.send("2026-10-13 08:00") == (1, 0)
    (mail,) = smtp.received
    assert mail.rcpt_tos == [legal]
    assert "En retard" in mail.subject  # the breach (French: no language chosen)
    assert _statuses(desk, "warning") == ["superseded"] and _statuses(desk, "breach") == ["sent"]


def test_a_breach_outlives_a_later_escalation_of_the_same_visit(desk, smtp):
    """A later alert of another kind does not replace a breach: both are still true."""
    desk.make_user("legal", "GR")
    manager = desk.make_user("manager", "GR")
    _review_due_monday_12_october(desk)
    desk.sweep("2026-10-13 19:30")  # breach, held until Wednesday
    desk.sweep("2026-10-14 19:30")  # 2 working days late: escalation, held until Thursday
    assert desk.send("2026-10-15 08:00") == (3, 0)
    assert sorted((row["kind"], row["status"]) for row in desk.outbox() if row["email"] == manager) == [
        ("breach", "sent"), ("escalation", "sent")]
    assert len(smtp.box.to(manager)) == 2


def test_superseded_alerts_are_listed_on_the_outbox_page(client, desk, smtp, make_user, login):
    legal = desk.make_user("legal", "GR")
    reference = _review_due_monday_12_october(desk)
    desk.sweep("2026-10-09 00:05")
    desk.act(reference, "send_to_sponsor", "2026-10-09 07:40")
    desk.send("2026-10-09 08:00")
    (row,) = desk.outbox(kind="warning")

    login(make_user("admin", None))
    page = client.get("/admin/outbox?status=superseded", headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'id="message-{row["id"]}"' in html and legal in html and reference in html
    assert "Superseded: no longer true when its turn came" in html and "Superseded: no longer true when its turn came (1)" in html
    assert client.get("/admin/outbox?status=sent", headers={"Accept-Language": "en"}).get_data(
        as_text=True).count('id="message-') == 0
    french = client.get("/admin/outbox?status=superseded", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert f'id="message-{row["id"]}"' in french and "Superseded" not in french
    assert "Send again" not in html  # nothing to retry: it is not a failure


def test_a_conformity_notice_is_sent_unless_the_contract_was_cancelled_meanwhile(desk, smtp):
    legal = desk.make_user("legal", "GR")
    references = []
    for _ in range(2):
        reference = desk.contract("2026-10-01", sites=("GR", "IB"))
        desk.act(reference, "mark_complete", "2026-10-05 10:00")
        desk.act(reference, "agree", "2026-10-06 10:00")
        desk.act(reference, "conformity_issue", "2026-10-06 20:00", site="IB", comment="Article 7 differs.")
        references.append(reference)
    desk.act(references[1], "cancel", "2026-10-06 21:00", comment="The sponsor stopped the programme.")
    assert desk.send("2026-10-07 08:00") == (1, 0)
    (mail,) = smtp.received
    assert mail.rcpt_tos == [legal] and references[0] in mail.subject and "Article 7 differs." in mail.part("plain")
    assert sorted(row["status"] for row in desk.outbox(kind="conformity_issue")) == ["sent", "superseded"]
