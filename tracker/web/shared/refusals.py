"""Logging every refused request with who, what and when, so probing shows up in the logs."""
from __future__ import annotations

import logging

from flask import Flask, request

from tracker.access import caller
from tracker.database import utcnow

log = logging.getLogger("tracker.refused")
REFUSED = (401, 403, 404, 405)


def _who() -> str:
    user = caller()
    if user is None or not getattr(user, "is_authenticated", False):
        return "anonymous"
    where = user.site.code if user.site else (f"sponsor {user.sponsor_id}" if user.sponsor_id else "all sites")
    return f"user {user.id} <{user.email}> {user.role} ({where})"


def init_app(app: Flask) -> None:
    @app.after_request
    def log_refusal(response):
        if response.status_code in REFUSED and request.endpoint != "static":
            log.warning("refused %s: %s %s %s at %s", response.status_code, _who(), request.method, request.path,
                        utcnow().isoformat())
        return response
