"""What every request and response goes through: security headers, and a guard on incoming text.

Headers go on every response - pages, JSON, downloads, errors and static files alike - from
one after_request hook, so a new page cannot forget them:
- a Content-Security-Policy that allows no inline script or style and no framing;
- ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: same-origin``;
- HSTS when the public address (TRACKER_BASE_URL) is https;
- ``Cache-Control: no-store`` on everything but static files (signed-in pages, JSON, downloads) and the
  tagged contract answers of the API, which a client may keep and revalidate.

The guard refuses, before any view runs, a path, query string or form field holding NUL, other
control characters (tab and line breaks are fine) or lone surrogates (see tracker.text_rules),
with 422 naming the field - so a new form or filter gets the rule without asking for it.
"""
from __future__ import annotations

from flask import Flask, abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker.api.etags import REVALIDATE  # what an answer with an ETag says instead
from tracker.text_rules import bad_character, guard_columns, refusal

CSP = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
HSTS = "max-age=31536000; includeSubDomains"


def security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")  # for browsers that predate frame-ancestors
    if request.endpoint != "static" and headers.get("Cache-Control") != REVALIDATE:
        headers["Cache-Control"] = "no-store"
        headers.pop("Expires", None)
    if serves_https(current_app):
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def _first_bad_field() -> tuple[str, str] | None:
    """(field, character) of the first query or form value that holds a forbidden character."""
    for source in (request.args, request.form):
        for name, value in source.items(multi=True):
            for text in (name, value):
                character = bad_character(text)
                if character:
                    return name if bad_character(name) is None else "?", character
    return None


def refuse_bad_text():
    if bad_character(request.path):
        abort(404)  # no page or id has a control character in its address
    found = _first_bad_field()
    if found is None:
        return None
    field, character = found
    message = str(refusal(character))
    if request.for_api:
        from tracker.api.errors import error_response

        return error_response(422, "invalid_input", _("Invalid or missing fields: %(fields)s", fields=field),
                              {field: message})
    return render_template("errors/error.html", status=422, title=_l("Characters not allowed"),
                           message=_("The field “%(field)s”: %(problem)s", field=field, problem=message)), 422


def serves_https(app: Flask) -> bool:
    return app.config.get("BASE_URL", "").lower().startswith("https://")


def init_app(app: Flask) -> None:
    """Hook the guard and the headers in; cookies are Secure when the public address is https."""
    secure = serves_https(app)
    app.config["SESSION_COOKIE_SECURE"] = secure
    app.config["REMEMBER_COOKIE_SECURE"] = secure
    app.before_request(refuse_bad_text)
    app.after_request(security_headers)
    guard_columns()
