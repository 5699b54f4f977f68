"""Working-day calendar of one site (SPEC section 3, "Working days").

Rule: a working day is Monday to Friday, minus the public holidays of the site's
country and subdivision (from the ``holidays`` package), minus the closure days an
admin adds for the site. Whit Monday (Easter Sunday + 50 days) is either a holiday
or a working day depending on the site setting ``works_whit_monday``.

Counting conventions used throughout the product:

* ``add_working_days(d, n)`` is the n-th working day strictly after ``d``
  (strictly before ``d`` when ``n`` is negative; ``d`` itself when ``n == 0``).
* ``working_days_between(start, end)`` counts the working days in the half-open
  interval ``(start, end]``, so ``working_days_between(d, add_working_days(d, n)) == n``.

Speed: every calendar keeps a sorted list of the ordinals of its non-working
*weekdays* (holidays and closures that do not fall on a weekend). Counts are then
"weekdays in range" (closed-form arithmetic) minus "off weekdays in range" (two
``bisect`` calls), so no query loops over individual days. Holiday years are loaded
lazily and cached per (country, subdivision, year) for the whole process.
"""
from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import NamedTuple

import holidays
from dateutil.easter import easter

__all__ = [
    "CalendarSpec",
    "WorkingCalendar",
    "calendar_for",
    "public_holidays",
    "whit_monday",
]

# Department codes people naturally type for Alsace, mapped to the holidays
# package's code for the Collectivité européenne d'Alsace ("6AE"). Moselle is "57".
_SUBDIVISION_ALIASES = {("FR", "67"): "6AE", ("FR", "68"): "6AE"}

_HOLIDAY_CACHE: dict[tuple[str, str | None, int], frozenset[date]] = {}
_HOLIDAY_LOCK = threading.Lock()


def _resolve(country: str, subdivision: str | None) -> tuple[str, str | None]:
    country = country.upper()
    if subdivision is not None:
        subdivision = _SUBDIVISION_ALIASES.get((country, subdivision), subdivision)
    return country, subdivision


def public_holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    """Public holidays of one year, memoised per (country, subdivision, year).

    The cache is filled under a lock, so concurrent first calls compute a year once.
    """
    key = _resolve(country, subdivision) + (year,)
    found = _HOLIDAY_CACHE.get(key)
    if found is None:
        with _HOLIDAY_LOCK:
            found = _HOLIDAY_CACHE.get(key)
            if found is None:
                table = holidays.country_holidays(key[0], subdiv=key[1], years=year)
                found = frozenset(table.keys())
                _HOLIDAY_CACHE[key] = found
    return found


def whit_monday(year: int) -> date:
    """Whit Monday (Pentecost Monday): Easter Sunday + 50 days, found by date, not by name."""
    return easter(year) + timedelta(days=50)


@dataclass(frozen=True)
class CalendarSpec:
    """Everything that defines a site's calendar; hashable so calendars can be cached."""

    country: str = "FR"
    subdivision: str | None = None
    closures: frozenset[date] = frozenset()
    works_whit_monday: bool = False

    def __post_init__(self) -> None:
        # Accept any iterable of closure dates but keep the spec hashable.
        if not isinstance(self.closures, frozenset):
            object.__setattr__(self, "closures", frozenset(self.closures))


# Weekday arithmetic on proleptic ordinals: ordinal 1 (0001-01-01) is a Monday.
def _weekdays_upto(ordinal: int) -> int:
    """Number of Monday-Friday days with ordinal in [1, ordinal]."""
    weeks, rest = divmod(ordinal, 7)
    return 5 * weeks + min(rest, 5)


def _ordinal_of_weekday(index: int) -> int:
    """Ordinal of the index-th Monday-Friday day (1-based); inverse of _weekdays_upto."""
    weeks, rest = divmod(index - 1, 5)
    return 7 * weeks + rest + 1


class _Loaded(NamedTuple):
    first: int  # first ordinal covered (1 January of the first loaded year)
    last: int  # last ordinal covered (31 December of the last loaded year)
    off: list[int]  # sorted ordinals of non-working weekdays
    off_set: frozenset[int]


_EMPTY = _Loaded(0, -1, [], frozenset())


