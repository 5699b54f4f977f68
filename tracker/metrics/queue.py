"""The work queue: a site's open tracks, filtered by tab and fields, sorted, a page at a time.

The default order is urgency (``tracker.metrics.ranking``); the other sorts are plain
columns. Filters and sort come from the query string so that a view can be
bookmarked; values that make no sense fall back to the default rather than fail.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from tracker.extensions import db
from tracker.metrics.ranking import SiteDay, most_urgent, open_tracks, rank, site_holds, sponsor_holds
from tracker.models import Contract, Site, Sponsor, Track
from tracker.models.contracts import PHASES
from tracker.stages import rules
from tracker.sla.calendars import all_site_calendars
from tracker.timeutil import local_date

TABS = ("ours", "sponsor", "overdue", "week", "mine", "all")
SORTS = {"urgency": None, "due": Track.due_on, "reference": Contract.reference, "sponsor": Sponsor.name,
         "stage": Track.stage, "round": Track.round, "received": Contract.received_on}
OPEN_STAGES = tuple(s for s in rules.ALL_STAGES if s not in rules.CLOSED_STAGES)
MAX_ROUND = 99


@dataclass(frozen=True)
class QueueView:
    """What the person asked to see: a tab, filters, a sort, a page."""

    tab: str = "ours"
    sponsor_id: int | None = None
    phase: str | None = None
    stage: str | None = None
    round: int | None = None
    sort: str = "urgency"
    descending: bool = False
    page: int = 1
    site: str | None = None  # an admin's choice of site; staff always see their own

    def args(self, **changes) -> dict:
        """Query parameters for this view with some changed (links keep the rest)."""
        view = replace(self, **changes)
        values = {"tab": view.tab, "sponsor_id": view.sponsor_id, "phase": view.phase, "stage": view.stage,
                  "round": view.round, "sort": ("-" if view.descending else "") + view.sort,
                  "page": view.page if view.page > 1 else None, "site": view.site}
        return {k: v for k, v in values.items() if v not in (None, "")}


def _whole(raw: str | None, high: int) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) <= 9 and int(raw) <= high else None


def parse_view(args, page: int) -> QueueView:
    """Read the view from the query string; unknown values are ignored."""
    tab = args.get("tab", "ours")
    sort = args.get("sort", "urgency")
    descending = sort.startswith("-")
    sort = sort.lstrip("-")
    phase = args.get("phase") or None
    stage = args.get("stage") or None
    site = (args.get("site") or "").strip().upper()[:16] or None
    return QueueView(tab=tab if tab in TABS else "ours", sponsor_id=_whole(args.get("sponsor_id"), 2**31 - 1),
                     phase=phase if phase in PHASES else None, stage=stage if stage in OPEN_STAGES else None,
                     round=_whole(args.get("round"), MAX_ROUND), sort=sort if sort in SORTS else "urgency",
                     descending=descending and sort in SORTS and sort != "urgency", page=page, site=site)


def site_days(user, view: QueueView, now: datetime) -> list[SiteDay]:
    """The sites the queue covers, with their calendars and today's date: staff their own, admins one or all."""
    stmt = db.select(Site).order_by(Site.code)
    if user.role != "admin":
        stmt = stmt.where(Site.id == user.site_id)
    elif view.site:
        stmt = stmt.where(Site.code == view.site)
    calendars = all_site_calendars()
    return [SiteDay(s.id, calendars[s.id][0], s.timezone, local_date(now, s.timezone))
            for s in db.session.execute(stmt).scalars()]


def _end_of_week(day: date) -> date:
    return day + timedelta(days=6 - day.weekday())


def _per_site(days: list[SiteDay], condition) -> object:
    """A condition that depends on each site's today, for tracks of any of the sites."""
    return db.or_(*(db.and_(Track.site_id == d.site_id, condition(d)) for d in days)) if days else db.false()


def tab_condition(tab: str, user, days: list[SiteDay]):
    if tab == "ours":
        return site_holds()
    if tab == "sponsor":
        return sponsor_holds()
    if tab == "overdue":
        return _per_site(days, lambda d: db.and_(Track.due_on.is_not(None), Track.due_on < d.today))
    if tab == "week":
        return _per_site(days, lambda d: Track.due_on.between(d.today, _end_of_week(d.today)))
    if tab == "mine":
        return Track.owner_id == user.id
    return db.true()


