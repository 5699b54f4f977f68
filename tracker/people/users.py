"""Administering people: finding them, creating an account by invitation, and changing a role.

Only admins administer people (SPEC 1). Each change is one operation that checks every field
at once (InvalidInput names each bad one), writes, audits and flushes in the caller's
transaction; disabling and enabling are ``accounts``', links are ``invitations``'. Nobody changes
their own role: an admin who could would be the one person no other admin can overrule, and a
page that let anyone do it would let them give themselves rights.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from tracker import audit
from tracker.errors import Forbidden, InvalidInput
from tracker.extensions import db
from tracker.models import Site, Sponsor, User
from tracker.models.people import ROLES
from tracker.people import accounts, invitations
from tracker.people.input import check_email, clean, find_sponsor
from tracker.people.passwords import hash_password
from tracker.people.roles import SITE_STAFF_ROLES, is_admin
from tracker.text_rules import bad_character, refusal

STATES = ("active", "disabled")
MAX_NAME = 200
MAX_QUERY = 100


@dataclass(frozen=True)
class UserFilters:
    """What the users list is narrowed to; empty values narrow nothing."""

    q: str = ""
    role: str = ""
    site: str = ""  # a site's code
    sponsor_id: int | None = None
    state: str = ""  # "active" or "disabled"

    def query_args(self) -> dict:
        """The filters as query parameters, for links (pages) that keep them."""
        values = {"q": self.q, "role": self.role, "site": self.site, "sponsor_id": self.sponsor_id,
                  "state": self.state}
        return {name: value for name, value in values.items() if value}


def read_filters(args) -> UserFilters:
    """The filters in a query string; a value no list could have (a tampered link) is left out."""
    role = clean(args.get("role"))
    site = clean(args.get("site")).upper()[:16]
    raw_sponsor = clean(args.get("sponsor_id"))
    state = clean(args.get("state"))
    return UserFilters(q=clean(args.get("q"))[:MAX_QUERY], role=role if role in ROLES else "",
                       site=site if site.isascii() and site.isalnum() else "",
                       sponsor_id=int(raw_sponsor) if raw_sponsor.isdigit() and len(raw_sponsor) < 10 else None,
                       state=state if state in STATES else "")


def _like(text: str) -> str:
    return "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def users_matching(filters: UserFilters):
    """A select of the users the filters match, by name then e-mail, with their site and sponsor loaded."""
    stmt = db.select(User).options(selectinload(User.site), selectinload(User.sponsor))
    if filters.q:
        like = _like(filters.q)
        stmt = stmt.where(db.or_(db.func.lower(User.name).like(like, escape="\\"),
                                 db.func.lower(User.email).like(like, escape="\\")))
    if filters.role:
        stmt = stmt.where(User.role == filters.role)
    if filters.site:
        stmt = stmt.where(User.site_id.in_(db.select(Site.id).where(Site.code == filters.site)))
    if filters.sponsor_id is not None:
        stmt = stmt.where(User.sponsor_id == filters.sponsor_id)
    if filters.state:
        stmt = stmt.where(User.active.is_(filters.state == "active"))
    return stmt.order_by(db.func.lower(User.name), User.email)


def sponsors_with_users() -> list[Sponsor]:
    """The sponsors some user belongs to: the choices of the list's sponsor filter."""
    return db.session.execute(db.select(Sponsor).where(Sponsor.id.in_(
        db.select(User.sponsor_id).where(User.sponsor_id.is_not(None)))).order_by(Sponsor.name)).scalars().all()


# -- the fields a person is created or changed with ---------------------------------------------------------
def _name(data: dict, errors: dict) -> str:
    name = clean(data.get("name"))
    if not name:
        errors["name"] = str(_l("A name is required."))
    elif len(name) > MAX_NAME:
        errors["name"] = str(_l("At most %(n)d characters.", n=MAX_NAME))
    elif bad_character(name):
        errors["name"] = str(refusal(bad_character(name)))
    return name


