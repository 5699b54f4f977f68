"""The one place where a track and its policy become its deadline state (SPEC 3 and 4).

Every reader - the pages, the API, the sponsor portal, the digest, the alert rules,
the outbox's last check before sending, the dashboard - asks this module, so they
cannot disagree. A track's state comes from one of two sources:

* ``replay_state`` / ``contract_states`` replay the event log: exact, and the only
  source of held time and of the predicted signature date (pages, API, portal);
* ``stored_state`` reads the fields the pipeline stores on the track after every
  event (due date, holder since, ceiling...), for lists and sweeps over many tracks.

Both end in ``_derive``, which applies the rules: the status of the stage (paused
while the sponsor holds the file, warning from the policy's ``warning_before``
working days before the due day, breached once it has passed), escalation after
``escalation_after`` working days late, sponsor reminders every
``sponsor_reminder_every`` working days after the first, and the regulatory ceiling's
own warning and breach. The ceiling, the target and the roll-forward come from the
policy in force when the ceiling started (the ``mark_complete`` or the coordinator's
``agree``), whatever happens to the policy later.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import inspect
from sqlalchemy.orm.attributes import set_committed_value

from tracker.extensions import db
from tracker.models import Contract, Event, Site, Track
from tracker.stages import rules
from tracker.sla import clocks, deadlines, prediction
from tracker.sla.calendar import WorkingCalendar
from tracker.sla.calendars import legal_calendar, preload_closures, site_calendar
from tracker.sla.medians import stage_medians
from tracker.sla.policy import settings_of
from tracker.timeutil import local_date

Calendars = tuple[WorkingCalendar, WorkingCalendar]  # (working days, legal days)


@dataclass(frozen=True)
class TrackState:
    """Where a track stands against its deadlines on ``today`` (a date at the site)."""

    role: str
    stage: str
    holder: str | None
    round: int
    today: date
    status: str  # paused, on_track, warning, breached or none
    stage_entered_on: date
    due_on: date | None
    working_days_left: int | None
    share_used: float | None  # working days used over the stage's allowance; above 1 once late
    escalated: bool
    holder_since: date | None
    reminder_on: date | None  # the first sponsor reminder of this holding
    reminders_due: int  # how many reminders have come due by today in this holding
    regulatory_due_on: date | None
    target_due_on: date | None
    ceiling_status: str  # none, on_track, warning or breached
    ceiling_warning_on: date | None
    policy_id: int | None
    ceiling_policy_id: int | None
    held: dict[str, clocks.Held] | None = None  # only from a replay
    predicted_execution_on: date | None = None  # only from contract_states

    @property
    def closed(self) -> bool:
        return self.stage in rules.CLOSED_STAGES

    @property
    def days_late(self) -> int:
        """Working days past the due day (0 while not late)."""
        return max(-(self.working_days_left or 0), 0)


def _ceiling(legal: WorkingCalendar, role: str, start: date | None, settings: dict,
             sponsor_days: int) -> tuple[date | None, date | None]:
    """SPEC 3: 45 or 15 calendar days from its start; the target adds the sponsor's days."""
    if start is None:
        return None, None
    days = settings["coordinating_ceiling" if role == "coordinating" else "associated_ceiling"]
    roll = settings["roll_forward"]
    return (deadlines.regulatory_due_on(legal, start, days, roll),
            deadlines.target_due_on(legal, start, days, sponsor_days, roll))


