"""The calendars of a stored site: its working days, and the days the law counts as off.

A site's *working* calendar (SPEC 3) is Monday to Friday minus its country's public
holidays and the closure days an admin adds; stage deadlines count these days. The
regulatory ceiling is a legal date: it rolls forward over weekends and public
holidays only, so it is computed on the *public-holiday* calendar, which ignores the
site's internal closures.
"""
from __future__ import annotations

from tracker.extensions import db
from tracker.models import Site, SiteClosure
from tracker.sla.calendar import CalendarSpec, WorkingCalendar, calendar_for


def _spec(site: Site, closures=frozenset()) -> CalendarSpec:
    return CalendarSpec(country=site.country, subdivision=site.subdivision or None, closures=closures,
                        works_whit_monday=site.works_whit_monday)


def _closures(site_id: int) -> frozenset:
    """The site's closure days, read once per database session (one request, one command).

    A page that shows twenty contracts asked for them forty times; a closure added or
    removed in this session drops the copy (``forget_closures``). The copy is kept in the
    session's ``info``, which lives exactly as long as the application context it belongs to.
    """
    known = _known()
    if site_id not in known:
        known[site_id] = frozenset(db.session.execute(
            db.select(SiteClosure.day).where(SiteClosure.site_id == site_id)).scalars())
    return known[site_id]


def preload_closures(site_ids) -> None:
    """Read the closure days of these sites in one query, for the ``_closures`` calls that follow."""
    known = _known()
    wanted = [site_id for site_id in set(site_ids) if site_id not in known]
    if not wanted:
        return
    found: dict[int, set] = {site_id: set() for site_id in wanted}
    for site_id, day in db.session.execute(
            db.select(SiteClosure.site_id, SiteClosure.day).where(SiteClosure.site_id.in_(wanted))):
        found[site_id].add(day)
    known.update({site_id: frozenset(days) for site_id, days in found.items()})


def forget_closures() -> None:
    db.session.info.pop(_CLOSURES, None)


_CLOSURES = "site_closures"


def _known() -> dict:
    return db.session.info.setdefault(_CLOSURES, {})


def site_calendar(site: Site) -> WorkingCalendar:
    """The working-day calendar of a site: its country's holidays plus its closure days."""
    return calendar_for(_spec(site, _closures(site.id)))


def legal_calendar(site: Site) -> WorkingCalendar:
    """Weekends and public holidays of the site's country only: the calendar of legal dates."""
    return calendar_for(_spec(site))


def all_site_calendars() -> dict[int, tuple[WorkingCalendar, WorkingCalendar]]:
    """(working, legal) calendars of every site, keyed by site id, in two queries."""
    closures: dict[int, set] = {}
    for site_id, day in db.session.execute(db.select(SiteClosure.site_id, SiteClosure.day)):
        closures.setdefault(site_id, set()).add(day)
    return {
        site.id: (calendar_for(_spec(site, frozenset(closures.get(site.id, ())))), legal_calendar(site))
        for site in db.session.execute(db.select(Site)).scalars()
    }
