"""SPEC 5c: signatories who have not signed are reminded after 3 working days of their site's calendar, then
every 3 (a policy setting), with a new link that replaces the old one and keeps its 30-day expiry."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from tests.helpers.signing import LINK, PEOPLE, name_all
from tracker import jobs
from tracker.mail.window import load_windows
from tracker.database import utcnow
from tracker.extensions import db
from tracker.mail.smtp import send_due
from tracker.models import OutboxMessage
from tracker.models.signing import SigningLink
from tracker.timeutil import zone

NAME, EMAIL = PEOPLE["GR"]["institution"]


def _reminders(app) -> list[str]:
    with app.app_context():
        return db.session.execute(db.select(OutboxMessage.to_address).where(
            OutboxMessage.kind == "signing_reminder").order_by(OutboxMessage.id)).scalars().all()


def _at_ten(app, working_days: int) -> datetime:
    """10:00 at Gustave Roussy, this many working days after today."""
    from tracker.models import Site

    with app.app_context():
        site_id = db.session.execute(db.select(Site.id).where(Site.code == "GR")).scalar_one()
        window = load_windows()[site_id]
        day = window.calendar.add_working_days(window.today(utcnow()), working_days)
        db.session.rollback()
        return datetime.combine(day, time(10), tzinfo=zone(window.timezone))


def _sweep(app, now: datetime) -> None:
    with app.app_context():
        jobs.sweep(now)


def test_signatories_who_have_not_signed_are_reminded_every_three_working_days(app, agreed, signer):
    name_all(app, agreed.reference, sites=("GR",))
    sponsor_name, sponsor_email = PEOPLE["GR"]["sponsor"]
    assert signer.sign(sponsor_email, sponsor_name, "GR")[1].status_code == 200
    first_link = signer.link(EMAIL, "GR")

    _sweep(app, _at_ten(app, 2))
    assert _reminders(app) == []  # two working days: too early

    due = _at_ten(app, 3)
    _sweep(app, due)
    _sweep(app, due + timedelta(hours=2))  # a second sweep the same day adds nothing
    reminded = _reminders(app)
    assert sorted(reminded) == sorted([EMAIL, PEOPLE["GR"]["investigator"][1]])  # not the sponsor, who signed
    with app.app_context():
        send_due(due + timedelta(minutes=1))
    mails = [m for m in signer.smtp.box.to(EMAIL) if "Reminder" in m.subject]
    assert len(mails) == 1
    new_link = LINK.search(mails[0].part("plain")).group(1)
    assert new_link != first_link
    assert signer.client.get(first_link).status_code == 410  # replaced
    with app.app_context():
        old = db.session.execute(db.select(SigningLink).order_by(SigningLink.id)).scalars().all()
        fresh = [link for link in old if link.signatory.email == EMAIL and link.voided_at is None]
        replaced = [link for link in old if link.signatory.email == EMAIL and link.voided_at is not None]
        assert len(fresh) == 1 and fresh[0].expires_at == replaced[0].expires_at  # the expiry is kept

    _sweep(app, _at_ten(app, 5))
    assert len(_reminders(app)) == 2  # the next comes 3 working days after the last reminder
    later = _at_ten(app, 6)
    _sweep(app, later)
    assert len(_reminders(app)) == 4
    with app.app_context():
        send_due(later + timedelta(minutes=1))
    newest = LINK.search([m for m in signer.smtp.box.to(EMAIL) if "Reminder" in m.subject][-1].part("plain")).group(1)
    assert signer.client.get(newest).status_code == 200 and signer.client.get(new_link).status_code == 410
