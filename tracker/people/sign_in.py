"""Checking a person's credentials at sign-in, with the per-account limit on failures.

An unknown address and a disabled account cost the same password-hash work as a real one
(their password is checked against a fixed dummy hash made with the same method and
cost), so the time of the answer does not tell which addresses have accounts.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from werkzeug.security import check_password_hash

from tracker.extensions import db
from tracker.models import User
from tracker.people import sign_in_limits
from tracker.people.input import clean
from tracker.people.passwords import hash_password


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """A hash of a password nobody has, made like every real one (so it costs the same to check)."""
    return hash_password("no account has this password: it only spends the time a real check takes")


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None (never says which part was wrong)."""
    user = db.session.execute(
        db.select(User).where(User.email == clean(email).lower()[:254])
    ).scalar_one_or_none()
    if user is None or not user.active:
        check_password_hash(dummy_hash(), password or "")
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    return user


@dataclass(frozen=True)
class Attempt:
    """The outcome of one sign-in: the user, or why not (``wrong`` or ``locked``) and for how long."""

    user: User | None
    outcome: str  # "ok", "wrong", "locked" (already locked) or "lockout" (this failure locked it)
    locked_for: timedelta | None = None


def sign_in(email, password, *, now: datetime, failures) -> Attempt:
    """Check credentials unless the account is locked; count a failure, clear the count on success.

    ``failures`` is the shared failure store (sign_in_limits.store_for). A locked account is
    refused without looking at the password, even a right one, until its window has passed.
    """
    key = sign_in_limits.account_key(clean(email))
    recent = failures.recent(key, now)
    locked = sign_in_limits.locked_for(recent, now)
    if locked is not None:
        return Attempt(None, "locked", locked)
    user = authenticate(email, password)
    if user is not None:
        if recent:
            failures.clear(key)
        return Attempt(user, "ok")
    failures.add(key, now)
    locked = sign_in_limits.locked_for([*recent, now], now)
    return Attempt(None, "lockout" if locked else "wrong", locked)
