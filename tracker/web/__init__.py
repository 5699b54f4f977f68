"""Blueprints for people: sign-in and the staff contract pages."""
from __future__ import annotations

import math
import time

from flask import Flask, render_template, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError

from tracker.extensions import db, limiter, login_manager
from tracker.people import accounts
from tracker.stages.rules import HOLDER_LABELS, PARTY_LABELS, STAGE_LABELS, event_label, holder


def retry_minutes() -> int:
    """Whole minutes until the rate limit that refused this request lets the next one through."""
    limit = limiter.current_limit
    seconds = limit.reset_at - time.time() if limit is not None else 60
    return max(1, math.ceil(seconds / 60))


def init_app(app: Flask) -> None:
    from tracker.web import admin_outbox, admin_policy, audit_export, auth, contract_form, contracts, documents, portal
    from tracker.web import account, conversation, invitations, portal_actions, refusals
    from tracker.web import admin_sites, admin_sponsors, admin_templates, admin_users, admin_webhooks
    from tracker.web import dashboard, notifications, profile, queue
    from tracker.web import signatories, signing
    from tracker.web import negotiated, session_guard

    del contract_form, portal_actions, negotiated  # their routes join the contracts, portal, documents blueprints
    for module in (auth, contracts, documents, audit_export, portal, admin_policy, admin_outbox, account,
                   invitations, conversation, admin_sponsors, admin_sites, admin_templates, admin_users, signing,
                   signatories, admin_webhooks, notifications):
        app.register_blueprint(module.bp)
    for module in (queue, dashboard, profile):
        app.register_blueprint(module.bp)
    refusals.init_app(app)
    session_guard.init_app(app)

    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(session_id: str):
        # "<id>:<generation>": a disabled account or an ended generation signs the cookie out.
        return accounts.user_for_session(session_id)

    @app.context_processor
    def page_helpers():
        return {
            "current_locale": str(get_locale()),
            "stage_label": lambda s: STAGE_LABELS.get(s, s),
            "event_label": event_label,
            "holder_of": holder,
            "holder_label": lambda h: HOLDER_LABELS.get(h, ""),
            "party_label": lambda p: PARTY_LABELS.get(p, p),
        }

    def _page(status: int, title, message):
        if request.path.startswith("/api/"):
            from tracker.api.errors import error_response

            return error_response(status, {400: "bad_request", 401: "unauthorized", 403: "forbidden",
                                           404: "not_found", 405: "method_not_allowed",
                                           413: "too_large", 429: "rate_limited"}.get(status, "error"),
                                  str(message))
        return render_template("errors/error.html", status=status, title=title, message=message), status

    @app.errorhandler(CSRFError)
    def csrf_error(_e):
        return _page(400, _l("Form expired"), _l("The form was too old or incomplete. Go back, reload the page and try again."))

    for status, title, message in (
        (400, _l("Bad request"), _l("The request could not be understood.")),
        (403, _l("Not allowed"), _l("Your role does not allow this.")),
        (404, _l("Not found"), _l("There is nothing here, or you may not see it.")),
        (405, _l("Not allowed"), _l("This address does not accept that method.")),
        (413, _l("Too large"), _l("The upload is larger than allowed.")),
    ):
        app.register_error_handler(status, lambda e, s=status, t=title, m=message: _allowing(e, _page(s, t, m)))

    def _allowing(error, answer):
        """A 405 says which methods the address accepts (RFC 9110: Allow is required)."""
        methods = getattr(error, "valid_methods", None)
        if not methods:
            return answer
        response = app.make_response(answer)
        response.headers["Allow"] = ", ".join(sorted(methods))
        return response

    @app.errorhandler(429)
    def too_many_requests(_e):
        from tracker.web.auth import too_many

        if request.path.startswith("/api/"):
            return _page(429, "", "Too many requests with this token; wait as Retry-After says and try again.")
        return _page(429, _l("Too many attempts"), too_many(retry_minutes()))

    @app.errorhandler(500)
    def server_error(_e):
        db.session.rollback()
        return _page(500, _l("Something went wrong"), _l("The error has been logged. Try again in a moment."))
