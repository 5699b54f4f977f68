"""The fast track's metrics (SPEC 1 and 5b), aggregated in SQL from the stored figures.

Each query groups rows by value (days, rounds) and counts them, so a median is read
from a few hundred (value, count) pairs however many contracts match; nothing loops
over contracts in Python. ``GET /api/v1/metrics``, the dashboard and its CSV all
come here.

Definitions: days to agreement and to execution are calendar days from the complete
file (the coordinator's ``mark_complete``) to the agreement and to the last signature
at the last site, over executed contracts; the same counted from the contract's receipt
are what Kiriakis et al. (2013) measured, so the US medians are set beside those. Held
days are per executed track (at the filtered site only, when a site is given). The
share within deadline is over finished stage visits that had a deadline. ``sites``
measures each site on its own track (``tracker.metrics.sites``).
"""
from __future__ import annotations

from dataclasses import dataclass

from tracker.extensions import db
from tracker.metrics import sites
from tracker.metrics.filters import Filters, narrowing
from tracker.models import AuditEntry, Contract, ContractFigures, Event, StageVisit, Track, TrackFigures
from tracker.stages import rules

CACHE_SIZE = 256
_cache: dict[tuple, dict] = {}

# Set beside the figures: the French regulatory ceiling, the national target and the
# historic national average, and the US academic medians (Kiriakis et al. 2013).
# The ceilings and the partners' target are the default policy's (SPEC 3); each track is measured
# against the policy its ceiling started under.
BENCHMARKS = {"regulatory_ceiling_days": 45, "associated_ceiling_days": 15, "site_target_working_days": 20,
              "national_target_days": 60, "historic_national_average_days": 111,
              "us_median_days_to_agreement": 39, "us_median_days_to_execution": 91}


