"""Tests for tracker.sla.calendar: SPEC section 3 working-day rules."""
from __future__ import annotations

import random
import threading
from datetime import date, timedelta
from functools import lru_cache

import holidays
import pytest

from tracker.sla.calendar import CalendarSpec, WorkingCalendar, calendar_for, whit_monday

PARIS = CalendarSpec()  # FR, no subdivision, Whit Monday off
PARIS_WORKS_WHIT = CalendarSpec(works_whit_monday=True)
CLOSURES = frozenset({date(2026, 5, 15), date(2026, 12, 24), date(2026, 12, 31), date(2026, 8, 15)})
METZ = CalendarSpec(subdivision="57", closures=CLOSURES)
STRASBOURG = CalendarSpec(subdivision="6AE", works_whit_monday=True)


# -- naive reference: walks day by day over the raw holidays tables ---------------------
@lru_cache(maxsize=None)
def naive_table(country: str, subdivision: str | None, year: int) -> dict[date, str]:
    subdiv = {"67": "6AE", "68": "6AE"}.get(subdivision, subdivision)
    table = holidays.country_holidays(country, subdiv=subdiv, years=year, language="en_US")
    return dict(table)


def naive_is_working(spec: CalendarSpec, d: date) -> bool:
    if d.weekday() >= 5 or d in spec.closures:
        return False
    table = naive_table(spec.country, spec.subdivision, d.year)
    if d not in table:
        return True
    # Independent of the module: find Easter Monday by name, Whit Monday is 49 days later.
    easter_monday = next(h for h, name in table.items() if name == "Easter Monday")
    return spec.works_whit_monday and d == easter_monday + timedelta(days=49)


def naive_between(spec: CalendarSpec, start: date, end: date) -> int:
    count, d = 0, start + timedelta(days=1)
    while d <= end:
        count += naive_is_working(spec, d)
        d += timedelta(days=1)
    return count


def naive_add(spec: CalendarSpec, d: date, n: int) -> date:
    step = timedelta(days=1 if n > 0 else -1)
    remaining = abs(n)
    while remaining:
        d += step
        remaining -= naive_is_working(spec, d)
    return d


# -- SPEC examples ----------------------------------------------------------------------
def test_spec_example_may_day_and_victory_day():
    cal = calendar_for(PARIS)
    assert date(2026, 4, 30).weekday() == 3  # Thursday
    assert cal.add_working_days(date(2026, 4, 30), 5) == date(2026, 5, 11)
    assert not cal.is_working_day(date(2026, 5, 1))
    assert not cal.is_working_day(date(2026, 5, 8))


def test_spec_example_ascension():
    cal = calendar_for(PARIS)
    assert cal.add_working_days(date(2026, 5, 12), 5) == date(2026, 5, 20)
    assert not cal.is_working_day(date(2026, 5, 14))


def test_add_zero_returns_same_day_even_when_not_working():
    cal = calendar_for(PARIS)
    assert cal.add_working_days(date(2026, 5, 9), 0) == date(2026, 5, 9)


def test_add_from_weekend_starts_counting_after_it():
    cal = calendar_for(PARIS)
    assert cal.add_working_days(date(2026, 3, 7), 1) == date(2026, 3, 9)  # Sat -> Mon
    assert cal.add_working_days(date(2026, 3, 8), 5) == date(2026, 3, 13)  # Sun -> Fri


# -- Whit Monday and closures -----------------------------------------------------------
def test_whit_monday_date():
    assert whit_monday(2026) == date(2026, 5, 25)
    assert whit_monday(2025) == date(2025, 6, 9)


@pytest.mark.parametrize(
    "spec, working", [(PARIS, False), (PARIS_WORKS_WHIT, True)], ids=["holiday", "worked"]
)
def test_whit_monday_follows_site_setting(spec, working):
    cal = calendar_for(spec)
    assert cal.is_working_day(date(2026, 5, 25)) is working
    friday = date(2026, 5, 22)
    expected = date(2026, 5, 25) if working else date(2026, 5, 26)
    assert cal.add_working_days(friday, 1) == expected
    assert cal.working_days_between(friday, date(2026, 5, 29)) == (5 if working else 4)


def test_closure_days_are_not_working():
    cal = calendar_for(METZ)
    assert not cal.is_working_day(date(2026, 5, 15))  # Friday bridge after Ascension
    assert cal.add_working_days(date(2026, 5, 13), 1) == date(2026, 5, 18)
    # A closure on a public holiday or a weekend changes nothing.
    assert cal.working_days_between(date(2026, 8, 14), date(2026, 8, 17)) == 1


def test_closures_accept_any_iterable_and_stay_hashable():
    spec = CalendarSpec(closures=[date(2026, 1, 2)])  # type: ignore[arg-type]
    assert spec.closures == frozenset({date(2026, 1, 2)})
    assert hash(spec) == hash(CalendarSpec(closures=frozenset({date(2026, 1, 2)})))
    assert calendar_for(spec) is calendar_for(CalendarSpec(closures=frozenset({date(2026, 1, 2)})))


def test_unknown_subdivision_is_rejected():
    with pytest.raises(ValueError):
        WorkingCalendar(CalendarSpec(subdivision="nowhere"))


