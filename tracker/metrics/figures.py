"""The fast track's metrics (SPEC 1 and 5b), aggregated in SQL from the stored figures.

Each query groups rows by value (days, rounds) and counts them, so a median is read
from a few hundred (value, count) pairs however many contracts match; nothing loops
over contracts in Python. ``GET /api/v1/metrics``, the dashboard and its CSV all
come here.

Definitions (Kiriakis et al. 2013): days to agreement and to execution are calendar
days from the complete file (the coordinator's ``mark_complete``) to the agreement
and to the last signature at the last site, over executed contracts. Held days are
per executed track (at the filtered site only, when a site is given). The share
within deadline is over finished stage visits that had a deadline.
"""
from __future__ import annotations

from dataclasses import dataclass

from tracker.extensions import db
from tracker.metrics.filters import Filters, contract_scope
from tracker.models import Contract, ContractFigures, StageVisit, Track, TrackFigures
from tracker.pipeline import rules

# Set beside the figures: the French regulatory ceiling, the national target and the
# historic national average, and the US academic medians (Kiriakis et al. 2013).
BENCHMARKS = {"regulatory_ceiling_days": 45, "national_target_days": 60, "historic_national_average_days": 111,
              "us_median_days_to_agreement": 39, "us_median_days_to_execution": 91}


def median(pairs) -> float | int | None:
    """The median of values given as (value, count) pairs; None when there are none."""
    pairs = sorted((v, c) for v, c in pairs if v is not None and c)
    total = sum(c for _, c in pairs)
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
    """The filters applied: the contract condition, and the site that narrows tracks."""

    contracts: object
    site_id: int | None

    @classmethod
    def of(cls, user, filters: Filters) -> "Scope":
        return cls(contract_scope(user, filters), filters.site.id if filters.site else None)

    def tracks(self, column):
        """Rows of a per-track table: at the filtered site only, when there is one."""
        return db.true() if self.site_id is None else column == self.site_id


def counts(scope: Scope) -> dict:
    row = db.session.execute(db.select(
        db.func.count(Contract.id),
        db.func.sum(db.case((Contract.status == "executed", 1), else_=0)),
        db.func.sum(db.case((Contract.status == "cancelled", 1), else_=0)),
    ).where(scope.contracts)).one()
    total, executed, cancelled = row[0] or 0, row[1] or 0, row[2] or 0
    return {"contracts": total, "executed": executed, "cancelled": cancelled,
            "open": total - executed - cancelled}


def executed_histogram(scope: Scope) -> list:
    """(days to agreement, days to execution, rounds, count) over executed contracts."""
    return db.session.execute(
        db.select(ContractFigures.days_to_agreement, ContractFigures.days_to_execution, ContractFigures.rounds,
                  db.func.count())
        .join(Contract, Contract.id == ContractFigures.contract_id)
        .where(scope.contracts, Contract.status == "executed")
        .group_by(ContractFigures.days_to_agreement, ContractFigures.days_to_execution, ContractFigures.rounds)
    ).all()


def held_histogram(scope: Scope, by_sponsor: bool = False) -> list:
    """(site working days, sponsor calendar days, count) over executed tracks, optionally per sponsor."""
    columns = [TrackFigures.site_working_days, TrackFigures.sponsor_calendar_days]
    if by_sponsor:
        columns.insert(0, Contract.sponsor_id)
    return db.session.execute(
        db.select(*columns, db.func.count()).join(Contract, Contract.id == TrackFigures.contract_id)
        .where(scope.contracts, scope.tracks(TrackFigures.site_id), TrackFigures.outcome == rules.EXECUTED)
        .group_by(*columns)).all()


def compliance(scope: Scope) -> dict[str, dict]:
    """Per stage: finished visits that had a deadline, how many met it, and the share."""
    rows = db.session.execute(
        db.select(StageVisit.stage, StageVisit.within, db.func.count())
        .join(Contract, Contract.id == StageVisit.contract_id)
        .where(scope.contracts, scope.tracks(StageVisit.site_id), StageVisit.within.is_not(None))
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
        db.select(Track.stage, db.func.count()).join(Contract, Contract.id == Track.contract_id)
        .where(scope.contracts, scope.tracks(Track.site_id)).group_by(Track.stage)).all())
    return {stage: rows.get(stage, 0) for stage in rules.ALL_STAGES}


def metrics(user, filters: Filters) -> dict:
    """Every figure of SPEC 5b for what the user may see, under these filters."""
    scope = Scope.of(user, filters)
    executed = executed_histogram(scope)
    held = held_histogram(scope)
    per_stage = compliance(scope)
    finished = sum(s["finished"] for s in per_stage.values())
    return {
        "filters": filters.as_dict(),
        **counts(scope),
        "median_days_to_agreement": median((a, n) for a, _e, _r, n in executed),
        "median_days_to_execution": median((e, n) for _a, e, _r, n in executed),
        "within_sla_pct": _pct(sum(s["within"] for s in per_stage.values()), finished),
        "median_site_held_working_days": median((s, n) for s, _p, n in held),
        "median_sponsor_held_days": median((p, n) for _s, p, n in held),
        "median_rounds": median((r, n) for _a, _e, r, n in executed),
        "stages": stage_counts(scope),
        "within_sla_by_stage": per_stage,
        "benchmarks": BENCHMARKS,
    }
