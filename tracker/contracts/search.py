"""The contract list's query: what a person may see, matching a search and filters."""
from __future__ import annotations

from sqlalchemy.orm import selectinload

from tracker.contracts.visibility import visible_contracts
from tracker.extensions import db
from tracker.models import Contract, Site, Sponsor, Track
from tracker.models.contracts import search_key

MAX_QUERY = 100
# Lists count their rows up to this many (or a few pages beyond the one shown): past it the pager
# says "Page 2 of many". Counting every one of a site's 90,000 contracts to print the number cost
# more than reading the page.
COUNT_LIMIT = 1000
PAGES_AHEAD = 5
# What a list shows of each contract, loaded with the page rather than contract by contract.
PAGE_LOADS = (selectinload(Contract.sponsor), selectinload(Contract.tracks).selectinload(Track.site))


def contract_search(user, q: str = "", site: str = "", stage: str = ""):
    """Visible contracts matching the search text and filters, newest first, tracks loaded with the page."""
    stmt = visible_contracts(user, db.select(Contract))
    if q:
        stmt = stmt.where(_matching(q))
    if site:
        stmt = stmt.where(Contract.id.in_(db.select(Track.contract_id).join(Track.site).where(Site.code == site)))
    if stage:
        stmt = stmt.where(Contract.id.in_(db.select(Track.contract_id).where(Track.stage == stage)))
    return stmt.options(*PAGE_LOADS).order_by(Contract.id.desc())


def _matching(q: str):
    """Contracts whose reference, protocol number, title or acronym holds ``q`` (any case), or whose
    sponsor's name does. Sponsors are few: their names are matched here, in Python, so accented
    capitals fold the same way as in the contracts' search text."""
    needle = search_key(q)
    like = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    sponsors = [sponsor_id for sponsor_id, name in db.session.execute(db.select(Sponsor.id, Sponsor.name))
                if needle in name.casefold()]
    found = Contract.search_text.like(like, escape="\\")
    return db.or_(found, Contract.sponsor_id.in_(sponsors)) if sponsors else found


def page_of(ordered, page: int, per_page: int, *, counted=None, options=()) -> tuple[list[Contract], int, bool]:
    """One page of a select of contracts, how many it matches, and whether that number is exact.

    ``counted``, if given, counts the same rows more cheaply. The rows are counted only up to
    ``COUNT_LIMIT`` or ``PAGES_AHEAD`` pages beyond this one, whichever is more: past that the
    number is a floor ("more than 1000") and not exact. Both the count and the page's order read
    contract ids only; just the page's contracts are then read whole, with ``options``."""
    def ids(stmt):
        return stmt.with_only_columns(Contract.id, maintain_column_froms=True)

    enough = max(COUNT_LIMIT, (page + PAGES_AHEAD) * per_page)
    found = db.session.execute(db.select(db.func.count()).select_from(
        ids(counted if counted is not None else ordered).order_by(None).limit(enough + 1).subquery())).scalar()
    total, exact = min(found, enough), found <= enough
    page_ids = db.session.execute(ids(ordered).limit(per_page).offset((page - 1) * per_page)).scalars().all()
    if not page_ids:
        return [], total, exact
    place = {contract_id: n for n, contract_id in enumerate(page_ids)}
    contracts = db.session.execute(db.select(Contract).where(Contract.id.in_(page_ids)).options(*options)).scalars()
    return sorted(contracts, key=lambda c: place[c.id]), total, exact
