"""Each site measured on its own track (SPEC 5b ``sites``, issue 24), aggregated in SQL from the stored figures.

The French ceilings apply per site: a coordinating site has 45 calendar days from its
``mark_complete``, an associated site 15 from the coordinator's agreement (SPEC 3). So
a site's time runs from that start to its own last signature, not to the last
signature of the whole contract; ``tracker.metrics.record`` stores it per executed
track, with whether the track was signed by its ceiling (rolled forward as the live
deadlines are) and whether the site held it within the partners' working-day target.

Every figure here is a grouped count over those rows: medians come from (value, count)
pairs as in ``figures.median``, so a network of 100,000 contracts costs a few hundred
rows per query, not a replay.
"""
from __future__ import annotations

from collections import defaultdict

from tracker.extensions import db
from tracker.models import Contract, Site, Sponsor, Track, TrackFigures
from tracker.stages import rules

# The values whose median is kept, with the column each is read from.
MEASURES = {
    "median_days_to_signature": TrackFigures.days_to_signature,
    "median_days_from_receipt": TrackFigures.days_from_receipt,
    "median_site_held_working_days": TrackFigures.site_working_days,
    "median_sponsor_held_days": TrackFigures.sponsor_calendar_days,
}
API_MEASURES = ("median_days_to_signature", "median_days_from_receipt")
BREAKDOWNS = ("sponsor", "phase", "year")


def _year():
    return db.extract("year", TrackFigures.closed_on)


def _key_columns(by: str | None) -> list:
    return {None: [], "sponsor": [Contract.sponsor_id], "phase": [Contract.phase], "year": [_year()]}[by]


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _select(scope, keys: list, *columns):
    """Executed tracks' figures under the filters, joined to their contract when a key needs it."""
    stmt = db.select(*keys, *columns).select_from(TrackFigures)
    if any(getattr(k, "table", None) is Contract.__table__ for k in keys):
        stmt = stmt.join(Contract, Contract.id == TrackFigures.contract_id)
    return stmt.where(TrackFigures.outcome == rules.EXECUTED,
                      scope.rows_where(TrackFigures.contract_id, TrackFigures.site_id))


def histograms(scope, keys: list, measures) -> dict:
    """Per key: [executed, with a ceiling, within it, within the target], and per measure its (value, count) pairs."""
    within = TrackFigures.within_ceiling
    shares = _select(scope, keys, db.func.count(),
                     db.func.sum(db.case((within.is_not(None), 1), else_=0)),
                     db.func.sum(db.case((within.is_(True), 1), else_=0)),
                     db.func.sum(db.case((TrackFigures.within_target.is_(True), 1), else_=0))).group_by(*keys)
    n = len(keys)
    result: dict = {"shares": {tuple(row[:n]): [v or 0 for v in row[n:]] for row in db.session.execute(shares)}}
    for name in measures:
        column = MEASURES[name]
        pairs: dict[tuple, list] = defaultdict(list)
        for row in db.session.execute(_select(scope, keys, column, db.func.count()).group_by(*keys, column)):
            pairs[tuple(row[:n])].append((row[n], row[n + 1]))
        result[name] = pairs
    return result


def collapse(found: dict, width: int) -> dict:
    """The same counts keyed by the first ``width`` parts of each key (per site and role from per group)."""
    result: dict = {}
    for name, per_key in found.items():
        merged: dict = {}
        for key, value in per_key.items():
            short = key[:width]
            if name == "shares":
                merged[short] = [a + b for a, b in zip(merged.get(short, [0, 0, 0, 0]), value)]
            else:
                merged.setdefault(short, []).extend(value)
        result[name] = merged
    return result


def summarize(found: dict) -> dict[tuple, dict]:
    """Per key: executed tracks, the shares within the ceiling and the target, and the medians."""
    from tracker.metrics.figures import median

    result = {}
    for key, (executed, measured, in_ceiling, in_target) in found["shares"].items():
        entry = {"executed": executed, "within_ceiling_pct": _pct(in_ceiling, measured),
                 "within_target_pct": _pct(in_target, executed)}
        for name in MEASURES:
            if name in found:
                entry[name] = median(found[name].get(key, []))
        result[key] = entry
    return result


def grouped(scope, keys: list, measures) -> dict[tuple, dict]:
    return summarize(histograms(scope, keys, measures))


def track_counts(scope) -> dict[int, int]:
    """Tracks (open or closed) per site among the filtered contracts."""
    return dict(db.session.execute(
        db.select(Track.site_id, db.func.count()).where(scope.rows_where(Track.contract_id, Track.site_id))
        .group_by(Track.site_id)).all())


def site_codes() -> dict[int, str]:
    return dict(db.session.execute(db.select(Site.id, Site.code)).all())


def api_sites(scope) -> dict[str, dict]:
    """SPEC 5b ``sites``: {CODE: {tracks, executed, median_days_to_signature, median_days_from_receipt,
    within_ceiling_pct, within_target_pct}} for the sites with a track among the filtered contracts
    (and the filtered site, always)."""
    counts = track_counts(scope)
    per_site = grouped(scope, [TrackFigures.site_id], API_MEASURES)
    codes = site_codes()
    wanted = set(counts) | ({scope.site_id} if scope.site_id is not None else set())
    result = {}
    for site_id in sorted(wanted, key=lambda i: codes.get(i, "")):
        entry = per_site.get((site_id,), {})
        result[codes[site_id]] = {
            "tracks": counts.get(site_id, 0), "executed": entry.get("executed", 0),
            "median_days_to_signature": entry.get("median_days_to_signature"),
            "median_days_from_receipt": entry.get("median_days_from_receipt"),
            "within_ceiling_pct": entry.get("within_ceiling_pct"),
            "within_target_pct": entry.get("within_target_pct")}
    return result


def _rows(found: dict[tuple, dict], by: str | None) -> list[dict]:
    codes = site_codes()
    names = {}
    if by == "sponsor":
        ids = {key[2] for key in found}
        names = dict(db.session.execute(db.select(Sponsor.id, Sponsor.name).where(Sponsor.id.in_(ids))).all())
    rows = []
    for key, entry in found.items():
        group = key[2] if by else None
        if by == "year" and group is not None:
            group = int(group)  # PostgreSQL's EXTRACT answers a numeric
        rows.append({"site": codes.get(key[0], ""), "role": key[1],
                     "group": names.get(group, group) if by == "sponsor" else group, **entry})
    order = {"coordinating": 0, "associated": 1}
    rows.sort(key=lambda r: (r["site"], order.get(r["role"], 2), str(r["group"] or "")))
    return rows


def by_role(scope, by: str | None = None) -> list[dict]:
    """Rows per site and role (and per sponsor, phase or year the site signed, when asked), sorted:
    each with its site code, role, group, executed tracks, shares and every median."""
    keys = [TrackFigures.site_id, TrackFigures.role, *_key_columns(by)]
    return _rows(grouped(scope, keys, tuple(MEASURES)), by)


def per_role_and_by(scope, by: str) -> dict[str, list[dict]]:
    """The dashboard's two tables from one set of queries: per site and role, and per group within them."""
    found = histograms(scope, [TrackFigures.site_id, TrackFigures.role, *_key_columns(by)], tuple(MEASURES))
    return {"per_role": _rows(summarize(collapse(found, 2)), None), "breakdown": _rows(summarize(found), by)}