def _derive(*, role: str, stage: str, holder: str | None, round_: int, entered_on: date,
            holder_since: date | None, due_on: date | None, regulatory: date | None, target: date | None,
            policy_id: int | None, ceiling_policy_id: int | None, calendar: WorkingCalendar, today: date,
            held=None) -> TrackState:
    settings = settings_of(policy_id)
    closed = stage in rules.CLOSED_STAGES
    paused = holder == "sponsor" and not closed
    if closed:
        due_on = None
    status = deadlines.NONE if closed else deadlines.sla_status(
        calendar, due_on, today, paused, warning_before=settings["warning_before"])
    left = share = None
    escalated = False
    if due_on is not None and not paused:
        left = deadlines.working_days_left(calendar, today, due_on)
        allowed = max(calendar.working_days_between(entered_on, due_on), 1)
        share = calendar.working_days_between(entered_on, today) / allowed
        escalated = today >= calendar.add_working_days(due_on, settings["escalation_after"]) and today > due_on
    reminder_on, reminders = None, 0
    if paused and holder_since is not None:
        reminder_on = calendar.add_working_days(holder_since, settings["sponsor_reminder"])
        if today >= reminder_on:
            every = settings["sponsor_reminder_every"]
            reminders = 1 + calendar.working_days_between(reminder_on, today) // every
    # A closed track keeps the ceiling it had (a cancellation does not move a legal date);
    # it just has nothing left to meet, so no ceiling status and no ceiling alert.
    ceiling_status, ceiling_warning_on = deadlines.NONE, None
    if regulatory is not None and not closed:
        ceiling_settings = settings_of(ceiling_policy_id)
        ceiling_warning_on = calendar.add_working_days(regulatory, -ceiling_settings["ceiling_warning_before"])
        if today > regulatory:
            ceiling_status = deadlines.BREACHED
        elif today >= ceiling_warning_on:
            ceiling_status = deadlines.WARNING
        else:
            ceiling_status = deadlines.ON_TRACK
    return TrackState(
        role=role, stage=stage, holder=holder, round=round_, today=today, status=status,
        stage_entered_on=entered_on, due_on=due_on, working_days_left=left, share_used=share,
        escalated=escalated, holder_since=holder_since, reminder_on=reminder_on, reminders_due=reminders,
        regulatory_due_on=regulatory, target_due_on=target, ceiling_status=ceiling_status,
        ceiling_warning_on=ceiling_warning_on, policy_id=policy_id, ceiling_policy_id=ceiling_policy_id,
        held=held,
    )


# -- from the event log ---------------------------------------------------------------------------------
def event_facts(track: Track) -> list[clocks.EventFact]:
    tz = track.site.timezone
    return [clocks.EventFact(e.action, e.to_stage, e.round, e.party, local_date(e.effective_at, tz), e.policy_id)
            for e in sorted(track.events, key=lambda e: e.seq)]


def calendars_of(track: Track) -> Calendars:
    return site_calendar(track.site), legal_calendar(track.site)


def state_of_events(role: str, facts: list[clocks.EventFact], calendars: Calendars, today: date,
                    amendment: bool = False) -> TrackState:
    """The state of a track of this role from its event facts on ``today`` (no prediction, no database
    beyond reading policy versions); an amendment's track has the policy's amendment times and ceilings."""
    calendar, legal = calendars
    replayed = clocks.replay(facts, calendar, today)
    r = replayed.position
    settings = settings_of(r.stage_policy_id, amendment)
    sla_days = None if r.stage in rules.CLOSED_STAGES else clocks.stage_sla(r.stage, r.holder, r.round, settings)
    due_on = deadlines.stage_due_on(calendar, r.stage_entered_on, sla_days) if sla_days is not None else None
    regulatory, target = _ceiling(legal, role, r.ceiling_start, settings_of(r.ceiling_policy_id, amendment),
                                  replayed.sponsor_days_since_ceiling)
    return _derive(role=role, stage=r.stage, holder=r.holder, round_=r.round, entered_on=r.stage_entered_on,
                   holder_since=r.holder_since, due_on=due_on, regulatory=regulatory, target=target,
                   policy_id=r.stage_policy_id, ceiling_policy_id=r.ceiling_policy_id, calendar=calendar,
                   today=today, held=replayed.held)


def replay_state(track: Track, now: datetime, calendars: Calendars | None = None) -> TrackState:
    """The state of one track from its events (no prediction)."""
    return state_of_events(track.role, event_facts(track), calendars or calendars_of(track),
                           local_date(now, track.site.timezone), track.contract.amends_id is not None)


def preload_tracks(tracks, events: list[Event] | None = None) -> None:
    """Read the events and the sites of these tracks that are not loaded yet, one query each for all of them
    (the replay reads them track by track: a query per track otherwise). ``events``, when the caller has
    read all of the contract's already, are handed out instead of read again."""
    stored = [t for t in tracks if inspect(t).persistent]
    waiting = [t for t in stored if "events" in inspect(t).unloaded]
    if waiting:
        found: dict[int, list[Event]] = {t.id: [] for t in waiting}
        if events is None:
            events = db.session.execute(db.select(Event).where(Event.track_id.in_(list(found)))).scalars().all()
        for event in sorted(events, key=lambda e: e.seq):
            if event.track_id in found:
                found[event.track_id].append(event)
        for track in waiting:
            set_committed_value(track, "events", found[track.id])
    missing = [t for t in stored if "site" in inspect(t).unloaded
               and db.session.identity_key(Site, t.site_id) not in db.session.identity_map]
    if missing:
        sites = {site.id: site for site in db.session.execute(
            db.select(Site).where(Site.id.in_({t.site_id for t in missing}))).scalars()}
        for track in missing:
            set_committed_value(track, "site", sites.get(track.site_id))