# -- Alsace-Moselle ---------------------------------------------------------------------
@pytest.mark.parametrize("subdivision", ["57", "6AE", "67", "68", "Alsace", "Moselle"])
def test_alsace_moselle_has_good_friday_and_saint_stephen(subdivision):
    cal = WorkingCalendar(CalendarSpec(subdivision=subdivision))
    assert not cal.is_working_day(date(2026, 4, 3))  # Good Friday
    assert not cal.is_working_day(date(2025, 12, 26))  # Friday 26 December
    assert cal.add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)  # Thu -> Tue


def test_rest_of_france_works_good_friday_and_saint_stephen():
    cal = calendar_for(PARIS)
    assert cal.is_working_day(date(2026, 4, 3))
    assert cal.is_working_day(date(2025, 12, 26))
    assert cal.add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 3)


# -- year boundaries --------------------------------------------------------------------
def test_christmas_and_new_year():
    cal = calendar_for(PARIS)
    # Wed 24 Dec 2025; 25 Dec holiday; 1 Jan 2026 holiday (Thursday).
    assert cal.add_working_days(date(2025, 12, 24), 1) == date(2025, 12, 26)
    assert cal.add_working_days(date(2025, 12, 24), 5) == date(2026, 1, 2)
    assert cal.working_days_between(date(2025, 12, 24), date(2026, 1, 2)) == 5
    strasbourg = calendar_for(STRASBOURG)
    assert strasbourg.add_working_days(date(2025, 12, 24), 5) == date(2026, 1, 5)


def test_counting_backwards_across_new_year():
    cal = calendar_for(PARIS)
    assert cal.add_working_days(date(2026, 1, 2), -1) == date(2025, 12, 31)
    assert cal.previous_working_day(date(2027, 1, 4)) == date(2026, 12, 31)


def test_long_ranges_span_many_years():
    cal = calendar_for(PARIS)
    start, end = date(2019, 6, 3), date(2031, 2, 14)
    n = cal.working_days_between(start, end)
    assert n == naive_between(PARIS, start, end)
    assert cal.add_working_days(start, n) == end  # end is a working Friday


# -- helpers ----------------------------------------------------------------------------
def test_between_is_zero_for_empty_or_reversed_interval():
    cal = calendar_for(PARIS)
    assert cal.working_days_between(date(2026, 3, 9), date(2026, 3, 9)) == 0
    assert cal.working_days_between(date(2026, 3, 10), date(2026, 3, 9)) == 0


def test_next_working_day_rolls_forward():
    cal = calendar_for(PARIS)
    assert cal.next_working_day(date(2026, 4, 23)) == date(2026, 4, 23)
    assert cal.next_working_day(date(2026, 5, 8)) == date(2026, 5, 11)  # holiday Friday
    assert cal.next_working_day(date(2026, 12, 25)) == date(2026, 12, 28)


def test_non_working_days_lists_weekends_holidays_and_closures():
    cal = calendar_for(METZ)
    got = cal.non_working_days(date(2026, 12, 20), date(2027, 1, 2))
    assert got == [
        date(2026, 12, 20), date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 26),
        date(2026, 12, 27), date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 2),
    ]
    assert cal.non_working_days(date(2026, 12, 22), date(2026, 12, 21)) == []


# -- property-style comparison with the naive reference ----------------------------------
ALL_SPECS = [PARIS, PARIS_WORKS_WHIT, METZ, STRASBOURG]


@pytest.mark.parametrize("spec", ALL_SPECS, ids=["paris", "paris-whit", "metz", "strasbourg"])
def test_matches_naive_reference_on_random_dates(spec):
    rng = random.Random(20260430)
    cal = WorkingCalendar(spec)  # fresh instance: exercises lazy year loading too
    first, span = date(2025, 1, 1).toordinal(), (date(2028, 12, 31) - date(2025, 1, 1)).days
    for _ in range(1000):
        d = date.fromordinal(first + rng.randrange(span))
        n = rng.randrange(-25, 60)
        end = cal.add_working_days(d, n)
        assert end == naive_add(spec, d, n), (d, n)
        if n > 0:
            assert cal.is_working_day(end)
            assert cal.working_days_between(d, end) == n
            # end is the first day reaching n: the day before it counts n - 1.
            assert cal.working_days_between(d, end - timedelta(days=1)) == n - 1
        other = date.fromordinal(first + rng.randrange(span))
        assert cal.working_days_between(d, other) == naive_between(spec, d, other), (d, other)
        assert cal.is_working_day(d) == naive_is_working(spec, d), d


def test_whole_years_day_by_day_agree_with_reference():
    cal = WorkingCalendar(METZ)
    d, end = date(2025, 12, 1), date(2027, 1, 31)
    running = 0
    while d < end:
        nxt = d + timedelta(days=1)
        running += naive_is_working(METZ, nxt)
        assert cal.is_working_day(nxt) == naive_is_working(METZ, nxt), nxt
        assert cal.working_days_between(date(2025, 12, 1), nxt) == running
        d = nxt


def test_concurrent_first_use_is_consistent():
    cal = WorkingCalendar(PARIS)
    results, start = [], date(2024, 1, 1)

    def work(offset: int) -> None:
        results.append(cal.working_days_between(start, date(2024 + offset, 12, 31)))

    threads = [threading.Thread(target=work, args=(i % 4,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    expected = {i: calendar_for(PARIS).working_days_between(start, date(2024 + i, 12, 31)) for i in range(4)}
    assert sorted(results) == sorted(expected[i % 4] for i in range(16))
