"""Which alerts are due at a given time, queued to the outbox (SPEC 4).

* ``warning`` from ``warning_before`` working days before the due day until the due
  day itself, to the legal staff of the track's site; never once the stage is breached.
* ``breach`` once the due day has ended in the site's time zone, to its legal staff
  and managers.
* ``escalation`` to the site's managers when the stage is ``escalation_after`` working
  days past due, and when a negotiation round beyond ``round_limit`` is running
  (round > limit in review or with the sponsor): once per such round.
* ``sponsor_reminder`` once the sponsor has held the track for ``sponsor_reminder``
  working days (the stored ``reminder_on`` has come), to the sponsor's users.

The sweep reads the stored ``due_on`` / ``reminder_on`` / ``round`` (indexed, kept
up to date by the pipeline) instead of replaying events, loads sites, calendars and
people once, and walks the candidates in pages. Every alert has a key made of its
kind, the track, the stage visit and the recipient; the outbox's unique key skips
one already queued, so a paused clock, a repeated sweep or a second scheduler adds
nothing. Rows are added in the caller's transaction, which the caller commits.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterator, NamedTuple

from tracker.alerts import mails
from tracker.alerts.queue import existing_keys, insert_new
from tracker.alerts.window import SiteWindow, load_windows
from tracker.extensions import db
from tracker.models import Contract, Policy, Site, Sponsor, Track, User
from tracker.pipeline import rules as pipeline
from tracker.sla.policy import settings_of
from tracker.timeutil import local_date

PAGE = 1000
OPEN_STAGES_WITH_ROUNDS = (pipeline.REVIEW, pipeline.WITH_SPONSOR)
CLOSED = tuple(sorted(pipeline.CLOSED_STAGES))


class Person(NamedTuple):
    id: int
    email: str
    name: str
    language: str | None


@dataclass
class SweepContext:
    """What one sweep loads once: windows, names, and who receives what."""

    now: datetime
    windows: dict[int, SiteWindow]
    site_names: dict[int, str]
    sponsor_names: dict[int, str]
    staff: dict[tuple[int, str], list[Person]] = field(default_factory=dict)
    sponsor_people: dict[int, list[Person]] = field(default_factory=dict)
    coordinating: dict[int, int] = field(default_factory=dict)  # contract id -> coordinating site id


class Alert(NamedTuple):
    kind: str
    stem: str  # the key without its recipient
    track: object  # the candidate row
    people: list[Person]
    window_site_id: int
    values: dict


def load_context(now: datetime) -> SweepContext:
    ctx = SweepContext(
        now=now,
        windows=load_windows(),
        site_names=dict(db.session.execute(db.select(Site.id, Site.name)).all()),
        sponsor_names=dict(db.session.execute(db.select(Sponsor.id, Sponsor.name)).all()),
    )
    people = db.session.execute(
        db.select(User.id, User.email, User.name, User.language, User.role, User.site_id, User.sponsor_id)
        .where(User.active.is_(True), User.role.in_(("legal", "manager", "sponsor"))).order_by(User.id)).all()
    for p in people:
        person = Person(p.id, p.email, p.name, p.language)
        if p.role == "sponsor":
            if p.sponsor_id is not None:
                ctx.sponsor_people.setdefault(p.sponsor_id, []).append(person)
        elif p.site_id is not None:
            ctx.staff.setdefault((p.site_id, p.role), []).append(person)
    return ctx


def _policies() -> list[dict]:
    ids = db.session.execute(db.select(Policy.id)).scalars().all()
    return [settings_of(None)] + [settings_of(i) for i in ids]


# -- candidates: three index-friendly queries, walked by track id --------------------------------------
def _base():
    return (
        db.select(Track.id, Track.contract_id, Track.site_id, Track.stage, Track.round, Track.visit,
                  Track.due_on, Track.reminder_on, Track.policy_id, Track.stage_entered_at,
                  Track.institution_signed_at, Track.investigator_signed_at,
                  Contract.reference, Contract.title, Contract.acronym, Contract.sponsor_id)
        .join(Contract, Contract.id == Track.contract_id)
        .where(Track.stage.not_in(CLOSED))
    )


def _coordinating_sites(ctx: SweepContext, page: list) -> None:
    """Remember the coordinating site of each contract on the page (its window governs sponsor mail)."""
    wanted = {row.contract_id for row in page} - ctx.coordinating.keys()
    if wanted:
        ctx.coordinating.update(db.session.execute(
            db.select(Track.contract_id, Track.site_id)
            .where(Track.contract_id.in_(wanted), Track.role == "coordinating")).all())


def _pages(stmt) -> Iterator[list]:
    last = 0
    while True:
        rows = db.session.execute(stmt.where(Track.id > last).order_by(Track.id).limit(PAGE)).all()
        if not rows:
            return
        yield rows
        last = rows[-1].id


def _candidate_queries(ctx: SweepContext, policies: list[dict]):
    todays = [w.today(ctx.now) for w in ctx.windows.values()]
    if not todays:
        return []
    most_warning = max(p["warning_before"] for p in policies)
    # Widest bounds over all sites; each row is then checked against its own site's day.
    upper = max(w.calendar.add_working_days(w.today(ctx.now), most_warning) for w in ctx.windows.values())
    fewest_rounds = min(p["round_limit"] for p in policies)
    return [
        (_base().where(Track.due_on.is_not(None), Track.due_on <= upper), _deadline_alerts, None),
        (_base().where(Track.reminder_on.is_not(None), Track.reminder_on <= max(todays)), _reminder_alerts,
         _coordinating_sites),
        (_base().where(Track.round > fewest_rounds, Track.stage.in_(OPEN_STAGES_WITH_ROUNDS)), _round_alerts, None),
    ]


# -- what is due for one track -------------------------------------------------------------------------
def _values(ctx: SweepContext, row, **extra) -> dict:
    return {
        "reference": row.reference, "title": row.title, "acronym": row.acronym,
        "sponsor": ctx.sponsor_names.get(row.sponsor_id, ""), "site": ctx.site_names.get(row.site_id, ""),
        "stage": row.stage, "due_on": row.due_on, "round": row.round, **extra,
    }


def _deadline_alerts(ctx: SweepContext, row) -> list[Alert]:
    window = ctx.windows[row.site_id]
    today = window.today(ctx.now)
    settings = settings_of(row.policy_id)
    calendar = window.calendar
    visit = f"{row.id}:{row.visit}"
    legal = ctx.staff.get((row.site_id, "legal"), [])
    managers = ctx.staff.get((row.site_id, "manager"), [])
    if today <= row.due_on:
        if today >= calendar.add_working_days(row.due_on, -settings["warning_before"]):
            return [Alert("warning", f"warning:{visit}", row, legal, row.site_id, _values(ctx, row))]
        return []
    late = calendar.working_days_between(row.due_on, today)
    alerts = [Alert("breach", f"breach:{visit}", row, legal + managers, row.site_id,
                    _values(ctx, row, days_late=late))]
    if today >= calendar.add_working_days(row.due_on, settings["escalation_after"]):
        alerts.append(Alert("escalation", f"escalation:{visit}", row, managers, row.site_id,
                            _values(ctx, row, days_late=late, reason="overdue")))
    return alerts


def _reminder_alerts(ctx: SweepContext, row) -> list[Alert]:
    window = ctx.windows[row.site_id]
    if window.today(ctx.now) < row.reminder_on:
        return []
    tz = window.timezone
    # The sponsor has held the track since the stage began, or since the site's last signature.
    since = max(t for t in (row.stage_entered_at, row.institution_signed_at, row.investigator_signed_at) if t)
    people = ctx.sponsor_people.get(row.sponsor_id, [])
    window_site = ctx.coordinating.get(row.contract_id, row.site_id)
    return [Alert("sponsor_reminder", f"sponsor_reminder:{row.id}:{row.visit}", row, people, window_site,
                  _values(ctx, row, since_on=local_date(since, tz)))]


def _round_alerts(ctx: SweepContext, row) -> list[Alert]:
    limit = settings_of(row.policy_id)["round_limit"]
    if row.round <= limit:
        return []
    managers = ctx.staff.get((row.site_id, "manager"), [])
    return [Alert("escalation", f"escalation:{row.id}:round{row.round}", row, managers, row.site_id,
                  _values(ctx, row, reason="round", round_limit=limit))]


# -- queueing ------------------------------------------------------------------------------------------
def outbox_row(ctx: SweepContext, kind: str, key: str, person: Person, window_site_id: int, subject_text_html,
               contract_id=None, track_id=None, language="fr") -> dict:
    subject, text, html = subject_text_html
    return {
        "key": key, "kind": kind, "contract_id": contract_id, "track_id": track_id, "site_id": window_site_id,
        "recipient_id": person.id, "to_address": person.email, "language": language,
        "subject": subject, "body_text": text, "body_html": html, "status": "queued", "attempts": 0,
        "created_at": ctx.now, "not_before": ctx.windows[window_site_id].next_opening(ctx.now),
        "claimed_at": None, "sent_at": None, "last_error": None,
    }


def queue_alerts(ctx: SweepContext, alerts: list[Alert]) -> int:
    """Render and insert the alerts whose keys are not in the outbox yet."""
    wanted = [(alert, person, f"{alert.stem}:{person.id}") for alert in alerts for person in alert.people]
    if not wanted:
        return 0
    present = existing_keys(key for _a, _p, key in wanted)
    rows = []
    for alert, person, key in wanted:
        if key in present:
            continue
        language = mails.language_of(person.language)
        rendered = mails.render_track_alert(alert.kind, language, {**alert.values, "name": person.name})
        rows.append(outbox_row(ctx, alert.kind, key, person, alert.window_site_id, rendered,
                                contract_id=alert.track.contract_id, track_id=alert.track.id, language=language))
    rows.sort(key=lambda r: (r["track_id"] or 0, r["key"]))
    return insert_new(rows)


def sweep(now: datetime) -> int:
    """Queue every alert due at ``now``; return how many outbox rows were added."""
    state = load_context(now)
    queued = 0
    with mails.rendering():
        for stmt, evaluate, prepare in _candidate_queries(state, _policies()):
            for page in _pages(stmt):
                if prepare is not None:
                    prepare(state, page)
                alerts: list[Alert] = []
                for row in page:
                    alerts.extend(evaluate(state, row))
                queued += queue_alerts(state, alerts)
    return queued