class WorkingCalendar:
    """Working days of one site; see the module docstring for the conventions."""

    def __init__(self, spec: CalendarSpec) -> None:
        country, subdivision = _resolve(spec.country, spec.subdivision)
        try:  # fail fast on an unknown country or subdivision (no years computed yet)
            holidays.country_holidays(country, subdiv=subdivision)
        except NotImplementedError as exc:
            raise ValueError(f"unsupported holiday calendar: {exc}") from None
        self.spec = spec
        self._loaded = _EMPTY
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"WorkingCalendar({self.spec!r})"

    # -- lazy loading -----------------------------------------------------------------
    def _off_days_of_year(self, year: int) -> set[int]:
        spec = self.spec
        days = set(public_holidays(spec.country, spec.subdivision, year))
        if spec.works_whit_monday:
            days.discard(whit_monday(year))
        days.update(d for d in spec.closures if d.year == year)
        return {d.toordinal() for d in days if d.weekday() < 5}

    def _covering(self, lo: int, hi: int) -> _Loaded:
        """Loaded state guaranteed to cover ordinals lo..hi (extends by whole years)."""
        state = self._loaded
        if state.first <= lo and hi <= state.last:
            return state
        with self._lock:
            state = self._loaded
            if state.first <= lo and hi <= state.last:
                return state
            # Load one spare year on each side so nearby queries stay on the fast path.
            first_year = max(1, date.fromordinal(max(lo, 1)).year - 1)
            last_year = min(9999, date.fromordinal(min(hi, date.max.toordinal())).year + 1)
            if state.last >= state.first:  # keep what is already loaded
                first_year = min(first_year, date.fromordinal(state.first).year)
                last_year = max(last_year, date.fromordinal(state.last).year)
            off: set[int] = set()
            for year in range(first_year, last_year + 1):
                off |= self._off_days_of_year(year)
            state = _Loaded(
                date(first_year, 1, 1).toordinal(),
                date(last_year, 12, 31).toordinal(),
                sorted(off),
                frozenset(off),
            )
            self._loaded = state  # single attribute swap: readers see old or new state
            return state

    # -- queries ----------------------------------------------------------------------
    def is_working_day(self, d: date) -> bool:
        """True when d is Monday-Friday and neither a public holiday nor a closure."""
        if d.weekday() >= 5:
            return False
        o = d.toordinal()
        return o not in self._covering(o, o).off_set

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in the half-open interval (start, end]; 0 when end <= start."""
        s, e = start.toordinal(), end.toordinal()
        if e <= s:
            return 0
        off = self._covering(s, e).off
        return (_weekdays_upto(e) - _weekdays_upto(s)) - (bisect_right(off, e) - bisect_right(off, s))

    def add_working_days(self, d: date, n: int) -> date:
        """The n-th working day strictly after d (strictly before d if n < 0); d if n == 0.

        Jump n weekdays with arithmetic, then jump again by the number of off days
        that were skipped over, until a jump skips none. Off days are sparse, so this
        takes a handful of iterations whatever n is.
        """
        cur = d.toordinal()
        if n > 0:
            while True:
                target = _ordinal_of_weekday(_weekdays_upto(cur) + n)
                off = self._covering(cur, target).off
                n = bisect_right(off, target) - bisect_right(off, cur)
                cur = target
                if n == 0:
                    return date.fromordinal(cur)
        if n < 0:
            n = -n
            while True:
                target = _ordinal_of_weekday(_weekdays_upto(cur - 1) - n + 1)
                off = self._covering(target, cur).off
                n = bisect_left(off, cur) - bisect_left(off, target)
                cur = target
                if n == 0:
                    return date.fromordinal(cur)
        return d

    def next_working_day(self, d: date) -> date:
        """d itself when it is a working day, else the first working day after it (roll-forward)."""
        return d if self.is_working_day(d) else self.add_working_days(d, 1)

    def previous_working_day(self, d: date) -> date:
        """The last working day strictly before d."""
        return self.add_working_days(d, -1)

    def non_working_days(self, start: date, end: date) -> list[date]:
        """Sorted non-working days (weekends, holidays, closures) in the closed range [start, end]."""
        s, e = start.toordinal(), end.toordinal()
        if e < s:
            return []
        off = self._covering(s, e).off
        days = set(off[bisect_left(off, s) : bisect_right(off, e)])
        saturday = s + (5 - (s - 1) % 7) % 7  # first Saturday on or after start
        for sat in range(saturday, e + 1, 7):
            days.add(sat)
            if sat + 1 <= e:
                days.add(sat + 1)
        if (s - 1) % 7 == 6:  # start itself is a Sunday
            days.add(s)
        return [date.fromordinal(o) for o in sorted(days)]


@lru_cache(maxsize=256)
def calendar_for(spec: CalendarSpec) -> WorkingCalendar:
    """Shared calendar for a spec; equal specs get the same (lazily filled) instance."""
    return WorkingCalendar(spec)
