"""API tokens for programs: only a token's SHA-256 is kept; the token itself is shown once.

Each person manages their own tokens on a page (create with a name, see when each was
last used, revoke); ``tokens create`` on the command line stays for scripts.  A token may be
given a lifetime in days: past it the API answers 401 saying it expired.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, or_, select, update

from tracker import audit
from tracker.errors import InvalidInput, NotFound
from tracker.extensions import db
from tracker.models import ApiToken, User

TOKEN_PREFIX = "ftk_"
MAX_NAME = 100
MAX_DAYS = 3660  # about ten years: a lifetime is for tokens that should not outlive a project
# "Last used" is written at most this often per token, so reading the API does not write on every call.
LAST_USED_STEP = timedelta(minutes=1)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def lifetime(days) -> timedelta | None:
    """A token's lifetime from a number of days (None or "": no expiry); InvalidInput names the field."""
    if days is None or days == "":
        return None
    if isinstance(days, str) and days.strip().isdigit():
        days = int(days.strip())
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise InvalidInput({"days": str(_l("Give a whole number of days from 1 to %(n)d, or nothing for a token "
                                           "that lasts until it is revoked.", n=MAX_DAYS))})
    return timedelta(days=days)


def create_token(user: User, *, actor: audit.Actor, now: datetime, name: str | None = None,
                 days: int | str | None = None) -> str:
    """Issue an API token, valid for `days` days if given; only its hash is stored, so this is the one time
    it is seen."""
    valid_for = lifetime(days)
    if name is not None:
        name = " ".join(str(name).split())
        if len(name) > MAX_NAME:
            raise InvalidInput({"name": str(_l("At most %(n)d characters.", n=MAX_NAME))})
        name = name or None
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user=user, token_hash=token_hash(token), prefix=token[:12], created_at=now, name=name,
                   expires_at=now + valid_for if valid_for else None)
    db.session.add(row)
    db.session.flush()
    changes = {"user": (None, user.email), "prefix": (None, row.prefix)}
    if name:
        changes["name"] = (None, name)
    if row.expires_at:
        changes["expires_at"] = (None, row.expires_at)
    audit.record(actor, "api_token", row.id, changes, now=now)
    return token


def create_named_token(user: User, name, *, actor: audit.Actor, now: datetime, days=None) -> str:
    """A token made on the tokens page: it needs a name, so its owner knows later what uses it."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput({"name": str(_l("Give the token a name, such as the program that will use it."))})
    return create_token(user, actor=actor, now=now, name=name, days=days)


def tokens_of(user: User) -> list[ApiToken]:
    """The person's tokens, valid ones first, newest first."""
    return db.session.execute(db.select(ApiToken).where(ApiToken.user_id == user.id).order_by(
        ApiToken.revoked_at.is_not(None), ApiToken.id.desc())).scalars().all()


def revoke_token(user: User, token_id, *, actor: audit.Actor, now: datetime) -> ApiToken:
    """Revoke one of the person's own tokens; another person's token is simply not found."""
    row = db.session.get(ApiToken, token_id) if isinstance(token_id, int) else None
    if row is None or row.user_id != user.id:
        raise NotFound(str(_l("No such token.")))
    if row.revoked_at is None:
        row.revoked_at = now
        audit.record(actor, "api_token", row.id, {"revoked_at": (None, now)}, now=now)
    return row


@dataclass(frozen=True)
class TokenUse:
    """What a request needs of a live token and its user: who calls (role, site, sponsor), and the
    token's expiry and last use. Read on every call, so a revocation, an expiry or a change of role
    or site applies to the very next request."""

    token_id: int
    expires_at: datetime | None
    last_used_at: datetime | None
    user_id: int
    role: str
    site_id: int | None
    sponsor_id: int | None
    along: tuple | None = None  # what a statement built on LIVE read beside the token (``token_for``'s ``along``)

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now


_tokens, _users = ApiToken.__table__.c, User.__table__.c
# Built once: a fixed statement is compiled once per process and only its parameter changes per call.
LIVE = (select(_tokens.id, _tokens.expires_at, _tokens.last_used_at, _users.id, _users.role, _users.site_id,
                _users.sponsor_id)
         .join_from(ApiToken.__table__, User.__table__, _users.id == _tokens.user_id)
         .where(_tokens.token_hash == bindparam("token_hash"), _tokens.revoked_at.is_(None),
                _users.active.is_(True)))
_NOTE_USE = (update(ApiToken.__table__).where(_tokens.id == bindparam("token_id"), or_(
    _tokens.last_used_at.is_(None), _tokens.last_used_at <= bindparam("stale_at"))).values(
    last_used_at=bindparam("at")))


def token_for(token: str, along=None, values: dict | None = None) -> TokenUse | None:
    """The live token behind a token of an active user, or None for an unknown or revoked token.

    An expired token is returned too (it says so): the caller answers that it expired. One small
    statement, run on the session's connection without loading any object. ``along``: that statement
    with more columns (and outer joins) that read what the request needs next in the same round trip,
    with their ``values``; what they read is the result's ``along``."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = db.session.connection().execute(LIVE if along is None else along,
                                          {**(values or {}), "token_hash": token_hash(token)}).first()
    if row is None:
        return None
    width = len(LIVE.selected_columns)
    return TokenUse(*row[:width], along=tuple(row[width:]) if along is not None else None)


def use_is_stale(row: TokenUse | ApiToken, now: datetime) -> bool:
    """Whether the token's "last used" time is old enough to be written again (at most once a minute)."""
    return row.last_used_at is None or row.last_used_at <= now - LAST_USED_STEP


def note_use(row: TokenUse, now: datetime) -> None:
    """Bring the token's "last used" time up to date; the caller runs it in its own transaction."""
    db.session.connection().execute(_NOTE_USE, {"token_id": row.token_id, "stale_at": now - LAST_USED_STEP,
                                                "at": now})


def revoke_by_prefix(user: User, prefix, *, actor: audit.Actor, now: datetime) -> int:
    """Revoke the user's valid token(s) shown with this prefix (the first characters, as on the tokens page)."""
    prefix = prefix.strip() if isinstance(prefix, str) else ""
    rows = db.session.execute(db.select(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.prefix == prefix[:12], ApiToken.revoked_at.is_(None))).scalars().all()
    if len(prefix) < 8 or not rows:
        raise NotFound(str(_l("%(email)s has no valid token starting with %(prefix)s.",
                              email=user.email, prefix=prefix[:20] or "''")))
    for row in rows:
        row.revoked_at = now
        audit.record(actor, "api_token", row.id, {"revoked_at": (None, now)}, now=now)
    return len(rows)
