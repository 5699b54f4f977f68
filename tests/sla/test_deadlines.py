"""Tests for tracker.sla.deadlines: SPEC section 3 stage SLA, ceiling and status rules."""
from __future__ import annotations

from datetime import date

import pytest

from tracker.sla.calendar import CalendarSpec, calendar_for
from tracker.sla.deadlines import (
    BREACHED,
    NONE,
    ON_TRACK,
    PAUSED,
    WARNING,
    regulatory_due_on,
    sla_status,
    stage_due_on,
    target_due_on,
    working_days_left,
)

CAL = calendar_for(CalendarSpec())


# -- stage due dates --------------------------------------------------------------------
@pytest.mark.parametrize(
    "entered, sla, due",
    [
        (date(2026, 4, 30), 5, date(2026, 5, 11)),  # SPEC: 1 and 8 May are holidays
        (date(2026, 5, 12), 5, date(2026, 5, 20)),  # SPEC: Ascension on 14 May
        (date(2026, 3, 9), 2, date(2026, 3, 11)),  # completeness, plain week
        (date(2026, 3, 13), 3, date(2026, 3, 18)),  # Friday entry skips the weekend
        (date(2026, 3, 9), 0, date(2026, 3, 9)),
    ],
)
def test_stage_due_on(entered, sla, due):
    assert stage_due_on(CAL, entered, sla) == due


def test_stage_due_on_rejects_negative_sla():
    with pytest.raises(ValueError):
        stage_due_on(CAL, date(2026, 3, 9), -1)


# -- regulatory ceiling and internal target ---------------------------------------------
def test_spec_ceiling_45_days_from_mark_complete():
    start = date(2026, 3, 9)  # Monday
    assert regulatory_due_on(CAL, start, 45, roll_forward=True) == date(2026, 4, 23)
    assert date(2026, 4, 23).weekday() == 3  # Thursday: a working day, no roll
    assert regulatory_due_on(CAL, start, 45, roll_forward=False) == date(2026, 4, 23)


def test_spec_target_adds_sponsor_held_days_then_rolls():
    start = date(2026, 3, 9)
    held = (date(2026, 4, 2) - date(2026, 3, 17)).days
    assert held == 16
    assert target_due_on(CAL, start, 45, held, roll_forward=False) == date(2026, 5, 9)  # Saturday
    assert target_due_on(CAL, start, 45, held, roll_forward=True) == date(2026, 5, 11)  # Monday


def test_associated_site_15_days_from_agree():
    # agree on Thursday 23 April 2026 -> Friday 8 May (Victory Day) -> Monday 11 May.
    assert regulatory_due_on(CAL, date(2026, 4, 23), 15, roll_forward=False) == date(2026, 5, 8)
    assert regulatory_due_on(CAL, date(2026, 4, 23), 15, roll_forward=True) == date(2026, 5, 11)


def test_ceiling_rolls_over_year_end():
    # 10 December 2026 + 15 days = Friday 25 December -> Monday 28 December.
    assert regulatory_due_on(CAL, date(2026, 12, 10), 15, roll_forward=True) == date(2026, 12, 28)
    # Alsace-Moselle also rests on Saturday 26 December: same Monday here.
    metz = calendar_for(CalendarSpec(subdivision="57"))
    assert regulatory_due_on(metz, date(2026, 12, 10), 15, roll_forward=True) == date(2026, 12, 28)


def test_ceiling_roll_respects_closures():
    cal = calendar_for(CalendarSpec(closures=frozenset({date(2026, 4, 23), date(2026, 4, 24)})))
    assert regulatory_due_on(cal, date(2026, 3, 9), 45, roll_forward=True) == date(2026, 4, 27)


def test_target_with_no_held_time_equals_ceiling():
    start = date(2026, 3, 9)
    assert target_due_on(CAL, start, 45, 0, True) == regulatory_due_on(CAL, start, 45, True)


def test_negative_durations_are_rejected():
    with pytest.raises(ValueError):
        regulatory_due_on(CAL, date(2026, 3, 9), -1, True)
    with pytest.raises(ValueError):
        target_due_on(CAL, date(2026, 3, 9), 45, -2, True)


# -- status -----------------------------------------------------------------------------
DUE = date(2026, 5, 11)  # Monday; the last working day before it is Thursday 7 May


@pytest.mark.parametrize(
    "today, status",
    [
        (date(2026, 4, 30), ON_TRACK),
        (date(2026, 5, 6), ON_TRACK),
        (date(2026, 5, 7), WARNING),  # working day before the due day
        (date(2026, 5, 8), WARNING),  # holiday between warning and due day
        (date(2026, 5, 10), WARNING),
        (date(2026, 5, 11), WARNING),  # the due day itself is still not breached
        (date(2026, 5, 12), BREACHED),  # the due day has ended
        (date(2026, 6, 30), BREACHED),
    ],
)
def test_status_boundaries(today, status):
    assert sla_status(CAL, DUE, today, paused=False, warning_before=1) == status


def test_status_warning_on_plain_weekday():
    due = date(2026, 3, 18)  # Wednesday
    assert sla_status(CAL, due, date(2026, 3, 16), False, warning_before=1) == ON_TRACK
    assert sla_status(CAL, due, date(2026, 3, 17), False, warning_before=1) == WARNING


def test_status_paused_and_none():
    assert sla_status(CAL, DUE, date(2026, 5, 20), paused=True, warning_before=1) == PAUSED
    assert sla_status(CAL, None, date(2026, 5, 20), paused=True, warning_before=1) == PAUSED
    assert sla_status(CAL, None, date(2026, 5, 20), paused=False, warning_before=1) == NONE


def test_status_warning_across_new_year():
    due = date(2026, 1, 2)  # Friday; 1 January is a holiday, so warning starts 31 December
    assert sla_status(CAL, due, date(2025, 12, 30), False, warning_before=1) == ON_TRACK
    assert sla_status(CAL, due, date(2025, 12, 31), False, warning_before=1) == WARNING
    assert sla_status(CAL, due, date(2026, 1, 3), False, warning_before=1) == BREACHED


# -- working days left ------------------------------------------------------------------
@pytest.mark.parametrize(
    "today, left",
    [
        (date(2026, 4, 30), 5),
        (date(2026, 5, 7), 1),
        (date(2026, 5, 9), 1),  # Saturday: Monday is still ahead
        (date(2026, 5, 11), 0),
        (date(2026, 5, 12), -1),
        (date(2026, 5, 15), -3),  # Ascension on 14 May does not count
        (date(2026, 5, 17), -3),
        (date(2026, 5, 18), -4),
    ],
)
def test_working_days_left(today, left):
    assert working_days_left(CAL, today, DUE) == left


def test_working_days_left_is_zero_on_weekend_after_friday_deadline():
    due = date(2026, 3, 13)  # Friday
    assert working_days_left(CAL, date(2026, 3, 14), due) == 0
    assert sla_status(CAL, due, date(2026, 3, 14), False, warning_before=1) == BREACHED
    assert working_days_left(CAL, date(2026, 3, 16), due) == -1


def test_left_and_due_are_consistent():
    for entered in (date(2026, 4, 30), date(2026, 5, 12), date(2026, 12, 23)):
        for sla in (2, 3, 5):
            due = stage_due_on(CAL, entered, sla)
            assert working_days_left(CAL, entered, due) == sla
