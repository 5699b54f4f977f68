"""Delivery (SPEC 4): only in the site's working hours, through outages, once, and never with injected headers."""
from __future__ import annotations

from datetime import timedelta

from tests.helpers.clock import paris
from tests.helpers.concurrency import race
from tracker.extensions import db
from tracker.mail.outbox import claim
from tracker.models import OutboxMessage


def test_a_friday_evening_alert_waits_for_monday_08_00(desk, smtp):
    legal = desk.make_user("legal", "GR")
    desk.contract("2026-10-08")  # completeness due Monday 12 October: warning from Friday
    desk.sweep("2026-10-09 20:00")
    assert desk.alerts() == [("warning", legal)]
    for when in ("2026-10-09 20:00", "2026-10-10 12:00", "2026-10-11 15:00", "2026-10-12 07:59"):
        assert desk.send(when) == (0, 0), when
    assert smtp.received == []
    assert desk.send("2026-10-12 08:00") == (1, 0)
    assert [m.rcpt_tos for m in smtp.received] == [[legal]]
    assert desk.outbox()[0]["sent_at"] == paris("2026-10-12 08:00")


def test_a_holiday_monday_holds_mail_until_tuesday(desk, smtp):
    legal = desk.make_user("legal", "GR")
    desk.contract("2026-05-21")  # completeness due Tuesday 26 May 2026: Whit Monday is a holiday at GR
    desk.sweep("2026-05-22 20:00")
    assert desk.outbox()[0]["not_before"] == paris("2026-05-26 08:00")
    assert desk.send("2026-05-25 10:00") == (0, 0)
    assert desk.send("2026-05-26 08:00") == (1, 0)
    assert smtp.box.to(legal)


def test_the_window_is_checked_again_when_sending(app, desk, smtp):
    desk.make_user("legal", "GR")
    desk.contract("2026-10-01")
    desk.sweep("2026-10-13 18:58")  # breach, queued inside the window
    smtp.stop()
    assert desk.send("2026-10-13 18:58") == (0, 1)  # retry in a minute: 18:59
    smtp.start()
    assert desk.send("2026-10-13 19:00") == (0, 0)  # due, but the window has closed
    assert desk.outbox()[0]["not_before"] == paris("2026-10-14 08:00")
    assert desk.send("2026-10-14 08:00") == (1, 0)
    assert len(smtp.received) == 1


def test_an_smtp_outage_delays_and_then_delivers_everything_exactly_once(app, desk, smtp):
    legal = [desk.make_user("legal", "GR") for _ in range(3)]
    desk.contract("2026-10-01")
    desk.sweep("2026-10-13 09:00")
    smtp.stop()
    assert desk.send("2026-10-13 09:00") == (0, 3)
    rows = desk.outbox()
    assert {(r["status"], r["attempts"]) for r in rows} == {("queued", 1)}
    assert all("refused" in r["last_error"].lower() for r in rows)
    assert {r["not_before"] for r in rows} == {paris("2026-10-13 09:01")}
    assert desk.send("2026-10-13 09:00:30") == (0, 0)  # backing off
    assert desk.send("2026-10-13 09:01") == (0, 3)  # still down: now wait two minutes
    assert {r["not_before"] for r in desk.outbox()} == {paris("2026-10-13 09:03")}
    smtp.start()
    assert desk.send("2026-10-13 09:03") == (3, 0)
    assert desk.send("2026-10-13 10:00") == (0, 0)
    assert sorted(r for m in smtp.received for r in m.rcpt_tos) == sorted(legal)
    assert {r["status"] for r in desk.outbox()} == {"sent"}


def test_after_ten_failed_attempts_a_message_is_failed(desk, smtp):
    desk.make_user("legal", "GR")
    desk.contract("2026-10-01")
    desk.sweep("2026-10-13 09:00")
    smtp.stop()
    now, waits = paris("2026-10-13 09:00"), []
    for _attempt in range(10):
        assert desk.send(now) == (0, 1)
        row = desk.outbox()[0]
        waits.append(row["not_before"] - now)
        now = row["not_before"]
    assert waits[:7] == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32, 60)]
    assert waits[7:9] == [timedelta(hours=1)] * 2
    assert (row["status"], row["attempts"]) == ("failed", 10)
    smtp.start()
    assert desk.send(now + timedelta(hours=2)) == (0, 0)  # failed rows wait for an admin


