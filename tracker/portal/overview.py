"""The sponsor's contract list: what needs the sponsor first, and each site's deadline in words.

The order comes from the holder fields the pipeline stores on each track (``holder_since_on``
is set only while the sponsor holds it): contracts where it is the sponsor's move come
first, the one it has held longest at the top; then the others, newest first. The words
come from each track's state (``tracker.sla.state``).
"""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext

from tracker import formatting
from tracker.contracts.search import contract_search, page_of
from tracker.extensions import db
from tracker.models import Contract, Track
from tracker.stages import rules
from tracker.sla.state import TrackState, calendars_of

WHOSE = ("sponsor", "site", "closed")


def _sponsor_since(sponsor_id):
    """Since when the sponsor has held each of its open contracts; only its own contracts' tracks are read.

    Both sides come from an index alone: the sponsor's contract ids (``ix_contracts_sponsor_id_id``)
    and the few tracks the sponsor holds, with their date (``ix_tracks_held``, partial)."""
    return (db.select(Track.contract_id, db.func.min(Track.holder_since_on).label("since"))
            .join(Contract, Contract.id == Track.contract_id)
            .where(Contract.sponsor_id == sponsor_id, Track.holder_since_on.is_not(None),
                   Track.stage.in_(rules.OPEN_STAGES))
            .group_by(Track.contract_id).subquery())


def portal_query(user, q: str = "", site: str = "", whose: str = ""):
    """The contracts this sponsor user may see, matching the search, the sponsor's move first."""
    since = _sponsor_since(user.sponsor_id)
    stmt = contract_search(user, q, site).outerjoin(since, since.c.contract_id == Contract.id)
    if whose == "sponsor":
        stmt = stmt.where(since.c.since.is_not(None))
    elif whose == "site":
        stmt = stmt.where(since.c.since.is_(None), Contract.status == "open")
    elif whose == "closed":
        stmt = stmt.where(Contract.status != "open")
    return stmt.order_by(None).order_by(since.c.since.is_(None), since.c.since, Contract.id.desc())


def portal_page(user, page: int, per_page: int, *, q: str = "", site: str = "", whose: str = "",
                options=()) -> tuple[list[Contract], int, bool]:
    """One page of ``portal_query``, how many contracts match and whether that number is exact (``page_of``).

    The count leaves out the "held since" join unless the filter needs it (a sponsor may have
    thousands of contracts)."""
    counted = None
    if whose not in ("sponsor", "site"):
        counted = contract_search(user, q, site)
        if whose == "closed":
            counted = counted.where(Contract.status != "open")
    return page_of(portal_query(user, q, site, whose), page, per_page, counted=counted, options=options)


def _day(day: date, today: date) -> str:
    """The product's one date format, as everywhere else."""
    return formatting.day(day)


def held_now(track: Track, state: TrackState) -> int:
    """Working days the current holder has had the track (by the site's calendar)."""
    if state.holder_since is None:
        return 0
    calendar, _legal = calendars_of(track)
    return calendar.working_days_between(state.holder_since, state.today)


def deadline_words(track: Track, state: TrackState) -> str:
    """The deadline in a sentence: "Paused: your move since 12 March, 9 working days"."""
    if state.stage == rules.EXECUTED:
        return _("Signed by every party")
    if state.stage == rules.CANCELLED:
        return _("Cancelled")
    if state.holder == "sponsor":
        days = held_now(track, state)
        if state.holder_since is None:
            return _("Paused: your move")
        return ngettext("Paused: your move since %(since)s, %(num)d working day",
                        "Paused: your move since %(since)s, %(num)d working days", days,
                        since=_day(state.holder_since, state.today))
    if state.holder == "coordinator":
        return _("Waiting for the coordinating site to agree the terms")
    if state.due_on is None:
        return _("The site's move")
    due = _day(state.due_on, state.today)
    if state.status == "breached" and not state.days_late:
        return _("The site's move: overdue since %(due)s", due=due)
    if state.status == "breached":
        return ngettext("The site's move: overdue since %(due)s, %(num)d working day late",
                        "The site's move: overdue since %(due)s, %(num)d working days late",
                        state.days_late, due=due)
    left = state.working_days_left or 0
    return ngettext("The site's move: due %(due)s, %(num)d working day left",
                    "The site's move: due %(due)s, %(num)d working days left", left, due=due)
