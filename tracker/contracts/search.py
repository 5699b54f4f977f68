"""The contract list's query: what a person may see, matching a search and filters."""
from __future__ import annotations

from sqlalchemy.orm import selectinload

from tracker.contracts.visibility import visible_contracts
from tracker.extensions import db
from tracker.models import Contract, Site, Sponsor, Track

MAX_QUERY = 100


def contract_search(user, q: str = "", site: str = "", stage: str = ""):
    """Visible contracts matching the search text and filters, newest first, tracks loaded with the page."""
    stmt = visible_contracts(user, db.select(Contract).join(Contract.sponsor))
    if q:
        like = "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(db.or_(*(db.func.lower(column).like(like, escape="\\") for column in (
            Contract.reference, Sponsor.name, Contract.protocol_number, Contract.title,
            db.func.coalesce(Contract.acronym, "")))))
    if site:
        stmt = stmt.where(Contract.id.in_(db.select(Track.contract_id).join(Track.site).where(Site.code == site)))
    if stage:
        stmt = stmt.where(Contract.id.in_(db.select(Track.contract_id).where(Track.stage == stage)))
    return stmt.options(selectinload(Contract.sponsor),
                        selectinload(Contract.tracks).selectinload(Track.site)).order_by(Contract.id.desc())
