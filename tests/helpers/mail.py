"""Reading what the tracker mailed: its outbox rows and the links its mails carry."""
from __future__ import annotations

import re

from tracker.database import utcnow
from tracker.extensions import db
from tracker.mail.smtp import send_due
from tracker.models import OutboxMessage


def outbox(app, **where) -> list[OutboxMessage]:
    """The outbox rows matching ``where`` (column=value), oldest first, detached from the session."""
    with app.app_context():
        stmt = db.select(OutboxMessage).order_by(OutboxMessage.id)
        for name, value in where.items():
            stmt = stmt.where(getattr(OutboxMessage, name) == value)
        rows = db.session.execute(stmt).scalars().all()
        db.session.expunge_all()
        return rows


def link_in(text: str, kind: str = "welcome") -> str:
    """The path of the one-time link in a mail's text."""
    match = re.search(r"http://tracker\.test(/account/%s/[A-Za-z0-9_\-]+)" % kind, text)
    assert match, text
    return match.group(1)


def latest(app, smtp, address: str, pattern: re.Pattern) -> str:
    """Send what is due, then the first group of ``pattern`` in the last mail to ``address`` that has it."""
    with app.app_context():
        send_due(utcnow(), batch=100)
    found = [pattern.search(m.part("plain")) for m in smtp.box.to(address)]
    found = [f for f in found if f]
    assert found, f"nothing for {address}"
    return found[-1].group(1)