def contract_states(contract: Contract, now: datetime, events: list[Event] | None = None) -> dict[int, TrackState]:
    """Every track's state, keyed by track id, with the predicted signature dates.

    Predictions use the historical stage medians when enough contracts have been
    executed, else the policy; the coordinator's predicted agreement starts the
    associated sites' prediction. Staff pages, the API and the sponsor portal all
    come here, so a sponsor and the site see the same dates. ``events``: all of the contract's events,
    when the caller has read them already.
    """
    preload_tracks(contract.tracks, events)
    return _predicted(contract, now, lambda track, calendars: replay_state(track, now, calendars))


def stored_contract_states(contract: Contract, now: datetime) -> dict[int, TrackState]:
    """The same states and predicted dates as ``contract_states``, from the fields the pipeline stores on
    each track instead of its events: for lists of many contracts (the sponsor portal's home), which show
    the deadline, the holder and the expected signature. Only the events know the held time and the day
    the site took the file (``holder_since`` is the sponsor's day only)."""
    def stored(track, calendars):
        day = local_date(now, track.site.timezone)
        return stored_state(track, calendars[0], day, track.site.timezone)
    return _predicted(contract, now, stored)


def _predicted(contract: Contract, now: datetime, state_of) -> dict[int, TrackState]:
    medians = stage_medians(now)
    preload_closures(t.site_id for t in contract.tracks)  # one query for all the sites, not one per site
    result: dict[int, TrackState] = {}
    coordinator_agree = None
    for track in sorted(contract.tracks, key=lambda t: t.role != "coordinating"):
        calendar, legal = calendars = calendars_of(track)
        state = state_of(track, calendars)
        days = prediction.stage_days(medians, settings_of(state.policy_id, contract.amends_id is not None))
        predicted = prediction.predict(state, calendar, days, coordinator_agree)
        if track.role == "coordinating":
            coordinator_agree = prediction.agreement_on(state, calendar, days, predicted)
        result[track.id] = replace(state, predicted_execution_on=predicted)
    return result


# -- from the stored fields -----------------------------------------------------------------------------
def stored_state(track, calendar: WorkingCalendar, today: date, timezone: str) -> TrackState:
    """The state from the fields the pipeline stores on a track (a Track or a row with its columns)."""
    holder = rules.holder(track.stage, {"institution": track.institution_signed_at,
                                        "investigator": track.investigator_signed_at})
    return _derive(role=track.role, stage=track.stage, holder=holder, round_=track.round,
                   entered_on=local_date(track.stage_entered_at, timezone), holder_since=track.holder_since_on,
                   due_on=track.due_on, regulatory=track.regulatory_due_on, target=track.target_due_on,
                   policy_id=track.policy_id, ceiling_policy_id=track.ceiling_policy_id, calendar=calendar,
                   today=today)


# Columns a query must select for ``stored_state`` to read a row.
STORED_COLUMNS = (
    Track.id, Track.contract_id, Track.site_id, Track.role, Track.stage, Track.round, Track.visit,
    Track.stage_entered_at, Track.institution_signed_at, Track.investigator_signed_at, Track.due_on,
    Track.reminder_on, Track.holder_since_on, Track.regulatory_due_on, Track.target_due_on, Track.policy_id,
    Track.ceiling_policy_id, Track.owner_id,
)

# Urgency order shared by the digest, the work queue and the dashboard: breaches first,
# then by share of the deadline used.
STATUS_ORDER = {deadlines.BREACHED: 0, deadlines.WARNING: 1, deadlines.ON_TRACK: 2, deadlines.PAUSED: 3,
                deadlines.NONE: 4}


def urgency(state: TrackState) -> tuple:
    """Sort key: overdue first (most days late first), then by share of the deadline used."""
    return (STATUS_ORDER[state.status], -state.days_late, -(state.share_used or 0),
            state.due_on or date.max)
