"""Historical stage lengths, the basis of the predicted signature dates.

Medians change only when contracts are executed; recomputing them on every page
would replay hundreds of event logs per request, so each process keeps them for a
while (``MEDIANS_TTL``), per database.
"""
from __future__ import annotations

import statistics
from datetime import datetime, timedelta

from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import Contract, Track
from tracker.stages import rules
from tracker.sla.calendars import site_calendar
from tracker.timeutil import local_date

# Below this many executed contracts, predictions use the policy, not history.
MIN_HISTORY = 5
SAMPLE = 300
MEDIANS_TTL = timedelta(minutes=10)
_cache: dict[str, tuple[datetime, dict | None]] = {}


def clear_cache() -> None:
    _cache.clear()


def stage_medians(now: datetime) -> dict[tuple[str, str, bool], float] | None:
    """Median working days of each (role, stage, later round?) visit over executed contracts."""
    key = str(db.engine.url)
    cached = _cache.get(key)
    if cached and timedelta(0) <= now - cached[0] < MEDIANS_TTL:
        return cached[1]
    medians = _compute()
    _cache[key] = (now, medians)
    return medians


def _compute() -> dict[tuple[str, str, bool], float] | None:
    executed = db.session.execute(
        db.select(Contract.id).where(Contract.status == "executed").order_by(Contract.id.desc()).limit(SAMPLE)
    ).scalars().all()
    if len(executed) < MIN_HISTORY:
        return None
    tracks = db.session.execute(
        db.select(Track).where(Track.contract_id.in_(executed), Track.stage == rules.EXECUTED)
        .options(selectinload(Track.events), selectinload(Track.site))).scalars().all()
    samples: dict[tuple[str, str, bool], list[int]] = {}
    calendars = {}
    for track in tracks:
        calendar = calendars.setdefault(track.site_id, site_calendar(track.site))
        tz = track.site.timezone
        events = sorted(track.events, key=lambda e: e.seq)
        # One sample per whole stage visit: from entering a stage to entering the next one.
        entered = events[0]
        for event in events[1:]:
            if event.to_stage != entered.to_stage:
                later = entered.to_stage == rules.REVIEW and entered.round > 0
                samples.setdefault((track.role, entered.to_stage, later), []).append(
                    calendar.working_days_between(local_date(entered.effective_at, tz),
                                                  local_date(event.effective_at, tz)))
                entered = event
    return {key: statistics.median(values) for key, values in samples.items()}
