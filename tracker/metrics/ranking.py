"""Open tracks ranked by urgency: the digest, the work queue and the dashboard's "at risk" list.

The order is ``tracker.sla.state.urgency`` applied to ``stored_state`` (overdue first,
by working days late, then by the share of the deadline used), ties by reference;
nothing here decides a status. SQL only narrows which rows need a state, so a page
costs what it shows rather than what is open:

* overdue tracks (a stored due date before today) rank first, and within one site's
  calendar a track due earlier is strictly more days late; so the first N overdue
  tracks are among those due on or before the N-th earliest due date;
* tracks still within their deadline are due within the next few weeks (the longest
  stage allowance), so there are only as many as the site has moving: all are ranked;
* tracks with no deadline running (the sponsor's move, then waiting) all tie, so the
  reference orders them, in SQL.

Each site is ranked on its own calendar and the sites are merged.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import date
from typing import Iterable

from tracker.extensions import db
from tracker.models import Contract, Sponsor, Track, User
from tracker.stages import rules
from tracker.sla.calendar import WorkingCalendar
from tracker.sla.state import STORED_COLUMNS, TrackState, stored_state, urgency

ROW_COLUMNS = (*STORED_COLUMNS, Contract.reference, Contract.title, Contract.acronym, Contract.phase,
               Contract.received_on, Contract.sponsor_id, Sponsor.name.label("sponsor"),
               User.name.label("owner_name"))


@dataclass(frozen=True)
class SiteDay:
    """One site's calendar and today's date there."""

    site_id: int
    calendar: WorkingCalendar
    timezone: str
    today: date


@dataclass(frozen=True)
class Ranked:
    row: object
    state: TrackState

    @property
    def key(self) -> tuple:
        return urgency(self.state), self.row.reference


def open_tracks():
    """Open tracks with their contract, sponsor and owner: the rows every ranked list reads."""
    return (db.select(*ROW_COLUMNS).select_from(Track).join(Contract, Contract.id == Track.contract_id)
            .join(Sponsor, Sponsor.id == Contract.sponsor_id).outerjoin(User, User.id == Track.owner_id)
            .where(Track.stage.in_(rules.OPEN_STAGES)))


def sponsor_holds():
    """SQL for ``rules.holder(...) == "sponsor"`` on an open track (tests hold the two equal)."""
    return db.or_(Track.stage.in_((rules.AWAITING_DOCUMENTS, rules.WITH_SPONSOR)),
                  db.and_(Track.stage == rules.SIGNATURE, Track.institution_signed_at.is_not(None),
                          Track.investigator_signed_at.is_not(None)))


def site_holds():
    """SQL for ``rules.holder(...) == "site"`` on an open track."""
    return db.or_(Track.stage.in_((rules.COMPLETENESS, rules.REVIEW, rules.CONFORMITY)),
                  db.and_(Track.stage == rules.SIGNATURE, db.or_(Track.institution_signed_at.is_(None),
                                                                 Track.investigator_signed_at.is_(None))))


def rank(rows: Iterable, day: SiteDay) -> list[Ranked]:
    """Rows of one site with their state, most urgent first."""
    ranked = [Ranked(row, stored_state(row, day.calendar, day.today, day.timezone)) for row in rows]
    ranked.sort(key=lambda r: r.key)
    return ranked


def _site_top(conditions: list, day: SiteDay, wanted: int) -> list[Ranked]:
    """The ``wanted`` most urgent open tracks at one site that meet ``conditions``."""
    where = [*conditions, Track.site_id == day.site_id]
    overdue = [*where, Track.due_on.is_not(None), Track.due_on < day.today]
    cut = db.session.execute(db.select(Track.due_on).where(Track.stage.in_(rules.OPEN_STAGES), *overdue)
                             .order_by(Track.due_on).offset(wanted - 1).limit(1)).scalar()
    if cut is not None:
        overdue.append(Track.due_on <= cut)
    ranked = rank(db.session.execute(open_tracks().where(*overdue)).all(), day)
    if len(ranked) >= wanted:
        return ranked[:wanted]
    upcoming = open_tracks().where(*where, Track.due_on.is_not(None), Track.due_on >= day.today)
    ranked += rank(db.session.execute(upcoming).all(), day)
    if len(ranked) >= wanted:
        return ranked[:wanted]
    waiting = open_tracks().where(*where, Track.due_on.is_(None)).order_by(
        db.case((sponsor_holds(), 0), else_=1), Contract.reference).limit(wanted - len(ranked))
    ranked += rank(db.session.execute(waiting).all(), day)  # all tie: the SQL order stands
    return ranked


def most_urgent(conditions: list, days: list[SiteDay], limit: int, offset: int = 0) -> list[Ranked]:
    """Open tracks ``offset`` to ``offset + limit`` in urgency order, over several sites.

    ``conditions`` filter the tracks; they may test Track's columns and, through
    subqueries, anything else, so that the narrowing queries need no join.
    """
    streams = [_site_top(conditions, day, offset + limit) for day in days]
    merged = heapq.merge(*streams, key=lambda r: r.key)
    return list(merged)[offset:offset + limit]


def ranking(site, window, today: date) -> list[dict]:
    """The site's open tracks with their deadline state, most urgent first (the managers' digest)."""
    day = SiteDay(site.id, window.calendar, window.timezone, today)
    rows = db.session.execute(open_tracks().where(Track.site_id == site.id)).all()
    return [{"reference": r.row.reference, "title": r.row.title, "acronym": r.row.acronym,
             "sponsor": r.row.sponsor, "stage": r.row.stage, "round": r.row.round, "due_on": r.state.due_on,
             "status": r.state.status, "share": r.state.share_used, "days_late": r.state.days_late}
            for r in rank(rows, day)]
