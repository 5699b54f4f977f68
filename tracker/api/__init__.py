"""The JSON API under /api/v1 (SPEC 5b): token authentication and the error format."""
from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, Flask, g, request

from tracker.api import limits
from tracker.api.errors import error_response
from tracker.database import utcnow
from tracker.errors import DocumentProblems, DomainError
from tracker.extensions import csrf, db
from tracker.people import tokens
from tracker.transaction import atomic

bp = Blueprint("api", __name__, url_prefix="/api/v1")
PUBLIC_ENDPOINTS = {"api.health", "api.openapi"}
# Endpoints that read what they need first in the token's own statement (one round trip fewer per call):
# endpoint -> function of the URL's arguments giving (a statement built on ``tokens.LIVE``, its values).
# The token's checks below are the same either way.
READ_ALONG: dict = {}
limits.decorate(bp)


@bp.before_request
def authenticate():
    """Every endpoint but health and the description needs ``Authorization: Bearer TOKEN``."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return error_response(401, "unauthorized", "Send an API token as 'Authorization: Bearer TOKEN'.")
    along = READ_ALONG.get(request.endpoint)
    use = tokens.token_for(token.strip(), *along(request.view_args or {})) if along else tokens.token_for(token.strip())
    if use is None:
        return error_response(401, "unauthorized", "The API token is unknown or revoked.")
    at = utcnow()
    if use.expired(at):
        return error_response(401, "unauthorized", f"The API token expired on {use.expires_at:%Y-%m-%d %H:%M} UTC; "
                                                   "create a new one.")
    if tokens.use_is_stale(use, at):
        with atomic():  # the token's "last used" time, kept apart from the request's own work
            tokens.note_use(use, at)
        # That ended the read the token's statement began: what it read along is read again by the view,
        # in the transaction that also builds the answer.
        use = replace(use, along=None)
    # Who calls, as read with the token; ``access.caller()`` loads the whole user when a view needs it.
    g.api_token = use
    return limits.check_upload_volume()


@bp.errorhandler(DomainError)
def domain_error(exc: DomainError):
    db.session.rollback()
    extra = {"problems": exc.problems} if isinstance(exc, DocumentProblems) else None
    return error_response(exc.status, exc.code, exc.message, getattr(exc, "errors", None), extra)


def init_app(app: Flask) -> None:
    from tracker.api import contracts, documents, events, idempotency, openapi, sites, sponsors, tracks  # noqa: F401  (routes)
    from tracker.api import metrics  # noqa: F401  (routes)
    from tracker.api import signatories  # noqa: F401  (routes)
    from tracker.api import webhooks  # noqa: F401  (routes)

    limits.check_config(app)
    csrf.exempt(bp)  # programs authenticate with a token, not a cookie
    app.register_blueprint(bp)


def now():
    """The request's notion of the present; one place, so tests can reason about it."""
    return utcnow()
