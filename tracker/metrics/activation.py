"""From signature to the first patient, per site: what the fast track is for (SPEC 5b regulatory status).

For each site, over its executed site agreements under the dashboard's filters: the median calendar
days from the site's last signature (the day its track was executed, ``TrackFigures.closed_on``) to
its activation, and from its activation to its first patient in. Only sites that recorded the dates
count; the few rows are read once and measured here, the same way on every engine.
"""
from __future__ import annotations

from tracker.extensions import db
from tracker.metrics.figures import Scope, median
from tracker.models import Site, Track, TrackFigures
from tracker.stages import rules


def site_medians(scope: Scope) -> list[dict]:
    """[{site, executed, activated, median_days_to_activation, first_patients, median_days_to_first_patient}]."""
    rows = db.session.execute(
        db.select(Site.code, TrackFigures.closed_on, Track.activated_on, Track.first_patient_on)
        .join(Track, Track.id == TrackFigures.track_id).join(Site, Site.id == Track.site_id)
        .where(TrackFigures.outcome == rules.EXECUTED, scope.rows_where(Track.contract_id, Track.site_id))
        .order_by(Site.code)).all()
    by_site: dict[str, dict] = {}
    for code, signed, activated, first in rows:
        entry = by_site.setdefault(code, {"site": code, "executed": 0, "to_activation": [], "to_first": []})
        entry["executed"] += 1
        if activated and signed:
            entry["to_activation"].append((activated - signed).days)
        if first and activated:
            entry["to_first"].append((first - activated).days)
    return [{"site": e["site"], "executed": e["executed"], "activated": len(e["to_activation"]),
             "median_days_to_activation": median((d, 1) for d in e["to_activation"]),
             "first_patients": len(e["to_first"]),
             "median_days_to_first_patient": median((d, 1) for d in e["to_first"])} for e in by_site.values()]
