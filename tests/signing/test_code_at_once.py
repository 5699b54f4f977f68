"""SPEC 5c: the e-mail code is sent within the request that asks for it, not with the next outbox run; when the
SMTP server is down, the outbox keeps it queued and retries it."""
from __future__ import annotations

import time
from datetime import timedelta

from tests.helpers.signing import CODE, PEOPLE, name_all
from tracker.database import utcnow
from tracker.extensions import db
from tracker.mail.smtp import send_due
from tracker.models import OutboxMessage

NAME, EMAIL = PEOPLE["GR"]["institution"]


def _codes(smtp):
    return [m for m in smtp.box.to(EMAIL) if "Your code" in "".join(m.subject.split()) or "code" in m.subject]


def _code_row(app):
    with app.app_context():
        return db.session.execute(db.select(OutboxMessage.status, OutboxMessage.attempts, OutboxMessage.sent_at)
                                  .where(OutboxMessage.kind == "signing_code")).one()


def test_the_code_reaches_the_mailbox_within_seconds_without_the_outbox_run(app, agreed, signer, smtp):
    name_all(app, agreed.reference, sites=("GR",))
    path = signer.link(EMAIL, "GR")  # the link mail comes through the outbox as before
    started = time.monotonic()
    assert signer.ask_code(path, NAME).status_code == 303
    deadline = started + 5
    while not _codes(smtp) and time.monotonic() < deadline:
        time.sleep(0.05)
    codes = _codes(smtp)
    assert codes, "no code in the mailbox"
    assert time.monotonic() - started < 5
    assert CODE.search(codes[-1].part("plain"))
    status, attempts, sent_at = _code_row(app)
    assert status == "sent" and sent_at is not None
    # Nothing is left for the outbox to send twice.
    with app.app_context():
        assert send_due(utcnow() + timedelta(minutes=5)) == (0, 0)
    assert len(_codes(smtp)) == 1


def test_a_code_the_server_refused_stays_queued_and_the_outbox_retries_it(app, agreed, signer, smtp):
    name_all(app, agreed.reference, sites=("GR",))
    path = signer.link(EMAIL, "GR")
    smtp.stop()
    try:
        assert signer.ask_code(path, NAME).status_code == 303  # the signer is not held up by the outage
        status, attempts, _sent = _code_row(app)
        assert status == "queued" and attempts == 1
    finally:
        smtp.start()
    with app.app_context():
        sent, _failed = send_due(utcnow() + timedelta(minutes=2))
    assert sent == 1 and len(_codes(smtp)) == 1
    assert signer.confirm(path, CODE.search(_codes(smtp)[-1].part("plain")).group(1)).status_code == 200
