"""The security log: one structured line per sign-in, failure, lockout, sign-out, expiry or refusal.

Lines go to the ``tracker.security`` logger as ``key=value`` pairs (values with spaces,
quotes or control characters are JSON-quoted, so a hostile user agent cannot forge a
line), and the same fields ride on the record as ``record.security`` for a structured
handler. Who (user id and e-mail, never a password), what, when (UTC) and from where
(IP address and user agent). With no logging set up, lines go to standard error, since
these must never vanish silently.
"""
from __future__ import annotations

import json
import logging
import re
from datetime import datetime

from flask import g, has_request_context, request

logger = logging.getLogger("tracker.security")
_PLAIN = re.compile(r"^[\w.@:/+\-]{0,200}$", re.ASCII)
WARNINGS = {"sign_in_failed", "locked_out", "access_refused", "rate_limited"}


def _value(value) -> str:
    text = str(value)
    return text if _PLAIN.match(text) and text else json.dumps(text[:500])


def log(event: str, *, now: datetime, user=None, email: str | None = None, **fields) -> None:
    """Write one security line; ``user`` is a User or an audit-like object with ``id``/``email``."""
    record: dict = {"event": event, "at": now.isoformat(timespec="seconds")}
    if user is not None:
        record["user_id"] = getattr(user, "id", None)
        record["email"] = getattr(user, "email", None)
    elif email is not None:
        record["email"] = email[:254]
    if has_request_context():
        record["ip"] = request.remote_addr or "-"
        record["user_agent"] = request.headers.get("User-Agent", "")[:300] or "-"
        record["method"] = request.method
        record["path"] = request.path[:300]
        g.security_logged = True  # the refusal hook then adds no second line for the same request
    record.update({k: v for k, v in fields.items() if v is not None})
    line = " ".join(f"{key}={_value(value)}" for key, value in record.items() if value is not None)
    logger.log(logging.WARNING if event in WARNINGS else logging.INFO, line, extra={"security": record})


def init_logging() -> None:
    """Make sure security lines are written somewhere, at INFO and above."""
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)
    if not logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        logger.addHandler(handler)
