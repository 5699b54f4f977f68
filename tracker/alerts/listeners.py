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
from tracker.alerts.context import load_directory
from tracker.alerts.rules import MANAGERS, OWNER, round_stem
from tracker.mail import hooks as mail_hooks
from tracker.mail.queue import insert_new, outbox_row
from tracker.mail.render import language_of, rendering
from tracker.models import Event, Track
from tracker.pipeline.signals import action_applied
from tracker.sla.policy import settings_of
from tracker.timeutil import local_date


def _queue(kind: str, stem: str, track: Track, audience: str, values: dict, now) -> int:
    """Queue one alert about ``track`` for everyone the audience means there, in the current transaction."""
    directory = load_directory(now, site_ids={track.site_id})
    window = directory.windows[track.site_id]
    people = directory.recipients(audience, site_id=track.site_id, sponsor_id=track.contract.sponsor_id,
                                  owner_id=track.owner_id)
    rows = []
    with rendering():
        for person in people:
            language = language_of(person.language)
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
            _queue("escalation", round_stem(track.id, track.round), track, MANAGERS,
                   _values(track, reason="round", round_limit=limit, started_on=started_on), now)
    if event.action == "conformity_issue":
        coordinating = track.contract.coordinating_track
        _queue("conformity_issue", f"conformity_issue:{event.id}", coordinating, OWNER,
               _values(coordinating, reporter_site=track.site.name, issue=event.comment,
                       reported_on=local_date(event.effective_at, track.site.timezone)), now)


def connect() -> None:
    from tracker.alerts.freshness import stale_ids
    from tracker.alerts.mails import bodies_of

    action_applied.connect(on_action)
    mail_hooks.provide(stale=stale_ids, bodies=bodies_of)  # alerts superseded and rendered at send time
