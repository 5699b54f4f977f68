"""Which contracts a person may see (SPEC 1): staff their sites' contracts, sponsors their own.

A contract someone may not see is treated exactly like one that does not exist, so
a sponsor cannot even learn another sponsor's references.
"""
from __future__ import annotations

from tracker.extensions import db
from tracker.models import Contract, Track


# The roles that see any contract; every other role sees none.
SEEING_ROLES = ("admin", "sponsor", "legal", "manager")


def _condition(role, site_id, sponsor_id):
    """The rule for one role: None (every contract), or the condition a contract must meet."""
    if role == "admin":
        return None
    if role == "sponsor":
        return Contract.sponsor_id == sponsor_id
    if role not in ("legal", "manager") or site_id is None:
        return db.false()
    # EXISTS on the (contract, site) unique index: a page of the newest contracts reads the contracts
    # newest first and stops when the page is full; "id IN (the site's tracks)" first listed all of them.
    return db.exists().where(Track.contract_id == Contract.id, Track.site_id == site_id)


def visible_contracts(user, stmt=None):
    """Restrict a select of Contract to what this user may see."""
    stmt = stmt if stmt is not None else db.select(Contract)
    condition = _condition(user.role, user.site_id, user.sponsor_id)
    return stmt if condition is None else stmt.where(condition)


def visible_to(role, site_id, sponsor_id):
    """The same rule as one SQL condition on a person given as columns (their role, site and sponsor), for a
    statement that reads the person and a contract together."""
    return db.or_(*(role == kind if (condition := _condition(kind, site_id, sponsor_id)) is None
                    else db.and_(role == kind, condition) for kind in SEEING_ROLES))


def load_contract(reference: str, user, options=()) -> Contract | None:
    """The contract with this reference if the user may see it, else None (loaded with ``options``)."""
    if not isinstance(reference, str) or len(reference) > 20:
        return None
    stmt = visible_contracts(user, db.select(Contract).where(Contract.reference == reference.upper()))
    return db.session.execute(stmt.options(*options)).scalar_one_or_none()


def may_see(user, contract_id: int) -> bool:
    """Whether the user may see the contract with this id."""
    stmt = visible_contracts(user, db.select(Contract.id).where(Contract.id == contract_id))
    return db.session.execute(stmt).first() is not None
