"""The signing mails (link, code, executed agreement), queued through the outbox in the signatory's language.

A signatory needs no account, so the mail goes to the address the staff named. Like other
mails to people they answer something just done and are not held to a site's working hours;
the sender still drops a queued one whose contract was cancelled meanwhile.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from tracker.mail import queue as outbox
from tracker.mail.render import short
from tracker.models import Track


@dataclass(frozen=True)
class Recipient:
    """Whom a signing mail goes to: a signatory, who may have no account (``id`` None)."""

    email: str
    name: str
    language: str
    id: int | None = None


def _subject(v: dict) -> str:
    if v["what"] == "link":
        words = _("Please sign the agreement for %(site)s", site=v["site"])
    elif v["what"] == "code":
        words = _("Your code to confirm your signature for %(site)s", site=v["site"])
    elif v["what"] == "declined":
        words = _("%(name)s declined to sign the agreement for %(site)s", name=v["signatory"], site=v["site"])
    elif v["what"] == "reminder":
        words = _("Reminder: the agreement for %(site)s awaits your signature", site=v["site"])
    else:
        words = _("The agreement for %(site)s is signed by every party", site=v["site"])
    return f"[{v['reference']}] {words} — {v['short']}"


def track_values(track: Track, party: str | None = None, **extra) -> dict:
    contract = track.contract
    return {"reference": contract.reference, "title": contract.title, "short": short(contract),
            "sponsor": contract.sponsor.name, "site": track.site.name, "party": party,
            "audience": "signatory", **extra}


def queue(what: str, key: str, recipient: Recipient, track: Track, values: dict, *, now: datetime,
          attachment_document_id: int | None = None) -> int:
    """Render ``emails/signing_<what>`` for one recipient and put it in the outbox (with the document to attach,
    by id: the sender reads it when it sends)."""
    return outbox.queue(f"signing_{what}", key, [recipient], f"signing_{what}", {**values, "what": what}, _subject,
                        now=now, contract_id=track.contract_id, track_id=track.id,
                        attachment_document_id=attachment_document_id, own_key=True)


def forget(key: str) -> None:
    """Once a link or code is spent or replaced its mail leaves the outbox (``tracker.mail.queue.forget``)."""
    outbox.forget(key=key)
