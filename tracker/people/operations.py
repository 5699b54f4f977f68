"""Creating users (sponsors: people.sponsors), and finding them (each operation validates, writes, audits, flushes)."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from tracker import audit
from tracker.errors import InvalidInput, NotFound
from tracker.extensions import db
from tracker.models import User
from tracker.people.input import check_affiliation, check_email, check_password, clean, find_sponsor
from tracker.people.passwords import hash_password
from tracker.people.sponsors import create_sponsor

__all__ = ["create_sponsor", "create_user", "find_sponsor", "find_user_by_email"]


def create_user(data: dict, *, actor: audit.Actor, now: datetime) -> User:
    """Create a person with a role; staff belong to a site, sponsor users to a sponsor.

    ``language`` is stored only when the person (or whoever creates them) chose
    one; otherwise the browser decides at each visit.
    """
    errors: dict = {}
    email = check_email(data.get("email"), errors)
    name = clean(data.get("name"))
    if not name:
        errors["name"] = _l("A name is required.")
    elif len(name) > 200:
        errors["name"] = _l("At most %(n)d characters.", n=200)
    role = clean(data.get("role"))
    password = check_password(data.get("password"), errors)
    site, sponsor = check_affiliation(role, clean(data.get("site")).upper(), clean(data.get("sponsor")), errors)
    language = data.get("language") or None
    if language not in (None, "fr", "en"):
        errors["language"] = _l("Choose fr or en.")
    if errors:
        raise InvalidInput(errors)
    user = User(email=email, name=name, role=role, site=site, sponsor=sponsor,
                password_hash=hash_password(password), language=language, created_at=now)
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user", user.id, {
        "email": (None, email), "role": (None, role), "site": (None, site.code if site else None),
        "sponsor": (None, sponsor.name if sponsor else None)}, now=now)
    return user


def find_user_by_email(email: str) -> User:
    email = clean(email).lower()
    user = db.session.execute(db.select(User).where(User.email == email)).scalar_one_or_none()
    if user is None:
        raise NotFound(str(_l("No user with the e-mail %(email)s.", email=email[:254] or "''")))
    return user
