"""Limits per API token: calls (``TRACKER_API_RATE_LIMIT``) and upload volume (``TRACKER_API_UPLOAD_LIMIT``).

Both are counted in Flask-Limiter's storage - Redis when ``TRACKER_REDIS_URL`` is set, so
every worker and server shares one count per token - and keyed by the SHA-256 of the
token, so the storage never holds a usable token. ``off`` disables either one (for
benchmarks). Over a limit the API answers 429 with ``Retry-After`` (seconds) and the usual
``{"error": {...}}`` body.

- Calls: a Flask-Limiter rate such as ``1200/minute`` or ``20 per second``.
- Upload volume: ``<amount> <unit>/<period>``, unit B, KB, MB or GB (powers of 1024) and
  period second, minute, hour or day, e.g. ``100 MB/hour``. It counts the bodies of
  multipart requests (file uploads) as they arrive, before anything is stored.  The
  sponsor portal's uploads count against the same volume, per signed-in user.
"""
from __future__ import annotations

import hashlib
import math
import re
import time

import limits
from flask import Blueprint, Flask, current_app, request

from tracker.api.errors import error_response
from tracker.extensions import limiter

_VOLUME = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)\s*(?:/|per)\s*(second|minute|hour|day)\s*$", re.I)
_UNITS = {"b": 1, "kb": 1024, "mb": 1024**2, "gb": 1024**3}


def _off(value: str) -> bool:
    return value.strip().lower() == "off"


def upload_allowance(value: str) -> limits.RateLimitItem | None:
    """The upload limit as a number of bytes per period; None for ``off``; ValueError naming the setting."""
    if _off(value):
        return None
    match = _VOLUME.match(value)
    amount = int(float(match.group(1)) * _UNITS[match.group(2).lower()]) if match else 0
    if amount < 1:
        raise ValueError(f"TRACKER_API_UPLOAD_LIMIT: expected something like '100 MB/hour' or 'off', not {value!r}")
    return limits.parse(f"{amount}/{match.group(3).lower()}")


def call_allowance(value: str) -> str | None:
    if _off(value):
        return None
    try:
        limits.parse_many(value)
    except ValueError:
        raise ValueError(f"TRACKER_API_RATE_LIMIT: expected something like '1200/minute' or 'off', not {value!r}")
    return value


def _token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def token_key() -> str:
    return "api-token:" + hashlib.sha256((_token() or "").encode("utf-8", "replace")).hexdigest()[:40]


def _calls_exempt() -> bool:
    return _token() is None or call_allowance(current_app.config["API_RATE_LIMIT"]) is None


def _call_rate() -> str:
    return call_allowance(current_app.config["API_RATE_LIMIT"]) or "1/second"  # never used: exempt when off


def check_upload_volume():
    """Refuse an upload that would take the token past its volume for the period (before it is read)."""
    wait = volume_wait(token_key())
    if wait is None:
        return None
    response = error_response(429, "rate_limited", f"This token has used its upload volume "
                              f"({current_app.config['API_UPLOAD_LIMIT']}); try again in {wait} seconds.")
    response.headers["Retry-After"] = str(wait)
    return response


def volume_wait(key: str) -> int | None:
    """Count this request's upload against ``key``'s volume: None while within it, else the seconds to wait.

    Only multipart bodies (file uploads) count, by their declared length, before they are read.
    """
    if request.mimetype != "multipart/form-data" or not limiter.enabled:
        return None
    item = upload_allowance(current_app.config["API_UPLOAD_LIMIT"])
    if item is None:
        return None
    cost = max(1, request.content_length or 0)
    if limiter.limiter.hit(item, key, "upload-bytes", cost=cost):
        return None
    reset_at, _remaining = limiter.limiter.get_window_stats(item, key, "upload-bytes")
    return max(1, math.ceil(reset_at - time.time()))


def decorate(bp: Blueprint) -> None:
    """Count every call of a token against its rate (once, at import: the rate is read per request)."""
    limiter.limit(_call_rate, key_func=token_key, exempt_when=_calls_exempt, per_method=False)(bp)


def check_config(app: Flask) -> None:
    """Refuse to start with a limit that cannot be read, naming the setting."""
    call_allowance(app.config["API_RATE_LIMIT"])
    upload_allowance(app.config["API_UPLOAD_LIMIT"])
