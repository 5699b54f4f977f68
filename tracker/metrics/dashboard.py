"""What a manager's dashboard shows besides the figures: risk, the board, escalations, chart series.

Risk and escalations come from the urgency ranking and ``stored_state`` (the same
code as the digest); the board and the chart series are SQL aggregates.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from tracker.extensions import db
from tracker.metrics.figures import Scope, median
from tracker.metrics.ranking import SiteDay, most_urgent
from tracker.models import Contract, ContractFigures, Policy, Site, Sponsor, Track, TrackFigures
from tracker.stages import rules
from tracker.sla.policy import settings_of

AT_RISK = 15
ESCALATIONS = 30
BIN = 15  # days per bar of the distribution
TREND_MONTHS = 12


def ranked(conditions: list, days: list[SiteDay]) -> list:
    """The most urgent open tracks overdue or near their due date: the source of "at risk" and of late escalations.

    Only tracks due within the longest warning any policy gives can be overdue or due
    soon, so the later ones are left out before ranking.
    """
    warning = max(s["warning_before"] for s in _policies())
    horizon = max(d.calendar.add_working_days(d.today, warning) for d in days) if days else None
    near = [*conditions, Track.due_on.is_not(None)] + ([Track.due_on <= horizon] if horizon else [])
    return most_urgent(near, days, max(AT_RISK, ESCALATIONS))


def _policies() -> list[dict]:
    return [settings_of(None)] + [settings_of(i) for i in db.session.execute(db.select(Policy.id)).scalars()]


def at_risk(top: list) -> list:
    """The most urgent tracks that are overdue or due soon, breaches first."""
    return [r for r in top if r.state.status in ("breached", "warning")][:AT_RISK]


def lean(days: list[SiteDay], scope: Scope) -> list:
    """Conditions on Track: open tracks of the dashboard's sites among the filtered contracts."""
    return [Track.site_id.in_([d.site_id for d in days]), Track.stage.in_(rules.OPEN_STAGES),
            scope.rows_where(Track.contract_id, Track.site_id if scope.site_id else None)]


def overdue_count(conditions: list, days: list[SiteDay]) -> int:
    overdue = db.or_(*(db.and_(Track.site_id == d.site_id, Track.due_on < d.today) for d in days))
    return db.session.execute(db.select(db.func.count()).select_from(Track).where(*conditions, overdue)).scalar()


def board(conditions: list) -> dict[str, dict[str, int]]:
    """Open tracks per stage and whose move it is: {stage: {"site": n, "sponsor": n, "coordinator": n}}."""
    institution = Track.institution_signed_at.is_not(None)
    investigator = Track.investigator_signed_at.is_not(None)
    rows = db.session.execute(db.select(Track.stage, institution, investigator, db.func.count())
                              .where(*conditions).group_by(Track.stage, institution, investigator)).all()
    result: dict[str, dict[str, int]] = {}
    for stage, signed_institution, signed_investigator, count in rows:
        who = rules.holder(stage, {"institution": signed_institution, "investigator": signed_investigator})
        result.setdefault(stage, {"site": 0, "sponsor": 0, "coordinator": 0})[who] += count
    return {stage: result[stage] for stage in rules.ALL_STAGES if stage in result}


def escalations(conditions: list, days: list[SiteDay], top: list) -> list:
    """Tracks escalated to managers (SPEC 4): two working days past due, or in a round beyond the limit."""
    late = [r for r in top if r.state.escalated]
    seen = {r.row.id for r in late}
    beyond = [*conditions, Track.round > min(s["round_limit"] for s in _policies())]
    rounds = most_urgent(beyond, days, ESCALATIONS)
    extra = [r for r in rounds if r.row.id not in seen and r.row.round > settings_of(r.row.policy_id)["round_limit"]]
    return (late + extra)[:ESCALATIONS]


def distribution(executed: list) -> list[tuple[int, int]]:
    """Executed contracts per bin of days to execution: [(first day of the bin, count)]."""
    counts: dict[int, int] = defaultdict(int)
    for _a, days, _r, n in executed:
        if days is not None:
            counts[days // BIN * BIN] += n
    top = max([*counts, 120])
    return [(start, counts.get(start, 0)) for start in range(0, top + 1, BIN)]


def monthly_trend(scope: Scope, today: date) -> list[tuple[str, float | None, int]]:
    """Median days to execution of the contracts executed each month, over the last months."""
    months = []
    year, month = today.year, today.month
    for _ in range(TREND_MONTHS):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    months.reverse()
    rows = db.session.execute(
        db.select(ContractFigures.executed_month, ContractFigures.days_to_execution, db.func.count())
        .where(ContractFigures.executed_month >= months[0], scope.rows_where(ContractFigures.contract_id))
        .group_by(ContractFigures.executed_month, ContractFigures.days_to_execution)).all()
    per_month: dict[str, list] = defaultdict(list)
    for month_, days, n in rows:
        per_month[month_].append((days, n))
    return [(m, median(per_month[m]), sum(n for _d, n in per_month[m])) for m in months]


def held_by_sponsor(held: list) -> list[tuple[str, float | None, float | None, int]]:
    """Per sponsor: median working days the site held and calendar days the sponsor held executed tracks."""
    site: dict[int, list] = defaultdict(list)
    sponsor: dict[int, list] = defaultdict(list)
    for sponsor_id, site_days, sponsor_days, n in held:
        site[sponsor_id].append((site_days, n))
        sponsor[sponsor_id].append((sponsor_days, n))
    names = dict(db.session.execute(db.select(Sponsor.id, Sponsor.name).where(Sponsor.id.in_(list(site)))).all())
    return sorted(((names[i], median(site[i]), median(sponsor[i]), sum(n for _d, n in site[i])) for i in site),
                  key=lambda row: row[0])


FIGURE_COLUMNS = ("reference", "sponsor", "phase", "received_on", "status", "completed_on", "agreed_on",
                  "executed_on", "days_to_agreement", "days_to_execution", "rounds", "site", "site_outcome",
                  "site_held_working_days", "site_held_calendar_days", "sponsor_held_calendar_days",
                  "sponsor_held_working_days")


def figure_rows(scope: Scope):
    """The per-contract figures behind the metrics, one row per contract and closed site track."""
    track_join = db.and_(TrackFigures.contract_id == Contract.id,
                         db.true() if scope.site_id is None else TrackFigures.site_id == scope.site_id)
    stmt = (db.select(Contract.reference, Sponsor.name, Contract.phase, Contract.received_on, Contract.status,
                      ContractFigures.completed_on, ContractFigures.agreed_on, ContractFigures.executed_on,
                      ContractFigures.days_to_agreement, ContractFigures.days_to_execution, ContractFigures.rounds,
                      Site.code, TrackFigures.outcome, TrackFigures.site_working_days,
                      TrackFigures.site_calendar_days, TrackFigures.sponsor_calendar_days,
                      TrackFigures.sponsor_working_days)
            .join(Sponsor, Sponsor.id == Contract.sponsor_id)
            .outerjoin(ContractFigures, ContractFigures.contract_id == Contract.id)
            .outerjoin(TrackFigures, track_join).outerjoin(Site, Site.id == TrackFigures.site_id)
            .where(scope.contracts_where()).order_by(Contract.reference, Site.code))
    return db.session.execute(stmt)
