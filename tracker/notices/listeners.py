"""The notifications a change means for people (SPEC 4), queued in the change's own transaction.

* ``sponsor_replied`` (the sponsor answered) and ``redline_received`` (its redline came in):
  the track's owner, else the site's legal staff. A redline sent with a reply is one mail:
  both use the same outbox key, so whichever is queued first (the reply, which mentions
  the redline) is the one sent, unless the person turned that kind off.
* ``conformity_started``: the coordinator agreed, so each associated site's legal staff
  learn that their 2-working-day conformity clock runs.
* ``signature_recorded``: the track's owner (else the site's legal staff) at each signature.

The deadline-side notices (``conformity_issue``) stay in ``tracker.alerts.listeners`` and the
sponsor's ``sponsor_file`` in ``tracker.portal.notifications``; all follow each person's choice
(``tracker.notices.choices``). Nobody is told of what they did themselves.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from tracker.alerts.context import load_directory
from tracker.alerts.rules import OWNER
from tracker.contracts.signals import document_created
from tracker.documents.operations import contract_language
from tracker.extensions import db
from tracker.mail import hooks as mail_hooks
from tracker.mail import queue as outbox
from tracker.mail.render import contract_link, short
from tracker.models import Contract, Document, Event, Track
from tracker.stages import rules
from tracker.pipeline.signals import action_applied


def _subject(v: dict) -> str:
    kind = v["kind"]
    if kind == "sponsor_replied":
        words = _("%(sponsor)s replied on %(site)s's track", sponsor=v["sponsor"], site=v["site"])
    elif kind == "redline_received":
        words = _("%(sponsor)s sent a redline to %(site)s", sponsor=v["sponsor"], site=v["site"])
    elif kind == "conformity_started":
        words = _("Terms agreed: %(site)s's conformity check starts", site=v["site"])
    else:
        words = _("Signature recorded at %(site)s: %(party)s", site=v["site"], party=v["party_label"])
    return f"[{v['reference']}] {words} — {v['short']}"


def _values(kind: str, track: Track, **extra) -> dict:
    contract = track.contract
    return {"kind": kind, "reference": contract.reference, "title": contract.title, "short": short(contract),
            "sponsor": contract.sponsor.name, "site": track.site.name, "round": track.round, "audience": "staff",
            "link": f"{contract_link(contract.reference)}#track-{track.site.code}", **extra}


def _tell(kind: str, key: str, track: Track, people, values: dict, *, now: datetime, actor_id) -> int:
    people = [p for p in people if p.id != actor_id]
    if not people:
        return 0
    return outbox.queue(kind, key, people, "notice", values, _subject, now=now, contract_id=track.contract_id,
                         track_id=track.id, fallback=contract_language(track.contract))


def _owner_or_legal(track: Track, now: datetime):
    directory = load_directory(now, site_ids={track.site_id})
    return directory.recipients(OWNER, site_id=track.site_id, sponsor_id=track.contract.sponsor_id,
                                owner_id=track.owner_id)


def _redline(track: Track, at: datetime) -> Document | None:
    """A redline of this site stored in the same moment (sent with the reply)."""
    return db.session.execute(db.select(Document).where(
        Document.contract_id == track.contract_id, Document.site_id == track.site_id, Document.kind == "redline",
        Document.created_at == at).order_by(Document.id.desc()).limit(1)).scalar()


def _document_values(reference: str, document: Document | None) -> dict | None:
    """The redline, with the page that compares it with the version sent."""
    if document is None:
        return None
    return {"filename": document.filename, "version": document.version,
            "link": contract_link(reference, path=f"/documents/{document.id}/compare")}


def on_action(track: Track, *, event: Event, actor, now, **_ignored) -> None:
    if event.action == "sponsor_replied":
        values = _values("sponsor_replied", track, comment=event.comment,
                         document=_document_values(track.contract.reference,
                                                   _redline(track, event.recorded_at)))
        _tell("sponsor_replied", f"sponsor_return:{track.id}:{event.recorded_at.isoformat()}", track,
              _owner_or_legal(track, now), values, now=now, actor_id=actor.user_id)
    elif event.action == "sign":
        values = _values("signature_recorded", track, party=event.party,
                         party_label=rules.PARTY_LABELS.get(event.party, event.party), stage=track.stage,
                         executed=track.stage == rules.EXECUTED)
        _tell("signature_recorded", f"signature_recorded:{event.id}", track, _owner_or_legal(track, now), values,
              now=now, actor_id=actor.user_id)
    elif event.action == "agree":
        for other in track.contract.tracks:
            if other.role == "associated" and other.stage == rules.CONFORMITY:
                directory = load_directory(now, site_ids={other.site_id})
                values = _values("conformity_started", other, coordinator=track.site.name,
                                 due_on=other.due_on, ceiling_on=other.regulatory_due_on)
                _tell("conformity_started", f"conformity_started:{other.id}:{other.visit}", other,
                      directory.staff.get((other.site_id, "legal"), []), values, now=now, actor_id=actor.user_id)


def on_document(document: Document, **_ignored) -> None:
    if document.kind != "redline":
        return
    contract = db.session.get(Contract, document.contract_id)
    track = next((t for t in contract.tracks if t.site_id == document.site_id), None)
    if track is None:
        return
    now = document.created_at
    values = _values("redline_received", track, document=_document_values(contract.reference, document),
                     comment=None)
    _tell("redline_received", f"sponsor_return:{track.id}:{now.isoformat()}", track, _owner_or_legal(track, now),
          values, now=now, actor_id=document.author_id)


def connect() -> None:
    from tracker.notices.choices import apply

    action_applied.connect(on_action)
    mail_hooks.provide(choices=apply)  # each person's choices apply to the rows queued
    document_created.connect(on_document)
