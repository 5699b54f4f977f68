"""When the sweep should look at a track again: the next day a new alert can fall due for it.

After the sweep has judged a track on its site's day, nothing about it changes until either
an event (which sets ``next_alert_on`` back, see ``sla.stored``) or the calendar reaches one
of the dates its stored state names: the first warning day, the day after the due day, the
escalation day, the next sponsor reminder, the ceiling's warning and its passing. Those
days, and their neighbours, are tried in order with the alert rules themselves
(``rules.due_alerts``); the first that calls for an alert not already called for is the
next look. A track is looked at again within a week in any case, so that a date this list
did not foresee delays an alert by days at worst, never forever.
"""
from __future__ import annotations

from datetime import date, timedelta

from tracker.alerts.rules import due_alerts
from tracker.sla.policy import settings_of
from tracker.sla.state import TrackState, stored_state

AT_MOST = timedelta(days=7)
AROUND = (-1, 0, 1, 2)


def stems(row, window, day: date) -> tuple[TrackState, set[str]]:
    state = stored_state(row, window.calendar, day, window.timezone)
    return state, {due.stem for due in due_alerts(state, row.id, row.visit)}


def _landmarks(state: TrackState, calendar) -> set[date]:
    settings = settings_of(state.policy_id)
    days = set()
    if state.due_on is not None:
        days |= {calendar.add_working_days(state.due_on, -settings["warning_before"]), state.due_on,
                 calendar.add_working_days(state.due_on, settings["escalation_after"])}
    if state.reminder_on is not None:
        days.add(calendar.add_working_days(state.reminder_on, state.reminders_due * settings["sponsor_reminder_every"]))
        days.add(state.reminder_on)
    for day in (state.ceiling_warning_on, state.regulatory_due_on):
        if day is not None:
            days.add(day)
    return days


def next_look(row, window, today: date, state: TrackState, called_for: set[str]) -> date | None:
    """The next day after ``today`` on which the rules call for an alert not in ``called_for``."""
    if state.closed:
        return None
    limit = today + AT_MOST
    tried = sorted({d + timedelta(days=k) for d in _landmarks(state, window.calendar) for k in AROUND})
    for day in tried:
        if today < day < limit and stems(row, window, day)[1] - called_for:
            return day
    return limit