def median(pairs) -> float | int | None:
    """The median of values given as (value, count) pairs; None when there are none."""
    # Add up the counts per value first: the grouped rows repeat each value many times over (tens of
    # thousands of rows at network scale for a few hundred distinct values), and sorting them all was
    # most of the dashboard's time.
    counts: dict = {}
    for value, count in pairs:
        if value is not None and count:
            counts[value] = counts.get(value, 0) + count
    pairs = sorted(counts.items())
    total = sum(counts.values())
    if not total:
        return None
    wanted = [(total - 1) // 2, total // 2]  # the middle position(s), 0-based
    found, seen = [], 0
    for value, count in pairs:
        while wanted and wanted[0] < seen + count:
            found.append(value)
            wanted.pop(0)
        seen += count
    result = (found[0] + found[1]) / 2
    return int(result) if result == int(result) else result


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class Scope:
    """The filters as SQL: the site, and the other conditions on Contract (sponsor, phase, period, visibility)."""

    site_id: int | None
    narrowing: list

    @classmethod
    def of(cls, user, filters: Filters) -> "Scope":
        return cls(filters.site.id if filters.site else None, narrowing(user, filters))

    def contracts_where(self):
        """A condition on Contract: the contracts that match."""
        conditions = list(self.narrowing)
        if self.site_id is not None:
            conditions.append(Contract.id.in_(db.select(Track.contract_id).where(Track.site_id == self.site_id)))
        return db.and_(db.true(), *conditions)

    def rows_where(self, contract_id, site_id=None):
        """A condition on a per-contract or per-track table, without joining contracts unless a filter needs them.

        With ``site_id`` (a per-track table) the site filter keeps that site's rows only.
        """
        conditions = []
        if self.narrowing:
            conditions.append(contract_id.in_(db.select(Contract.id).where(*self.narrowing)))
        if self.site_id is not None:
            conditions.append(site_id == self.site_id if site_id is not None else contract_id.in_(
                db.select(Track.contract_id).where(Track.site_id == self.site_id)))
        return db.and_(db.true(), *conditions)


def counts(scope: Scope) -> dict:
    row = db.session.execute(db.select(
        db.func.count(Contract.id),
        db.func.sum(db.case((Contract.status == "executed", 1), else_=0)),
        db.func.sum(db.case((Contract.status == "cancelled", 1), else_=0)),
    ).where(scope.contracts_where())).one()
    total, executed, cancelled = row[0] or 0, row[1] or 0, row[2] or 0
    return {"contracts": total, "executed": executed, "cancelled": cancelled,
            "open": total - executed - cancelled}


def executed_histogram(scope: Scope) -> list:
    """(days to agreement, days to execution, rounds, count) over executed contracts."""
    columns = (ContractFigures.days_to_agreement, ContractFigures.days_to_execution, ContractFigures.rounds)
    return _executed(scope, columns)


def receipt_histogram(scope: Scope) -> list:
    """(days from receipt to agreement, days from receipt to execution, count) over executed contracts."""
    return _executed(scope, (ContractFigures.days_from_receipt_to_agreement,
                             ContractFigures.days_from_receipt_to_execution))


def _executed(scope: Scope, columns) -> list:
    return db.session.execute(
        db.select(*columns, db.func.count())
        .where(ContractFigures.executed_on.is_not(None), scope.rows_where(ContractFigures.contract_id))
        .group_by(*columns)).all()


def held_histogram(scope: Scope) -> list:
    """(sponsor id, site working days, sponsor calendar days, count) over executed tracks."""
    columns = (Contract.sponsor_id, TrackFigures.site_working_days, TrackFigures.sponsor_calendar_days)
    return db.session.execute(
        db.select(*columns, db.func.count()).join(Contract, Contract.id == TrackFigures.contract_id)
        .where(TrackFigures.outcome == rules.EXECUTED,
               scope.rows_where(TrackFigures.contract_id, TrackFigures.site_id))
        .group_by(*columns)).all()


def compliance(scope: Scope) -> dict[str, dict]:
    """Per stage: finished visits that had a deadline, how many met it, and the share."""
    rows = db.session.execute(
        db.select(StageVisit.stage, StageVisit.within, db.func.count())
        .where(StageVisit.within.is_not(None), scope.rows_where(StageVisit.contract_id, StageVisit.site_id))
        .group_by(StageVisit.stage, StageVisit.within)).all()
    result: dict[str, dict] = {}
    for stage, within, count in rows:
        entry = result.setdefault(stage, {"finished": 0, "within": 0})
        entry["finished"] += count
        entry["within"] += count if within else 0
    for entry in result.values():
        entry["pct"] = _pct(entry["within"], entry["finished"])
    return {stage: result[stage] for stage in rules.ALL_STAGES if stage in result}


def stage_counts(scope: Scope) -> dict[str, int]:
    """Tracks in each stage (at the filtered site only, when there is one)."""
    rows = dict(db.session.execute(
        db.select(Track.stage, db.func.count()).where(scope.rows_where(Track.contract_id, Track.site_id))
        .group_by(Track.stage)).all())
    return {stage: rows.get(stage, 0) for stage in rules.ALL_STAGES}


def last_change() -> int | None:
    """The id of the newest audit entry (an index's last key: no scan). Every change of state leaves
    one in its own transaction, so a new id means something changed: an event, or a name shown."""
    return db.session.execute(db.select(db.func.max(AuditEntry.id))).scalar()


def _version() -> tuple:
    """What the stored figures depend on: they change with a new event or a backfill, and the
    names they show (a sponsor's) with any change."""
    last = db.session.execute(db.select(Event.id, Event.recorded_at).order_by(Event.id.desc()).limit(1)).first()
    return (str(db.engine.url), tuple(last or ()), last_change(),
            db.session.execute(db.select(db.func.count()).select_from(ContractFigures)).scalar())


def clear_cache() -> None:
    _cache.clear()


def cached(user, filters: Filters, name: str, compute):
    """``compute(scope)`` for this user and these filters, kept per process until the next event.

    A dashboard is read far more often than a contract moves, so only the first reader
    after an action pays the aggregation.
    """
    key = (name, _version(), user.role, getattr(user, "site_id", None), tuple(sorted(filters.as_dict().items())))
    rows = _cache.get(key)
    if rows is None:
        rows = compute(Scope.of(user, filters))
        if len(_cache) >= CACHE_SIZE:
            _cache.pop(next(iter(_cache)))
        _cache[key] = rows
    return rows


def _aggregate(scope: Scope) -> dict:
    return {"executed": executed_histogram(scope), "receipt": receipt_histogram(scope),
            "held": held_histogram(scope), "compliance": compliance(scope), "counts": counts(scope),
            "stages": stage_counts(scope), "sites": sites.api_sites(scope)}


def metrics(user, filters: Filters, keep: dict | None = None) -> dict:
    """Every figure of SPEC 5b for what the user may see, under these filters.

    ``keep``, when given, receives the grouped rows and the scope, for charts.
    """
    scope = Scope.of(user, filters)
    rows = cached(user, filters, "metrics", _aggregate)
    executed, held, per_stage = rows["executed"], rows["held"], rows["compliance"]
    finished = sum(s["finished"] for s in per_stage.values())
    if keep is not None:
        keep.update(executed=executed, held=held, scope=scope)
    return {
        "filters": filters.as_dict(),
        **rows["counts"],
        "median_days_to_agreement": median((a, n) for a, _e, _r, n in executed),
        "median_days_to_execution": median((e, n) for _a, e, _r, n in executed),
        "within_sla_pct": _pct(sum(s["within"] for s in per_stage.values()), finished),
        "median_site_held_working_days": median((s, n) for _i, s, _p, n in held),
        "median_sponsor_held_days": median((p, n) for _i, _s, p, n in held),
        "median_rounds": median((r, n) for _a, _e, r, n in executed),
        "median_days_from_receipt_to_agreement": median((a, n) for a, _e, n in rows["receipt"]),
        "median_days_from_receipt_to_execution": median((e, n) for _a, e, n in rows["receipt"]),
        "sites": {code: dict(entry) for code, entry in rows["sites"].items()},
        "stages": rows["stages"],
        "within_sla_by_stage": per_stage,
        "benchmarks": BENCHMARKS,
    }
