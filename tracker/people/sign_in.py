"""Checking a person's credentials at sign-in."""
from __future__ import annotations

from werkzeug.security import check_password_hash

from tracker.extensions import db
from tracker.models import User
from tracker.people.input import clean


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None (never says which part was wrong)."""
    user = db.session.execute(
        db.select(User).where(User.email == clean(email).lower()[:254])
    ).scalar_one_or_none()
    if user is None or not user.active or not check_password_hash(user.password_hash, password or ""):
        return None
    return user