def _conditions(view: QueueView, days: list[SiteDay]) -> list:
    """The field filters (not the tab) on open tracks of the queue's sites."""
    conditions = [Track.site_id.in_([d.site_id for d in days]), Track.stage.in_(rules.OPEN_STAGES)]
    if view.sponsor_id is not None or view.phase:
        contract = db.select(Contract.id)
        if view.sponsor_id is not None:
            contract = contract.where(Contract.sponsor_id == view.sponsor_id)
        if view.phase:
            contract = contract.where(Contract.phase == view.phase)
        conditions.append(Track.contract_id.in_(contract))
    if view.stage:
        conditions.append(Track.stage == view.stage)
    if view.round is not None:
        conditions.append(Track.round == view.round)
    return conditions


def tab_counts(view: QueueView, user, days: list[SiteDay]) -> dict[str, int]:
    """How many tracks each tab holds under the same filters, in one pass over the tracks alone."""
    sums = [db.func.sum(db.case((tab_condition(tab, user, days), 1), else_=0)) for tab in TABS]
    row = db.session.execute(db.select(*sums).select_from(Track).where(*_conditions(view, days))).one()
    return {tab: value or 0 for tab, value in zip(TABS, row)}


def _column_order(view: QueueView) -> list:
    """The chosen column (empty ones last), then the older contract, then the track."""
    column = SORTS[view.sort]
    return [column.is_(None), column.desc() if view.descending else column.asc(), Track.contract_id, Track.id]


def _page_ids(view: QueueView, conditions: list, limit: int, offset: int) -> list[int]:
    """The ids of one page in a column's order, sorted on the tracks' own columns where it can:
    joining every contract of a site's thousands of open tracks only to break ties cost most of
    the page. Ties go to the older contract (contract id, the order references are given in)."""
    column = SORTS[view.sort]
    stmt = db.select(Track.id).where(*conditions)
    if column.table is not Track.__table__:
        stmt = stmt.join(Contract, Contract.id == Track.contract_id)
        if column.table is Sponsor.__table__:
            stmt = stmt.join(Sponsor, Sponsor.id == Contract.sponsor_id)
    return db.session.execute(stmt.order_by(*_column_order(view)).limit(limit).offset(offset)).scalars().all()


def _by_column(stmt, view: QueueView, days: list[SiteDay], conditions: list, limit: int | None, offset: int):
    """Rows in a column's order: a page is sorted on ids first, then only its rows are read whole."""
    by_site = {d.site_id: d for d in days}
    if limit is None:  # the whole view, for the export: one pass
        rows = db.session.execute(stmt.order_by(*_column_order(view))).all()
    else:
        ids = _page_ids(view, conditions, limit, offset)
        place = {track_id: n for n, track_id in enumerate(ids)}
        rows = sorted(db.session.execute(stmt.where(Track.id.in_(ids))).all(), key=lambda row: place[row.id]) \
            if ids else []
    return [r for row in rows for r in rank([row], by_site[row.site_id])]


def queue_page(user, view: QueueView, now: datetime, per_page: int) -> dict:
    """One page of the queue with its states, the total, and the count of every tab."""
    days = site_days(user, view, now)
    conditions = [*_conditions(view, days), tab_condition(view.tab, user, days)]
    counts = tab_counts(view, user, days)
    total = counts[view.tab]
    offset = (view.page - 1) * per_page
    if view.sort == "urgency":
        items = most_urgent(conditions, days, per_page, offset)
    else:
        items = _by_column(open_tracks().where(*conditions), view, days, conditions, per_page, offset)
    return {"items": items, "total": total, "counts": counts, "days": days,
            "pages": max((total + per_page - 1) // per_page, 1)}


def all_rows(user, view: QueueView, now: datetime):
    """Every row of the view in its order, for the CSV export."""
    days = site_days(user, view, now)
    conditions = [*_conditions(view, days), tab_condition(view.tab, user, days)]
    if view.sort == "urgency":
        total = db.session.execute(db.select(db.func.count()).select_from(Track).where(*conditions)).scalar()
        return most_urgent(conditions, days, max(total, 1))
    return _by_column(open_tracks().where(*conditions), view, days, conditions, None, 0)


def next_move(row, state) -> tuple[str, list[str]]:
    """What the site does next on a track: the action expected from its stage, and missing site signatures."""
    if state.holder == "sponsor":
        return "sponsor", []
    if state.holder == "coordinator":
        return "coordinator", []
    if row.stage == rules.SIGNATURE:
        missing = [p for p in rules.SITE_PARTIES if getattr(row, f"{p}_signed_at") is None]
        return "sign", missing
    for action in rules.ACTIONS.values():
        if action.next_move and row.stage in action.sources and action.track_role in (None, row.role):
            return action.name, []
    return "", []
