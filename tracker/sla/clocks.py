"""A track's SLA state, derived from its event log (SPEC 3).

Nothing here reads the clock or the database: the caller passes the events,
the calendar, the policy settings of each event and ``today`` (a date in the
site's time zone). Because everything is derived from events, fixing an event
or changing a policy never loses paused time.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Sequence

from tracker.pipeline import rules
from tracker.sla import deadlines
from tracker.sla.calendar import WorkingCalendar


@dataclass(frozen=True)
class EventFact:
    """What the clock needs of one event."""

    action: str
    to_stage: str
    round: int
    party: str | None
    on: date  # effective date in the site's time zone
    policy_id: int | None


@dataclass
class Held:
    calendar: int = 0
    working: int = 0


@dataclass
class TrackClock:
    stage: str
    holder: str | None
    stage_entered_on: date
    holder_since: date
    due_on: date | None
    status: str
    working_days_left: int | None
    reminder_on: date | None
    regulatory_due_on: date | None
    target_due_on: date | None
    held: dict[str, Held] = field(default_factory=lambda: {"site": Held(), "sponsor": Held()})
    policy_id: int | None = None
    stage_sla_days: int | None = None


def stage_sla(stage: str, holder: str | None, round_: int, settings: dict) -> int | None:
    """Working days the site has for its current stage, or None when it has no SLA."""
    if holder != "site":
        return None
    if stage == rules.COMPLETENESS:
        return settings["completeness"]
    if stage == rules.REVIEW:
        return settings["review_first_round"] if round_ == 0 else settings["review_later_rounds"]
    if stage == rules.CONFORMITY:
        return settings["conformity"]
    if stage == rules.SIGNATURE:
        return settings["signature"]
    return None


def compute(
    role: str,
    events: Sequence[EventFact],
    calendar: WorkingCalendar,
    settings_of: Callable[[int | None], dict],
    today: date,
) -> TrackClock:
    """Replay a track's events to its SLA state on ``today``."""
    stage, round_, signed = None, 0, {}
    stage_entered = holder_since = events[0].on
    stage_policy = events[0].policy_id
    segments: list[tuple[str | None, date, date]] = []
    current_holder = None
    clock_start = None
    for i, event in enumerate(events):
        if event.action == "sign" and event.party:
            signed[event.party] = True
        if event.to_stage != stage:
            stage, stage_entered, stage_policy = event.to_stage, event.on, event.policy_id
        round_ = event.round
        if clock_start is None and event.action in ("mark_complete", rules.OPEN_CONFORMITY):
            clock_start = event.on
        holder = rules.holder(stage, signed)
        if holder != current_holder:
            current_holder, holder_since = holder, event.on
        end = events[i + 1].on if i + 1 < len(events) else max(today, event.on)
        segments.append((holder, event.on, end))

    held = {"site": Held(), "sponsor": Held()}
    sponsor_days_since_start = 0
    for who, start, end in segments:
        if who in held and end > start:
            held[who].calendar += (end - start).days
            held[who].working += calendar.working_days_between(start, end)
            if who == "sponsor" and clock_start is not None and end > clock_start:
                sponsor_days_since_start += (end - max(start, clock_start)).days

    settings = settings_of(stage_policy)
    closed = stage in rules.CLOSED_STAGES
    sla_days = None if closed else stage_sla(stage, current_holder, round_, settings)
    # In signature the site's clock runs from entering the stage, not from each signature.
    due_on = deadlines.stage_due_on(calendar, stage_entered, sla_days) if sla_days is not None else None
    paused = current_holder == "sponsor" and not closed
    status = deadlines.sla_status(calendar, due_on, today, paused) if not closed else deadlines.NONE
    left = deadlines.working_days_left(calendar, today, due_on) if due_on else None
    reminder_on = (calendar.add_working_days(holder_since, settings["sponsor_reminder"]) if paused else None)

    regulatory = target = None
    if clock_start is not None:
        ceiling = settings["coordinating_ceiling" if role == "coordinating" else "associated_ceiling"]
        regulatory = deadlines.regulatory_due_on(calendar, clock_start, ceiling, settings["roll_forward"])
        target = deadlines.target_due_on(calendar, clock_start, ceiling, sponsor_days_since_start,
                                         settings["roll_forward"])
    return TrackClock(
        stage=stage, holder=current_holder, stage_entered_on=stage_entered, holder_since=holder_since,
        due_on=due_on, status=status, working_days_left=left, reminder_on=reminder_on,
        regulatory_due_on=regulatory, target_due_on=target, held=held, policy_id=stage_policy,
        stage_sla_days=sla_days,
    )


# The stages a track still has to go through, in order, for the prediction.
REMAINING = {
    "coordinating": (rules.COMPLETENESS, rules.REVIEW, rules.WITH_SPONSOR, rules.SIGNATURE),
    "associated": (rules.CONFORMITY, rules.SIGNATURE),
}


def policy_stage_days(role: str, stage: str, settings: dict) -> int:
    """Planned working days of a whole stage visit when history is too thin."""
    return {
        rules.COMPLETENESS: settings["completeness"],
        rules.AWAITING_DOCUMENTS: settings["sponsor_reminder"],
        rules.REVIEW: settings["review_first_round"],
        rules.WITH_SPONSOR: settings["sponsor_reminder"],
        rules.CONFORMITY: settings["conformity"],
        rules.SIGNATURE: settings["signature"] + settings["sponsor_reminder"],
        rules.WAITING_COORDINATOR: 0,
    }.get(stage, 0)


def predict_execution(
    role: str,
    clock: TrackClock,
    calendar: WorkingCalendar,
    stage_days: Callable[[str, str], int],
    today: date,
    coordinator_agreement_on: date | None = None,
) -> date | None:
    """Expected signature date: the rest of the current stage plus the typical length of the stages after it.

    ``stage_days(role, stage)`` gives the typical working days of a stage visit:
    the historical median where enough executed contracts exist, else the policy.
    """
    if clock.stage in rules.CLOSED_STAGES:
        return None
    order = REMAINING[role]
    if clock.stage == rules.WAITING_COORDINATOR:
        start = max(coordinator_agreement_on or today, today)
        remaining = sum(stage_days(role, s) for s in order)
        return calendar.add_working_days(start, remaining)
    spent = calendar.working_days_between(clock.stage_entered_on, today)
    current = max(stage_days(role, clock.stage) - spent, 0)
    stage = rules.COMPLETENESS if clock.stage == rules.AWAITING_DOCUMENTS else clock.stage
    later = order[order.index(stage) + 1:] if stage in order else ()
    if stage == rules.WITH_SPONSOR:
        later = (rules.REVIEW, rules.SIGNATURE)  # the reply comes back for a shorter review
    return calendar.add_working_days(today, current + sum(stage_days(role, s) for s in later))
