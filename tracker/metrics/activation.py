"""From signature to the first patient, per site: what the fast track is for (SPEC 5b regulatory status).

For each site, over its executed site agreements under the dashboard's filters: the median calendar
days from the site's last signature (the day its track was executed, ``TrackFigures.closed_on``) to
its activation, and from its activation to its first patient in. Only sites that recorded the dates
count; the executed agreements are counted by the database and the few activated ones measured here,
the same way on every engine.
"""
from __future__ import annotations

from tracker.extensions import db
from tracker.metrics.figures import Scope, median
from tracker.models import Site, Track, TrackFigures
from tracker.stages import rules


def site_medians(scope: Scope) -> list[dict]:
    """[{site, executed, activated, median_days_to_activation, first_patients, median_days_to_first_patient}]."""
    executed = TrackFigures.outcome == rules.EXECUTED, scope.rows_where(TrackFigures.contract_id, TrackFigures.site_id)
    # Counted by the database: a partnership has tens of thousands of executed site agreements, and only
    # the few with an activation date are read one by one.
    counts = dict(db.session.execute(db.select(TrackFigures.site_id, db.func.count())
                                     .where(*executed).group_by(TrackFigures.site_id)).all())
    rows = db.session.execute(
        db.select(TrackFigures.site_id, TrackFigures.closed_on, Track.activated_on, Track.first_patient_on)
        .join(Track, Track.id == TrackFigures.track_id)
        .where(*executed, Track.activated_on.is_not(None))).all()
    codes = dict(db.session.execute(db.select(Site.id, Site.code).where(Site.id.in_(counts))).all()) if counts else {}
    by_site = {site_id: {"to_activation": [], "to_first": []} for site_id in counts}
    for site_id, signed, activated, first in rows:
        if signed:
            by_site[site_id]["to_activation"].append((activated - signed).days)
        if first:
            by_site[site_id]["to_first"].append((first - activated).days)
    return [{"site": codes[site_id], "executed": counts[site_id], "activated": len(entry["to_activation"]),
             "median_days_to_activation": median((d, 1) for d in entry["to_activation"]),
             "first_patients": len(entry["to_first"]),
             "median_days_to_first_patient": median((d, 1) for d in entry["to_first"])}
            for site_id, entry in sorted(by_site.items(), key=lambda item: codes[item[0]])]
