"""Telling a sponsor's contacts that the file has come to them (listens to the pipeline).

When a site sends its draft to the sponsor or asks for missing documents, every active
contact of the sponsor gets an e-mail, in their language, with the link to the contract
in the portal and, for a draft, the link to the version that was sent. It is queued in
the action's own transaction, so a refused or rolled-back action mails nobody.
"""
from __future__ import annotations

from flask_babel import gettext as _

from tracker.documents.operations import contract_language
from tracker.extensions import db
from tracker.mail import queue as outbox
from tracker.mail.render import base_url, contract_link, short
from tracker.models import Document, Event, Track, User
from tracker.pipeline.signals import action_applied

NOTIFIED = ("send_to_sponsor", "mark_incomplete")


def _subject(v: dict) -> str:
    if v["action"] == "send_to_sponsor":
        words = _("%(site)s sent you the draft for round %(round)s", site=v["site"], round=v["round"])
    else:
        words = _("%(site)s needs documents from you", site=v["site"])
    return f"[{v['reference']}] {words} — {v['short']}"


def on_action(track: Track, *, event: Event, now, **_ignored) -> None:
    if event.action not in NOTIFIED:
        return
    contract = track.contract
    people = db.session.execute(db.select(User).where(
        User.role == "sponsor", User.sponsor_id == contract.sponsor_id, User.active.is_(True))
        .order_by(User.id)).scalars().all()
    if not people:
        return
    base = base_url()
    document = db.session.get(Document, event.document_id) if event.document_id else None
    values = {
        "action": event.action, "reference": contract.reference, "title": contract.title,
        "short": short(contract), "sponsor": contract.sponsor.name, "site": track.site.name,
        "round": track.round, "comment": event.comment if event.comment_for_sponsor else None,
        "audience": "sponsor", "link": contract_link(contract.reference, sponsor=True),
        "document": document and {"filename": document.filename, "version": document.version,
                                  "sha256": document.sha256, "link": f"{base}/portal/documents/{document.id}"},
    }
    outbox.queue("sponsor_file", f"sponsor_file:{event.id}", people, "sponsor_file", values, _subject, now=now,
                  contract_id=contract.id, track_id=track.id, fallback=contract_language(contract))


def connect() -> None:
    action_applied.connect(on_action)