def test_a_claim_left_by_a_dead_sender_is_taken_over_after_ten_minutes(app, desk, smtp):
    desk.make_user("legal", "GR")
    desk.contract("2026-10-01")
    desk.sweep("2026-10-13 09:00")
    with app.app_context():
        assert len(claim(paris("2026-10-13 09:00"), 100)) == 1  # claimed, then the sender "dies"
    assert desk.send("2026-10-13 09:05") == (0, 0)
    assert desk.send("2026-10-13 09:11") == (1, 0)
    assert len(smtp.received) == 1


def test_concurrent_senders_deliver_each_message_once(app, desk, smtp):
    [desk.make_user("legal", "GR") for _ in range(3)]
    [desk.make_user("manager", "GR") for _ in range(2)]
    for _ in range(5):
        desk.contract("2026-10-01")
    desk.sweep("2026-10-13 09:00")
    total = len(desk.outbox())
    assert total == 5 * 5 + 5 * 2 + 2  # breaches, escalations, digests

    def send_until_empty():
        rounds = []
        while True:
            sent, failed = desk.send("2026-10-13 09:00", batch=4)
            rounds.append((sent, failed))
            if sent + failed == 0:
                return rounds

    results = [r for rounds in race(4, send_until_empty) for r in rounds]
    assert sum(s for s, _f in results) == total and sum(f for _s, f in results) == 0
    ids = [m.message["Message-ID"] for m in smtp.received]
    assert len(ids) == total and len(set(ids)) == total
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).where(OutboxMessage.status == "sent")).scalar() == total


def test_a_title_cannot_inject_headers(desk, smtp):
    legal = desk.make_user("legal", "GR")
    reference = desk.contract("2026-10-01", title="Evil trial\r\nBcc: evil@example.com", acronym=None)
    desk.sweep("2026-10-13 09:00")
    assert desk.send("2026-10-13 09:00") == (1, 0)
    (mail,) = smtp.received
    assert mail.rcpt_tos == [legal]
    assert mail.message["Bcc"] is None
    names = {name for name, _value in mail.message.items()}
    assert names == {"Subject", "From", "To", "Date", "Message-ID", "Auto-Submitted", "Content-Language",
                     "MIME-Version", "Content-Type"}
    assert [name for name, value in mail.message.items() if "evil@example.com" in value] == ["Subject"]
    assert not any(line.startswith(b"Bcc:") for line in mail.raw.splitlines())  # nor in the bodies
    assert reference in mail.subject and "Evil trial Bcc: evil@example.com" in mail.subject
    assert "evil@example.com" not in " ".join(mail.rcpt_tos)


def test_a_sweeps_alert_is_rendered_when_sent_and_the_row_keeps_what_was_sent(app, desk, smtp):
    """The sweep stores the subject and the values; the sender renders the bodies, stores them, sends them."""
    legal = desk.make_user("legal", "GR")
    reference = desk.contract("2026-10-08")
    desk.sweep("2026-10-12 09:00")
    with app.app_context():
        queued = db.session.execute(db.select(OutboxMessage).where(OutboxMessage.kind == "warning")).scalar_one()
        assert reference in queued.subject and queued.body_text == "" and queued.payload["reference"] == reference
    assert desk.send("2026-10-12 09:00") == (1, 0)
    (mail,) = smtp.received
    with app.app_context():
        sent = db.session.execute(db.select(OutboxMessage).where(OutboxMessage.kind == "warning")).scalar_one()
        assert sent.payload is None and reference in sent.body_text and reference in sent.body_html
        assert mail.part("plain").replace("\r\n", "\n") == sent.body_text  # SMTP carries CRLF line ends
        assert mail.part("html").replace("\r\n", "\n").strip() == sent.body_html.strip()
        assert mail.subject == sent.subject
    assert mail.rcpt_tos == [legal]


def test_an_alert_that_cannot_be_rendered_fails_alone(app, desk, smtp):
    legal = desk.make_user("legal", "GR")
    desk.contract("2026-10-08")
    desk.contract("2026-10-08")
    desk.sweep("2026-10-12 09:00")
    with app.app_context():
        broken, fine = db.session.execute(db.select(OutboxMessage).where(OutboxMessage.kind == "warning")
                                          .order_by(OutboxMessage.id)).scalars().all()
        broken.payload = {key: value for key, value in broken.payload.items() if key != "reference"}
        db.session.commit()
        broken_id = broken.id
    assert desk.send("2026-10-12 09:00") == (1, 1)
    assert [m.rcpt_tos for m in smtp.received] == [[legal]]
    with app.app_context():
        assert db.session.get(OutboxMessage, broken_id).status == "failed"
