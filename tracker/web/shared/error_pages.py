"""The error pages, in the reader's language; the API's errors in its JSON format (SPEC 5b)."""
from __future__ import annotations

import math
import time

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError

from tracker.extensions import db, limiter


def retry_minutes() -> int:
    """Whole minutes until the rate limit that refused this request lets the next one through."""
    limit = limiter.current_limit
    seconds = limit.reset_at - time.time() if limit is not None else 60
    return max(1, math.ceil(seconds / 60))


def too_many(minutes: int) -> str:
    """What a person refused by a rate limit reads."""
    return _("Too many attempts; try again in %(n)d minutes.", n=minutes) if minutes != 1 else \
        _("Too many attempts; try again in 1 minute.")


def init_app(app: Flask) -> None:
    def _page(status: int, title, message):
        if request.for_api:
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
        if request.for_api:
            return _page(429, "", "Too many requests with this token; wait as Retry-After says and try again.")
        return _page(429, _l("Too many attempts"), too_many(retry_minutes()))

    @app.errorhandler(500)
    def server_error(_e):
        db.session.rollback()
        return _page(500, _l("Something went wrong"), _l("The error has been logged. Try again in a moment."))
