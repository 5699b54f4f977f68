"""SLA state of stored tracks: calendars per site, clocks, and the fields kept for speed."""
from __future__ import annotations

import statistics
from datetime import date, datetime, timedelta

from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import Contract, Site, SiteClosure, Track
from tracker.pipeline import rules
from tracker.sla import clocks
from tracker.sla.calendar import CalendarSpec, WorkingCalendar, calendar_for
from tracker.sla.policy import current_policy, settings_of
from tracker.timeutil import local_date

# Below this many executed contracts, predictions use the policy, not history.
MIN_HISTORY = 5


def site_calendar(site: Site) -> WorkingCalendar:
    """The working-day calendar of a site: its country's holidays plus its closure days."""
    closures = frozenset(db.session.execute(
        db.select(SiteClosure.day).where(SiteClosure.site_id == site.id)).scalars())
    return calendar_for(CalendarSpec(country=site.country, subdivision=site.subdivision or None,
                                     closures=closures, works_whit_monday=site.works_whit_monday))


def event_facts(track: Track) -> list[clocks.EventFact]:
    tz = track.site.timezone
    return [clocks.EventFact(e.action, e.to_stage, e.round, e.party, local_date(e.effective_at, tz), e.policy_id)
            for e in sorted(track.events, key=lambda e: e.seq)]


def clock_for(track: Track, now: datetime, calendar: WorkingCalendar | None = None) -> clocks.TrackClock:
    calendar = calendar or site_calendar(track.site)
    return clocks.compute(track.role, event_facts(track), calendar, settings_of,
                          local_date(now, track.site.timezone))


def refresh_stored_clock(track: Track, now: datetime) -> None:
    """Recompute what the sweep reads (due date, reminder date) from the events."""
    clock = clock_for(track, now)
    track.due_on = clock.due_on
    track.reminder_on = clock.reminder_on
    track.policy_id = clock.policy_id


def current_policy_id() -> int | None:
    policy = current_policy()
    return policy.id if policy else None


# Medians change only when contracts are executed; recomputing them on every page would
# replay hundreds of event logs per request, so each process keeps them for a while.
MEDIANS_TTL = timedelta(minutes=10)
_medians_cache: dict[str, tuple[datetime, dict | None]] = {}


def stage_medians(now: datetime) -> dict[tuple[str, str], float] | None:
    """Median working days of each (role, stage) visit over executed contracts, or None if too few."""
    key = str(db.engine.url)
    cached = _medians_cache.get(key)
    if cached and timedelta(0) <= now - cached[0] < MEDIANS_TTL:
        return cached[1]
    medians = _compute_medians()
    _medians_cache[key] = (now, medians)
    return medians


def _compute_medians() -> dict[tuple[str, str], float] | None:
    executed = db.session.execute(
        db.select(Contract.id).where(Contract.status == "executed").order_by(Contract.id.desc()).limit(300)
    ).scalars().all()
    if len(executed) < MIN_HISTORY:
        return None
    tracks = db.session.execute(
        db.select(Track).where(Track.contract_id.in_(executed), Track.stage == rules.EXECUTED)
        .options(selectinload(Track.events), selectinload(Track.site))).scalars().all()
    samples: dict[tuple[str, str], list[int]] = {}
    calendars: dict[int, WorkingCalendar] = {}
    for track in tracks:
        calendar = calendars.setdefault(track.site_id, site_calendar(track.site))
        facts = event_facts(track)
        for current, following in zip(facts, facts[1:]):
            if current.to_stage != following.to_stage or following.action == "sign":
                samples.setdefault((track.role, current.to_stage), []).append(
                    calendar.working_days_between(current.on, following.on))
    return {key: statistics.median(values) for key, values in samples.items()}


def track_sla(contract: Contract, now: datetime, medians=None) -> dict[int, dict]:
    """The SLA block of every track of a contract, keyed by track id (for pages and the API)."""
    result = {}
    coordinator_agree = None
    ordered = sorted(contract.tracks, key=lambda t: t.role != "coordinating")
    for track in ordered:
        calendar = site_calendar(track.site)
        clock = clock_for(track, now, calendar)
        settings = settings_of(clock.policy_id)
        today = local_date(now, track.site.timezone)

        def stage_days(role, stage, _settings=settings):
            if medians and (role, stage) in medians:
                return round(medians[(role, stage)])
            return clocks.policy_stage_days(role, stage, _settings)

        predicted = clocks.predict_execution(track.role, clock, calendar, stage_days, today, coordinator_agree)
        if track.role == "coordinating" and clock.stage not in (rules.SIGNATURE, *rules.CLOSED_STAGES):
            # When the coordinator is expected to agree: its prediction less its own signature stage.
            coordinator_agree = predicted and calendar.add_working_days(
                predicted, -stage_days("coordinating", rules.SIGNATURE))
        result[track.id] = {"clock": clock, "predicted_execution_on": predicted}
    return result


def stored_status(track: Track, calendar: WorkingCalendar, today: date) -> str:
    """The stage status from the stored due date, for lists where replaying events is too slow."""
    from tracker.sla import deadlines

    if track.stage in rules.CLOSED_STAGES:
        return deadlines.NONE
    paused = rules.holder(track.stage, track.signatures) == "sponsor"
    return deadlines.sla_status(calendar, track.due_on, today, paused)


def sla_json(track: Track, block: dict) -> dict:
    """The SLA fields of SPEC 5b for one track."""
    clock = block["clock"]
    return {
        "sla": {"due_on": iso(clock.due_on), "status": clock.status, "working_days_left": clock.working_days_left},
        "regulatory_due_on": iso(clock.regulatory_due_on),
        "target_due_on": iso(clock.target_due_on),
        "held": {who: {"calendar": h.calendar, "working": h.working} for who, h in clock.held.items()},
        "predicted_execution_on": iso(block["predicted_execution_on"]),
    }


def iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
