"""Instants for tests: Paris wall-clock times and the current time."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def paris(text: str) -> datetime:
    """A Paris wall-clock time such as "2026-10-09 09:00" as an aware instant."""
    return datetime.fromisoformat(text).replace(tzinfo=PARIS)


def now() -> datetime:
    """The current instant, in UTC, read each time it is called."""
    return datetime.now(timezone.utc)
