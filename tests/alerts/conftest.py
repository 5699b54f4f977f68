"""Alert fixtures: a real SMTP server on loopback and a desk that drives contracts through the pipeline.

Times are written as Paris wall-clock times ("2026-10-09 09:00") and passed as ``now``;
events are applied with ``apply_action`` and an explicit ``effective_at``.
"""
from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from datetime import date, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller

from tests.helpers.actors import ADMIN
from tests.helpers.clock import paris
from tracker.alerts.digest import digest
from tracker.alerts.mails import bodies_of
from tracker.alerts.sweep import sweep
from tracker.extensions import db
from tracker.mail.smtp import send_due
from tracker.models import Contract, OutboxMessage, User
from tracker.pipeline.operations import apply_action

SMTP_KEYS = ("SMTP_HOST", "SMTP_PORT", "SMTP_USER", "SMTP_PASSWORD", "SMTP_STARTTLS", "MAIL_FROM")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes

    @property
    def subject(self) -> str:
        return self.message["Subject"]

    def part(self, subtype: str) -> str:
        return self.message.get_body(preferencelist=(subtype,)).get_content()


class Mailbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self):
        self.received: list[Received] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=default_policy)
        with self._lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message, envelope.content))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.rcpt_tos]


class SmtpServer:
    """A real SMTP server on 127.0.0.1 that can be stopped and started again on its port."""

    def __init__(self):
        self.port = free_port()
        self.box = Mailbox()
        self.controller: Controller | None = None

    @property
    def received(self) -> list[Received]:
        return self.box.received

    def start(self) -> None:
        self.controller = Controller(self.box, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(app):
    server = SmtpServer()
    server.start()
    saved = {key: app.config.get(key) for key in SMTP_KEYS}
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, SMTP_USER=None, SMTP_PASSWORD=None,
                      SMTP_STARTTLS=False, MAIL_FROM="Contract tracker <contracts@tracker.test>")
    yield server
    server.stop()
    app.config.update(saved)


class Desk:
    """The vocabulary of the alert tests: contracts, actions, sweeps, sends and the outbox."""

    def __init__(self, app, make_sponsor, make_user, make_contract):
        self.app = app
        self.make_user = make_user
        self.make_sponsor = make_sponsor
        self._make_contract = make_contract
        self.sponsor_name = "Novacure Oncology SA"
        self.sponsor_id = make_sponsor(self.sponsor_name)

    def contract(self, received_on: str, sites=("GR",), **extra) -> str:
        return self._make_contract(self.sponsor_id, coordinating=sites[0], sites=sites,
                                   received_on=date.fromisoformat(received_on), **extra)

    def act(self, reference: str, action: str, when: str, site: str = "GR", recorded: str | None = None,
            actor=ADMIN, **kw) -> None:
        """Apply a pipeline action that happened at a Paris time, recorded then (or at ``recorded``).

        Alerts an action queues itself (a round escalation) wait for the window open at the
        time the action is recorded, so the tests record it at the time they say it happened.
        """
        with self.app.app_context():
            contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
            track = next(t for t in contract.tracks if t.site.code == site)
            apply_action(track, action, actor=actor, now=paris(recorded or when), effective_at=paris(when), **kw)
            db.session.commit()

    def sweep(self, when: str | datetime) -> int:
        """One sweep (and digest check) at a Paris time, committed as the command does."""
        now = paris(when) if isinstance(when, str) else when
        with self.app.app_context():
            queued = sweep(now) + digest(now)
            db.session.commit()
            return queued

    def send(self, when: str | datetime, batch: int = 100) -> tuple[int, int]:
        """Run the sender at a Paris time; return (alerts sent, failed attempts).

        Mails to people (the sponsor's "the file is with you", invitations, messages) leave
        at once with the same sender; they are not alerts and are not counted here.
        """
        now = paris(when) if isinstance(when, str) else when
        with self.app.app_context():
            before = self._sent_personal()
            sent, failed = send_due(now, batch=batch)
            return sent - (self._sent_personal() - before), failed

    def _sent_personal(self) -> int:
        from tracker.mail.queue import PERSONAL_KINDS

        return db.session.execute(db.select(db.func.count(OutboxMessage.id)).where(
            OutboxMessage.kind.in_(PERSONAL_KINDS), OutboxMessage.status == "sent")).scalar()

    def alert_mails(self, smtp, address: str) -> list:
        """The mails an address received that were alerts, not mails to people."""
        from tracker.mail.queue import PERSONAL_KINDS

        with self.app.app_context():
            personal = set(db.session.execute(db.select(OutboxMessage.id).where(
                OutboxMessage.kind.in_(PERSONAL_KINDS))).scalars())
        return [m for m in smtp.box.to(address) if int(m.message["Message-ID"].split(".")[1]) not in personal]

    def outbox(self, **where) -> list[dict]:
        """The alert rows of the outbox as dicts (with the recipient's e-mail), oldest first.

        Mails to people (invitations, messages...) are left out unless a ``kind`` asks for them.
        """
        from tracker.mail.queue import PERSONAL_KINDS

        with self.app.app_context():
            stmt = db.select(OutboxMessage, User.email).outerjoin(User, User.id == OutboxMessage.recipient_id)
            if "kind" not in where:
                stmt = stmt.where(OutboxMessage.kind.not_in(PERSONAL_KINDS))
            for name, value in where.items():
                stmt = stmt.where(getattr(OutboxMessage, name) == value)
            rows = db.session.execute(stmt.order_by(OutboxMessage.id)).all()
            # The bodies the row will send: a sweep's alert has them rendered by the sender.
            return [{**{c.name: getattr(m, c.name) for c in OutboxMessage.__table__.columns}, "email": email,
                     **dict(zip(("body_text", "body_html"), bodies_of(m)))}
                    for m, email in rows]

    def alerts(self) -> list[tuple[str, str]]:
        """(kind, recipient) of every queued alert except the daily digests, sorted."""
        return sorted((row["kind"], row["email"]) for row in self.outbox() if row["kind"] != "digest")


@pytest.fixture
def desk(app, make_sponsor, make_user, make_contract):
    return Desk(app, make_sponsor, make_user, make_contract)
