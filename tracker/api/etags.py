"""Conditional GETs for the contract endpoints (SPEC 5b): an ETag, and 304 without building the body.

A contract's JSON depends on the contract and what hangs on it (its ``version``,
moved by every change: ``tracker.contracts.versioning``), on the rules its deadlines
are computed with (the current policy, the sites' closure days and Whit Monday
settings), on the day (days left, statuses) and on who asks (a sponsor sees owners'
names and no internal comments). The tag is a hash of all of these, read in one or
two small queries, so a poll of an unchanged contract costs no more than that.
Predicted signature dates follow history that moves slowly; they are refreshed with
the day, when the tag changes anyway.
"""
from __future__ import annotations

import hashlib
from datetime import datetime

from flask import Response, request
from sqlalchemy import literal_column, text

from tracker.extensions import db
from tracker.timeutil import local_date

# What an answer with an ETag says instead of the pages' no-store: keep it for this caller only, and
# ask again with the tag before each use.
REVALIDATE = "private, no-cache"


# One fixed statement (plain text: nothing to build or compile per request) over small tables.
RULES = text(
    "SELECT (SELECT max(id) FROM policies), (SELECT count(id) FROM site_closures), "
    "(SELECT max(id) FROM site_closures), (SELECT count(id) FROM sites WHERE works_whit_monday)")


# The same four values as columns, to ride along with the query that reads the contract's version:
# one round trip fewer per request (each one is the database server's work on a busy machine too).
RULE_COLUMNS = tuple(literal_column(sql).label(f"rule_{i}") for i, sql in enumerate((
    "(SELECT max(id) FROM policies)", "(SELECT count(id) FROM site_closures)",
    "(SELECT max(id) FROM site_closures)", "(SELECT count(id) FROM sites WHERE works_whit_monday)")))


def rules_fingerprint() -> tuple:
    """What, outside the contract, moves its deadlines: policy version, closure days, Whit Monday."""
    return tuple(db.session.execute(RULES).one())


def rules_of(row) -> tuple:
    """The fingerprint from a row that selected ``RULE_COLUMNS`` last."""
    return tuple(row[-len(RULE_COLUMNS):])


def make_tag(*parts) -> str:
    """A strong ETag (quoted) from these parts."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f'"{digest}"'


def tag_for(user, now: datetime, *parts, rules: tuple | None = None) -> str:
    """The tag of a body made of ``parts`` as ``user`` sees it on the day of ``now`` (``rules``: the
    fingerprint when already read)."""
    return make_tag(user.role == "sponsor", local_date(now).isoformat(),
                    rules if rules is not None else rules_fingerprint(), *parts)


def matches(tag: str) -> bool:
    """Whether the request's If-None-Match names this tag (or is ``*``)."""
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    return any(candidate.strip() in (tag, f"W/{tag}", "*") for candidate in header.split(","))


def not_modified(tag: str) -> Response:
    response = Response(status=304)
    return tagged(response, tag)


def tagged(response: Response, tag: str) -> Response:
    """Mark an answer with its tag; ``private, no-cache``: a cache may keep it for this caller only, and
    must ask again (with the tag) before each use."""
    response.headers["ETag"] = tag
    response.headers["Cache-Control"] = REVALIDATE
    return response
