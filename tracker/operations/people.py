"""Creating sponsors, users and API tokens."""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

from tracker import audit
from tracker.errors import InvalidInput, NotFound
from tracker.extensions import db
from tracker.models import ApiToken, Site, Sponsor, User
from tracker.models.people import ROLES

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
TOKEN_PREFIX = "ftk_"
MIN_PASSWORD = 10


def _clean(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def find_sponsor(name: str) -> Sponsor | None:
    """The sponsor with this name, ignoring case (in Python: SQLite only folds ASCII)."""
    wanted = name.strip().casefold()
    exact = db.session.execute(db.select(Sponsor).where(Sponsor.name == name.strip())).scalar_one_or_none()
    if exact is not None:
        return exact
    return next((s for s in db.session.execute(db.select(Sponsor)).scalars() if s.name.casefold() == wanted), None)


def create_sponsor(data: dict, *, actor: audit.Actor, now: datetime) -> Sponsor:
    """Register a sponsor company; names are unique regardless of case."""
    errors = {}
    name = _clean(data.get("name"))
    country = data.get("country")
    if not name:
        errors["name"] = _l("A sponsor name is required.")
    elif len(name) > 200:
        errors["name"] = _l("The name is longer than 200 characters.")
    elif find_sponsor(name) is not None:
        errors["name"] = _l("A sponsor named %(name)s already exists.", name=name)
    if country is not None and country != "":
        country = _clean(country).upper()
        if not COUNTRY_RE.match(country):
            errors["country"] = _l("Use a two-letter ISO country code such as FR or US.")
    else:
        country = None
    if errors:
        raise InvalidInput(errors)
    sponsor = Sponsor(name=name, country=country, created_at=now)
    for field in ("address", "registration_number", "representative"):
        value = _clean(data.get(field))
        setattr(sponsor, field, value or None)
    db.session.add(sponsor)
    db.session.flush()
    audit.record(actor, "sponsor", sponsor.id, {"name": (None, name), "country": (None, country)}, now=now)
    return sponsor


def create_user(data: dict, *, actor: audit.Actor, now: datetime) -> User:
    """Create a person with a role; staff belong to a site, sponsor users to a sponsor."""
    errors = {}
    email = _clean(data.get("email")).lower()
    name = _clean(data.get("name"))
    role = _clean(data.get("role"))
    password = data.get("password") or ""
    site = sponsor = None
    if not EMAIL_RE.match(email):
        errors["email"] = _l("Enter a valid e-mail address.")
    elif db.session.execute(db.select(User.id).where(User.email == email)).first():
        errors["email"] = _l("A user with the e-mail %(email)s already exists.", email=email)
    if not name:
        errors["name"] = _l("A name is required.")
    if role not in ROLES:
        errors["role"] = _l("Unknown role %(role)s; choose one of %(roles)s.", role=role or "''", roles=", ".join(ROLES))
    if len(password) < MIN_PASSWORD:
        errors["password"] = _l("The password needs at least %(n)d characters.", n=MIN_PASSWORD)
    site_code = _clean(data.get("site")).upper()
    sponsor_name = _clean(data.get("sponsor"))
    if site_code:
        site = db.session.execute(db.select(Site).where(Site.code == site_code)).scalar_one_or_none()
        if site is None:
            errors["site"] = _l("Unknown site %(code)s.", code=site_code)
    if sponsor_name:
        sponsor = find_sponsor(sponsor_name)
        if sponsor is None:
            errors["sponsor"] = _l("Unknown sponsor %(name)s.", name=sponsor_name)
    if role in ("manager", "legal") and not site_code:
        errors["site"] = _l("Site staff need a site (--site).")
    if role == "sponsor" and not sponsor_name:
        errors["sponsor"] = _l("A sponsor user needs a sponsor (--sponsor).")
    if role == "sponsor" and site_code:
        errors["site"] = _l("A sponsor user does not belong to a site.")
    if role in ("manager", "legal", "admin") and sponsor_name:
        errors["sponsor"] = _l("Staff do not belong to a sponsor.")
    if errors:
        raise InvalidInput(errors)
    user = User(
        email=email,
        name=name,
        role=role,
        site=site,
        sponsor=sponsor,
        password_hash=generate_password_hash(password),
        language=data.get("language") or None,
        created_at=now,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        actor,
        "user",
        user.id,
        {"email": (None, email), "role": (None, role), "site": (None, site_code or None),
         "sponsor": (None, sponsor.name if sponsor else None)},
        now=now,
    )
    return user


def find_user_by_email(email: str) -> User:
    email = _clean(email).lower()
    user = db.session.execute(db.select(User).where(User.email == email)).scalar_one_or_none()
    if user is None:
        raise NotFound(str(_l("No user with the e-mail %(email)s.", email=email or "''")))
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None (never says which part was wrong)."""
    user = db.session.execute(
        db.select(User).where(User.email == _clean(email).lower())
    ).scalar_one_or_none()
    if user is None or not user.active or not check_password_hash(user.password_hash, password or ""):
        return None
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, *, actor: audit.Actor, now: datetime) -> str:
    """Issue an API token; only its hash is stored, so this is the one time it is seen."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user=user, token_hash=_token_hash(token), prefix=token[:12], created_at=now)
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "api_token", row.id, {"user": (None, user.email), "prefix": (None, row.prefix)}, now=now)
    return token


def user_for_token(token: str) -> User | None:
    """The active user behind a token, or None for an unknown or revoked token."""
    if not token or not token.startswith(TOKEN_PREFIX):
        return None
    row = db.session.execute(
        db.select(ApiToken).where(ApiToken.token_hash == _token_hash(token), ApiToken.revoked_at.is_(None))
    ).scalar_one_or_none()
    if row is None or not row.user.active:
        return None
    return row.user
