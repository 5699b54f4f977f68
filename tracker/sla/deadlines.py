"""Deadline arithmetic for stages and the regulatory ceiling (SPEC section 3).

All functions are pure: the calendar and "today" are passed in, nothing reads the
clock. Dates are calendar dates already converted to the site's time zone.

Rules implemented here:

* Stage SLA: a stage entered on day D with an SLA of N working days is due on the
  N-th working day after D (``stage_due_on``).
* Regulatory ceiling: a fixed number of calendar days from a start event (45 days
  from ``mark_complete`` for the coordinating site, 15 days from the coordinator's
  ``agree`` for an associated site). It never pauses. When roll-forward is on and the
  day is not a working day, it moves to the next working day (``regulatory_due_on``).
* Internal target: the ceiling pushed back by the calendar days the sponsor held the
  track, rolled forward in the same way (``target_due_on``).
* Stage status (``sla_status``): ``paused`` while the sponsor holds the track,
  ``none`` when the stage has no SLA, ``breached`` once the due day has ended,
  ``warning`` from the policy's ``warning_before`` working days before the due day,
  else ``on_track``.

Which calendar a caller passes matters: stage deadlines count the site's own working
days (closures included); the regulatory ceiling and the target roll forward over
weekends and public holidays only, so they get the site's public-holiday calendar.
"""
from __future__ import annotations

from datetime import date, timedelta

from tracker.sla.calendar import WorkingCalendar

__all__ = [
    "PAUSED",
    "ON_TRACK",
    "WARNING",
    "BREACHED",
    "NONE",
    "stage_due_on",
    "regulatory_due_on",
    "target_due_on",
    "sla_status",
    "working_days_left",
]

PAUSED = "paused"
ON_TRACK = "on_track"
WARNING = "warning"
BREACHED = "breached"
NONE = "none"


def stage_due_on(calendar: WorkingCalendar, entered_on: date, working_days: int) -> date:
    """Due date of a stage: the N-th working day strictly after the day it was entered.

    An SLA of 0 working days is due on the day of entry itself.
    """
    if working_days < 0:
        raise ValueError(f"an SLA cannot be negative: {working_days} working days")
    return calendar.add_working_days(entered_on, working_days)


def regulatory_due_on(
    calendar: WorkingCalendar, start: date, calendar_days: int, roll_forward: bool
) -> date:
    """Regulatory ceiling: start + N calendar days, rolled to the next working day if asked.

    Example (SPEC): mark_complete on Monday 9 March 2026 + 45 days -> Thursday 23 April 2026.
    """
    if calendar_days < 0:
        raise ValueError(f"a ceiling cannot be negative: {calendar_days} calendar days")
    due = start + timedelta(days=calendar_days)
    return calendar.next_working_day(due) if roll_forward else due


def target_due_on(
    calendar: WorkingCalendar,
    start: date,
    calendar_days: int,
    sponsor_held_calendar_days: int,
    roll_forward: bool,
) -> date:
    """Internal target: the ceiling extended by the calendar days the sponsor held the track.

    The extension is applied before rolling forward, so the roll happens once, on the
    final date. Example (SPEC): 9 March 2026 + 45 + 16 held days = Saturday 9 May,
    rolled past the weekend to Monday 11 May 2026.
    """
    if sponsor_held_calendar_days < 0:
        raise ValueError(f"held time cannot be negative: {sponsor_held_calendar_days} days")
    return regulatory_due_on(
        calendar, start, calendar_days + sponsor_held_calendar_days, roll_forward
    )


def sla_status(
    calendar: WorkingCalendar, due_on: date | None, today: date, paused: bool, *, warning_before: int
) -> str:
    """Traffic-light status of a running stage on ``today``.

    Precedence: ``paused`` (the sponsor holds the track, so the site clock is stopped,
    whatever the due date), then ``none`` (no due date), then ``breached`` (today is
    after the due day), ``warning`` (today is on or after the ``warning_before``-th
    working day before the due day, up to the due day itself), and otherwise ``on_track``.
    ``warning_before`` is the policy's setting; the SPEC's default is one working day.
    """
    if paused:
        return PAUSED
    if due_on is None:
        return NONE
    if today > due_on:
        return BREACHED
    if today >= calendar.add_working_days(due_on, -warning_before):
        return WARNING
    return ON_TRACK


def working_days_left(calendar: WorkingCalendar, today: date, due_on: date) -> int:
    """Working days from today to the due day; negative once overdue.

    Before or on the due day: working days in (today, due_on] (0 on the due day).
    After it: minus the working days in (due_on, today], so the day after a Friday
    deadline is still 0 on the weekend and becomes -1 on Monday.
    """
    if today <= due_on:
        return calendar.working_days_between(today, due_on)
    return -calendar.working_days_between(due_on, today)
