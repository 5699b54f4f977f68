"""The rules for a sponsor's and a user's fields, shared by the commands, the API and the pages."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from tracker.extensions import db
from tracker.models import Site, Sponsor, User
from tracker.models.people import ROLES

EMAIL_RE = re.compile(r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 500


def clean(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def find_sponsor(name: str) -> Sponsor | None:
    """The sponsor with this name, ignoring case (in Python: SQLite only folds ASCII)."""
    wanted = name.strip().casefold()
    exact = db.session.execute(db.select(Sponsor).where(Sponsor.name == name.strip())).scalar_one_or_none()
    if exact is not None:
        return exact
    return next((s for s in db.session.execute(db.select(Sponsor)).scalars() if s.name.casefold() == wanted), None)


def check_email(email: str, errors: dict, *, taken_by_other=True) -> str:
    email = clean(email).lower()
    if not EMAIL_RE.match(email) or len(email) > 254:
        errors["email"] = _l("Enter a valid e-mail address.")
    elif taken_by_other and db.session.execute(db.select(User.id).where(User.email == email)).first():
        errors["email"] = _l("A user with the e-mail %(email)s already exists.", email=email)
    return email


def check_password(password, errors: dict) -> str:
    password = password if isinstance(password, str) else ""
    if len(password) < MIN_PASSWORD:
        errors["password"] = _l("The password needs at least %(n)d characters.", n=MIN_PASSWORD)
    elif len(password) > MAX_PASSWORD:
        errors["password"] = _l("The password is longer than %(n)d characters.", n=MAX_PASSWORD)
    return password


def check_affiliation(role: str, site_code: str, sponsor_name: str, errors: dict) -> tuple[Site | None, Sponsor | None]:
    """The site and sponsor a user belongs to: staff of a site, sponsor users of a sponsor, admins of neither."""
    site = sponsor = None
    if role not in ROLES:
        errors["role"] = _l("Unknown role %(role)s; choose one of %(roles)s.", role=role[:20] or "''",
                            roles=", ".join(ROLES))
    if site_code:
        site = db.session.execute(db.select(Site).where(Site.code == site_code[:16])).scalar_one_or_none()
        if site is None:
            errors["site"] = _l("Unknown site %(code)s.", code=site_code[:20])
    if sponsor_name:
        sponsor = find_sponsor(sponsor_name)
        if sponsor is None:
            errors["sponsor"] = _l("Unknown sponsor %(name)s.", name=sponsor_name[:200])
    if role in ("manager", "legal") and not site_code:
        errors["site"] = _l("Site staff need a site (--site).")
    if role == "sponsor" and not sponsor_name:
        errors["sponsor"] = _l("A sponsor user needs a sponsor (--sponsor).")
    if role in ("sponsor", "admin") and site_code:
        errors["site"] = _l("A sponsor user does not belong to a site.") if role == "sponsor" else \
            _l("An administrator does not belong to a site.")
    if role in ("manager", "legal", "admin") and sponsor_name:
        errors["sponsor"] = _l("Staff do not belong to a sponsor.")
    return site, sponsor
