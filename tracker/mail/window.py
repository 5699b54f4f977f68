"""When an alert e-mail may leave: 08:00-19:00 local time on a site's working days (SPEC 4).

The window belongs to the recipient's site (for a sponsor's people, the contract's
coordinating site). Times here are aware instants; the window is read in the
site's own time zone and calendar, so a holiday Monday holds mail until Tuesday.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone

from tracker.extensions import db
from tracker.models import Site
from tracker.sla.calendar import WorkingCalendar
from tracker.sla.calendars import site_calendar
from tracker.timeutil import zone

OPENS = time(8, 0)
CLOSES = time(19, 0)


@dataclass(frozen=True)
class SiteWindow:
    """The working hours of one site."""

    site_id: int
    timezone: str
    calendar: WorkingCalendar

    def local(self, now: datetime) -> datetime:
        return now.astimezone(zone(self.timezone))

    def today(self, now: datetime) -> date:
        return self.local(now).date()

    def is_open(self, now: datetime) -> bool:
        """True on a working day of the site between 08:00 (included) and 19:00 (excluded)."""
        local = self.local(now)
        return self.calendar.is_working_day(local.date()) and OPENS <= local.time() < CLOSES

    def next_opening(self, now: datetime) -> datetime:
        """``now`` when the window is open, else the start of the next window, in UTC.

        Friday 20:00 gives Monday 08:00; with a holiday Monday, Tuesday 08:00.
        """
        if self.is_open(now):
            return now
        local = self.local(now)
        day = local.date()
        if not (self.calendar.is_working_day(day) and local.time() < OPENS):
            day = self.calendar.add_working_days(day, 1)
        return datetime.combine(day, OPENS, tzinfo=zone(self.timezone)).astimezone(timezone.utc)


def site_window(site: Site) -> SiteWindow:
    return SiteWindow(site.id, site.timezone, site_calendar(site))


def load_windows() -> dict[int, SiteWindow]:
    """Every site's window, keyed by site id; sites and calendars are read once."""
    sites = db.session.execute(db.select(Site)).scalars().all()
    return {site.id: SiteWindow(site.id, site.timezone, site_calendar(site)) for site in sites}
