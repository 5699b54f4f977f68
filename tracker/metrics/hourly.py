"""The dashboard's live part, kept per process for the hour: at risk, the board, escalations, chart series
and the signature-to-activation medians.

Ranking and grouping every open track of the partnership took most of a dashboard
view, though it only changes when something is recorded or when a day turns at a
site. So it is kept under a key made of:

* the last audit entry's id: every change of state leaves one in the same transaction
  (an event, an edit, a new owner, a policy or a calendar change), so any change
  starts afresh on the next view;
* the date at each site the dashboard covers (statuses and days late follow it) and
  the hour, so nothing is older than an hour whatever else it may depend on;
* who reads (role and site) and the filters, which decide the scope.

Each process keeps the most recently used few; the figures beside them are kept by
``tracker.metrics.figures.cached``.
"""
from __future__ import annotations

from datetime import datetime

from tracker.extensions import db
from tracker.recent import Recent
from tracker.metrics import activation, dashboard as data
from tracker.metrics.figures import Scope, last_change
from tracker.metrics.filters import Filters
from tracker.metrics.ranking import SiteDay

KEEP = 32
_cache = Recent(KEEP)


def clear_cache() -> None:
    _cache.clear()


def _compute(scope: Scope, days: list[SiteDay], held: list, today) -> dict:
    tracks = data.lean(days, scope)
    top = data.ranked(tracks, days)
    return {"at_risk": data.at_risk(top), "overdue": data.overdue_count(tracks, days), "board": data.board(tracks),
            "escalations": data.escalations(tracks, days, top), "trend": data.monthly_trend(scope, today),
            "held_by_sponsor": data.held_by_sponsor(held), "activation": activation.site_medians(scope)}


def live(user, filters: Filters, scope: Scope, days: list[SiteDay], held: list, now: datetime, today) -> dict:
    """At risk, overdue count, board, escalations, the monthly trend, held days per sponsor and the activation
    medians, for this reader.

    ``held`` are the executed tracks' held days (from the figures), ``today`` the date the trend ends on.
    """
    key = (str(db.engine.url), last_change(), now.strftime("%Y-%m-%d %H"), today,
           tuple((d.site_id, d.today) for d in days), user.role, getattr(user, "site_id", None),
           tuple(sorted(filters.as_dict().items())))
    found = _cache.get(key)
    if found is None:
        found = _compute(scope, days, held, today)
        _cache.put(key, found)
    return found
