"""Replaying a track's event log into the facts its deadlines are computed from (SPEC 3).

Nothing here reads the clock, the database or the policy: the caller passes the
events (effective dates already read in the site's time zone), the site's calendar
and ``today``. What the facts *mean* - status, due date, ceiling, reminders - is
decided in ``tracker.sla.state`` and nowhere else. Because everything is derived
from the events, fixing an event or changing a policy never loses paused time.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterator, NamedTuple, Sequence

from tracker.stages import rules
from tracker.sla.calendar import WorkingCalendar

# The events that start a track's regulatory ceiling: the coordinator's file found
# complete, or (for an associated site) the coordinator's terms agreed.
CEILING_STARTS = ("mark_complete", rules.OPEN_CONFORMITY)


@dataclass(frozen=True)
class EventFact:
    """What the replay needs of one event."""

    action: str
    to_stage: str
    round: int
    party: str | None
    on: date  # effective date in the site's time zone
    policy_id: int | None


@dataclass
class Held:
    """Days one side has held the track: calendar days and the site's working days."""

    calendar: int = 0
    working: int = 0


class Step(NamedTuple):
    """Where a track stands right after one of its events: what ``replay`` of the events up to it says,
    but for the time held."""

    stage: str
    holder: str | None
    round: int
    stage_entered_on: date
    holder_since: date
    stage_policy_id: int | None
    ceiling_start: date | None
    ceiling_policy_id: int | None


@dataclass(frozen=True)
class Replay:
    """A track's position after its last event, and the time each side has held it."""

    position: Step
    held: dict[str, Held]  # by side: "site" and "sponsor"
    sponsor_days_since_ceiling: int


def steps(events: Sequence[EventFact]) -> Iterator[Step]:
    """Walk the events in order, telling where the track stands after each one."""
    stage, round_, signed = None, 0, {}
    stage_entered = holder_since = events[0].on
    stage_policy = events[0].policy_id
    ceiling_start = ceiling_policy = None
    current_holder = None
    for event in events:
        if event.action == "sign" and event.party:
            signed[event.party] = True
        elif event.action == "reopen" or event.to_stage == rules.WAITING_COORDINATOR:
            signed = {}  # signatures given before a reopening are void
        if event.to_stage != stage:
            stage, stage_entered, stage_policy = event.to_stage, event.on, event.policy_id
        round_ = event.round
        if ceiling_start is None and event.action in CEILING_STARTS:
            # The ceiling, and the policy it is measured with, are fixed when it starts.
            ceiling_start, ceiling_policy = event.on, event.policy_id
        holder = rules.holder(stage, signed)
        if holder != current_holder:
            current_holder, holder_since = holder, event.on
        yield Step(stage, current_holder, round_, stage_entered, holder_since, stage_policy, ceiling_start,
                   ceiling_policy)


def replay(events: Sequence[EventFact], calendar: WorkingCalendar, today: date) -> Replay:
    """Walk the events in order; held time runs up to ``today`` for the current holder."""
    segments: list[tuple[str | None, date, date]] = []
    step = None
    for i, step in enumerate(steps(events)):
        on = events[i].on
        end = events[i + 1].on if i + 1 < len(events) else max(today, on)
        segments.append((step.holder, on, end))
    ceiling_start = step.ceiling_start

    held = {"site": Held(), "sponsor": Held()}
    sponsor_days = 0
    for who, start, end in segments:
        if who in held and end > start:
            held[who].calendar += (end - start).days
            held[who].working += calendar.working_days_between(start, end)
            if who == "sponsor" and ceiling_start is not None and end > ceiling_start:
                sponsor_days += (end - max(start, ceiling_start)).days
    return Replay(step, held, sponsor_days)


def stage_sla(stage: str, holder: str | None, round_: int, settings: dict) -> int | None:
    """Working days the site has for its current stage, or None when it has no SLA.

    SPEC 3: review has 5 working days in the first round and 3 in later ones; the
    round count goes up with each ``send_to_sponsor``, so round 0 is the first review.
    """
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
