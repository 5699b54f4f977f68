"""Reading a page number from the query string without trusting it."""
from __future__ import annotations

from flask import request

MAX_PAGE = 100_000


def page_number() -> int:
    """?page= as a whole number from 1 to MAX_PAGE; anything else is page 1."""
    raw = request.args.get("page", "1")
    if not raw.isdigit() or len(raw) > 6:
        return 1
    return min(max(int(raw), 1), MAX_PAGE)