def _affiliation(data: dict, errors: dict) -> tuple[str, Site | None, Sponsor | None]:
    """The role, and the site (legal staff and managers) or sponsor (sponsor users) it goes with."""
    role = clean(data.get("role"))
    site_code = clean(data.get("site")).upper()
    sponsor_name = clean(data.get("sponsor"))
    site = sponsor = None
    if role not in ROLES:
        errors["role"] = str(_l("Choose a role."))
    if site_code:
        site = db.session.execute(db.select(Site).where(Site.code == site_code[:16])).scalar_one_or_none()
        if site is None:
            errors["site"] = str(_l("No site has the code %(code)s.", code=site_code[:16]))
    if sponsor_name:
        sponsor = find_sponsor(sponsor_name[:MAX_NAME]) if not bad_character(sponsor_name) else None
        if sponsor is None:
            errors["sponsor"] = str(_l("No sponsor is called %(name)s; create it first on the Sponsors page.",
                                       name=sponsor_name[:MAX_NAME]))
    if role in SITE_STAFF_ROLES and not site_code:
        errors["site"] = str(_l("Legal staff and managers work at a site: choose it."))
    elif role in ("admin", "sponsor") and site_code:
        errors["site"] = str(_l("Only legal staff and managers belong to a site; leave it empty."))
    if role == "sponsor" and not sponsor_name:
        errors["sponsor"] = str(_l("A sponsor user works for a sponsor: name it."))
    elif role in ROLES and role != "sponsor" and sponsor_name:
        errors["sponsor"] = str(_l("Only sponsor users belong to a sponsor; leave it empty."))
    return role, site, sponsor


def _only_admins(actor: audit.Actor) -> None:
    if not is_admin(actor):
        raise Forbidden(str(_l("Only an administrator manages users.")))


# -- operations ---------------------------------------------------------------------------------------------
def create_invited_user(data: dict, *, actor: audit.Actor, now: datetime) -> invitations.Issued:
    """Create a person with a role and e-mail them a one-time link to choose their password.

    The account exists at once without a usable password. ``language`` (fr or en) is the
    language of their mails; the pages follow the browser until they choose one.
    """
    _only_admins(actor)
    errors: dict = {}
    name = _name(data, errors)
    email = check_email(data.get("email"), errors)
    role, site, sponsor = _affiliation(data, errors)
    language = data.get("language") or None
    if language not in (None, "fr", "en"):
        errors["language"] = str(_l("Choose fr or en."))
    if errors:
        raise InvalidInput({field: str(message) for field, message in errors.items()})
    user = User(email=email, name=name, role=role, site=site, sponsor=sponsor, language=language, active=True,
                password_hash=hash_password(secrets.token_urlsafe(32)), created_at=now)
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user", user.id, {
        "email": (None, email), "name": (None, name), "role": (None, role),
        "site": (None, site.code if site else None), "sponsor": (None, sponsor.name if sponsor else None),
        "invited": (None, True)}, now=now)
    return invitations.invite_user(user, actor=actor, now=now)


def change_role(user: User, data: dict, *, actor: audit.Actor, now: datetime) -> dict:
    """Change a person's role, and with it their site or sponsor; return the audited changes.

    The new rights apply to their next request: sessions and tokens read the role afresh.
    An admin cannot change their own role.
    """
    _only_admins(actor)
    errors: dict = {}
    role, site, sponsor = _affiliation(data, errors)
    if user.id == actor.user_id and "role" not in errors and (
            role != user.role or site is not user.site or sponsor is not user.sponsor):
        errors["role"] = str(_l("You cannot change your own role; another administrator can."))
    if errors:
        raise InvalidInput(errors)
    changes = {}
    if role != user.role:
        changes["role"] = (user.role, role)
    if site is not user.site:
        changes["site"] = (user.site.code if user.site else None, site.code if site else None)
    if sponsor is not user.sponsor:
        changes["sponsor"] = (user.sponsor.name if user.sponsor else None, sponsor.name if sponsor else None)
    if not changes:
        return {}
    user.role, user.site, user.sponsor = role, site, sponsor
    accounts.revoke_feeds(user, actor=actor, now=now)  # a feed shows a site's dates: issued for the old role
    db.session.flush()
    audit.record(actor, "user", user.id, changes, now=now)
    return changes
