"""Who may see what: role decorators and the one contract loader every route uses.

A contract the caller may not see is answered exactly like one that does not
exist (404), so a sponsor cannot even learn another sponsor's references.
"""
from __future__ import annotations

from functools import wraps

from flask import abort, g
from flask_login import current_user

from tracker.extensions import db
from tracker.models import Contract, Track


def visible_contracts(user, stmt=None):
    """Restrict a select of Contract to what this user may see."""
    stmt = stmt if stmt is not None else db.select(Contract)
    if user.role == "admin":
        return stmt
    if user.role == "sponsor":
        return stmt.where(Contract.sponsor_id == user.sponsor_id)
    site_tracks = db.select(Track.contract_id).where(Track.site_id == user.site_id)
    return stmt.where(Contract.id.in_(site_tracks))


def load_contract(reference: str, user) -> Contract | None:
    """The contract with this reference if the user may see it, else None."""
    stmt = visible_contracts(user, db.select(Contract).where(Contract.reference == reference.upper()))
    return db.session.execute(stmt).scalar_one_or_none()


def may_see(user, contract_id: int) -> bool:
    """Whether the user may see the contract with this id."""
    stmt = visible_contracts(user, db.select(Contract.id).where(Contract.id == contract_id))
    return db.session.execute(stmt).first() is not None


def caller():
    """The person or program behind this request (API token user or signed-in user)."""
    return getattr(g, "api_user", None) or current_user


def role_required(*roles):
    """Refuse with 403 unless the caller has one of these roles."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = caller()
            if not user or not user.is_authenticated:
                abort(401)
            if user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def contract_route(view):
    """Resolve the ``reference`` URL part to a visible contract, or 404."""

    @wraps(view)
    def wrapped(reference, *args, **kwargs):
        contract = load_contract(reference, caller())
        if contract is None:
            abort(404)
        return view(contract, *args, **kwargs)

    return wrapped
