"""API tokens for programs: only a token's SHA-256 is kept; the token itself is shown once."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from tracker import audit
from tracker.extensions import db
from tracker.models import ApiToken, User

TOKEN_PREFIX = "ftk_"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, *, actor: audit.Actor, now: datetime, name: str | None = None) -> str:
    """Issue an API token; only its hash is stored, so this is the one time it is seen."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user=user, token_hash=token_hash(token), prefix=token[:12], created_at=now, name=name)
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "api_token", row.id, {"user": (None, user.email), "prefix": (None, row.prefix)}, now=now)
    return token


def user_for_token(token: str) -> User | None:
    """The active user behind a token, or None for an unknown or revoked token."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = db.session.execute(
        db.select(ApiToken).where(ApiToken.token_hash == token_hash(token), ApiToken.revoked_at.is_(None))
    ).scalar_one_or_none()
    if row is None or not row.user.active:
        return None
    return row.user
