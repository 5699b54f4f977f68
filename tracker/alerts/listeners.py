"""Alerts that an action makes due at once, queued in the action's own transaction.

The pipeline announces every applied action (``tracker.pipeline.signals``); here:

* a negotiation round beyond the policy's limit starts (``send_to_sponsor`` or
  ``reopen``): an escalation to the site's managers (SPEC 4), even if no sweep ever
  sees the round;
* an associated site reports a conformity issue: the coordinating site's owner (or
  its legal staff) hears of it.
"""
from __future__ import annotations

from tracker.alerts import mails
from tracker.alerts.context import Person
from tracker.alerts.queue import insert_new, outbox_row
from tracker.alerts.rules import round_stem
from tracker.alerts.window import site_window
from tracker.extensions import db
from tracker.models import Event, Track, User
from tracker.pipeline.signals import action_applied
from tracker.sla.policy import settings_of
from tracker.timeutil import local_date


def _people(site_id: int, role: str, owner_id: int | None = None) -> list[Person]:
    stmt = db.select(User).where(User.active.is_(True), User.site_id == site_id)
    if owner_id is not None and role == "legal":
        owner = db.session.get(User, owner_id)
        if owner is not None and owner.active and owner.role == "legal" and owner.site_id == site_id:
            return [Person(owner.id, owner.email, owner.name, owner.language, owner.role)]
    users = db.session.execute(stmt.where(User.role == role).order_by(User.id)).scalars()
    return [Person(u.id, u.email, u.name, u.language, u.role) for u in users]


def _queue(kind: str, stem: str, track: Track, people: list[Person], values: dict, now, audience: str) -> int:
    window = site_window(track.site)
    rows = []
    with mails.rendering():
        for person in people:
            language = mails.language_of(person.language)
            rendered = mails.render_track_alert(kind, language, {**values, "name": person.name,
                                                                 "audience": audience})
            rows.append(outbox_row(key=f"{stem}:{person.id}", kind=kind, person=person, subject_text_html=rendered,
                                   language=language, now=now, not_before=window.next_opening(now),
                                   site_id=track.site_id, contract_id=track.contract_id, track_id=track.id,
                                   visit=track.visit))
    return insert_new(rows)


def _values(track: Track, **extra) -> dict:
    contract = track.contract
    return {"reference": contract.reference, "title": contract.title, "acronym": contract.acronym,
            "sponsor": contract.sponsor.name, "site": track.site.name, "stage": track.stage, "due_on": track.due_on,
            "round": track.round, "ceiling_on": track.regulatory_due_on, **extra}


def on_action(track: Track, *, event: Event, actor, now, previous_round: int, **_ignored) -> None:
    if track.round > previous_round:
        limit = settings_of(event.policy_id)["round_limit"]
        if track.round > limit:
            started_on = local_date(event.effective_at, track.site.timezone)
            _queue("escalation", round_stem(track.id, track.round), track, _people(track.site_id, "manager"),
                   _values(track, reason="round", round_limit=limit, started_on=started_on), now, "managers")
    if event.action == "conformity_issue":
        coordinating = track.contract.coordinating_track
        _queue("conformity_issue", f"conformity_issue:{event.id}", coordinating,
               _people(coordinating.site_id, "legal", coordinating.owner_id),
               _values(coordinating, reporter_site=track.site.name, issue=event.comment,
                       reported_on=local_date(event.effective_at, track.site.timezone)), now, "owner")


def connect() -> None:
    action_applied.connect(on_action)
