"""Reading instants as dates in a site's time zone (SPEC 2: SLA arithmetic uses local dates)."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

PARIS = "Europe/Paris"


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_date(instant: datetime, tz: str = PARIS) -> date:
    """The calendar date of an aware instant at a site: 31 March 18:30 New York is 1 April in Paris."""
    return instant.astimezone(zone(tz)).date()


def start_of_day(day: date, tz: str = PARIS) -> datetime:
    """Midnight of a local date, as an aware UTC instant."""
    return datetime.combine(day, time(0, 0), tzinfo=zone(tz)).astimezone(timezone.utc)


def parse_instant(value: str) -> datetime:
    """Parse an ISO-8601 instant that carries its time zone; ValueError otherwise."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("empty")
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        raise ValueError("no time zone")
    return parsed
