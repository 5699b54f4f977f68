"""Guards for the entry points (pages and API): role decorators and the contract loader.

A contract the caller may not see is answered exactly like one that does not
exist (404), so a sponsor cannot even learn another sponsor's references; the rule
itself lives in ``tracker.contracts.visibility``.
"""
from __future__ import annotations

from functools import wraps

from flask import abort, g
from flask_login import current_user

from tracker.contracts.visibility import load_contract
from tracker.extensions import db
from tracker.models import User


def caller():
    """The person or program behind this request: the API token's user (loaded whole on first use) or the
    signed-in user."""
    return api_user() or current_user


def api_user():
    """The user whose API token authenticated this request, or None (no token, or not a valid one)."""
    use = g.get("api_token")
    if use is None:
        return None
    user = g.get("api_user")
    if user is None:
        user = g.api_user = db.session.get(User, use.user_id)
    return user


def reader():
    """Who asks, for a read that only needs the role, site and sponsor (``visible_contracts``, tags): an API
    token's ``TokenUse``, read with the token and never loaded again, or the signed-in user."""
    return g.get("api_token") or current_user


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


def contract_route(view=None, *, options=()):
    """Resolve the ``reference`` URL part to a visible contract, or 404.

    ``@contract_route(options=(...))`` loads the contract with those loader options, for a view
    that reads every track's relations (one query each instead of one per track).
    """
    if view is None:
        return lambda inner: contract_route(inner, options=options)

    @wraps(view)
    def wrapped(reference, *args, **kwargs):
        contract = load_contract(reference, caller(), options=options)
        if contract is None:
            abort(404)
        return view(contract, *args, **kwargs)

    return wrapped
