"""Inviting people, and the one-time links that let a person choose a password.

Staff of a site taking part in one of a sponsor's contracts, or an admin, invite a
contact of that sponsor by e-mail; admins also invite people of every role
(``people.users``). The account exists at once (without a usable password) and the
mail carries a link valid for 7 days. The same kind of link resets a forgotten
password. Only a link's SHA-256 is stored; it works once, and a newer link of the
same kind, a disabled account or a used link voids it.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker import audit
from tracker.errors import InvalidInput, NotFound
from tracker.extensions import db
from tracker.mail import queue as outbox
from tracker.mail.render import base_url
from tracker.models import AccountLink, Contract, Sponsor, Track, User
from tracker.people import accounts
from tracker.people.input import check_email, clean
from tracker.people.passwords import hash_password
from tracker.people.roles import ROLE_LABELS, SITE_STAFF_ROLES, is_admin

LINK_LIFETIME = timedelta(days=7)
PATHS = {"invite": "/account/welcome/", "reset": "/account/reset/"}
# A second reset request within this time sends nothing more (the first mail is on its way).
RESET_QUIET = timedelta(minutes=2)


@dataclass(frozen=True)
class Issued:
    user: User
    link: AccountLink
    token: str  # the only copy; it goes into the mail


class LinkUnusable(Exception):
    """A link that does not open anything: ``reason`` is unknown, used, expired or voided."""

    def __init__(self, reason: str, link: AccountLink | None = None):
        super().__init__(reason)
        self.reason = reason
        self.link = link


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# -- who may invite for which sponsor ----------------------------------------------------------------------
def manageable_sponsors(actor):
    """A select of the sponsors whose contacts this person may invite: all for an admin, else those
    with a contract at the person's site."""
    stmt = db.select(Sponsor).order_by(Sponsor.name)
    if is_admin(actor):
        return stmt
    if getattr(actor, "role", None) not in SITE_STAFF_ROLES or actor.site_id is None:
        return stmt.where(db.false())
    # EXISTS, correlated on the sponsor: it stops at the sponsor's first contract at the site, where an
    # IN list would first collect the sponsors of every track of the site (90,000 at network scale).
    at_site = db.select(Contract.id).join(Track, Track.contract_id == Contract.id).where(
        Contract.sponsor_id == Sponsor.id, Track.site_id == actor.site_id)
    return stmt.where(at_site.exists())


def may_manage(actor, sponsor_id: int) -> bool:
    return db.session.execute(manageable_sponsors(actor).where(Sponsor.id == sponsor_id)).first() is not None


def managed_user(actor, user_id: int) -> User:
    """A sponsor contact this person may re-invite or disable; NotFound for anyone else."""
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or user.role != "sponsor" or user.sponsor_id is None or not may_manage(actor, user.sponsor_id):
        raise NotFound(str(_l("No such sponsor contact.")))
    return user


def pending_ids(user_ids: list[int]) -> set[int]:
    """Those of these users who were invited and have not yet chosen a password."""
    if not user_ids:
        return set()
    invited = set(db.session.execute(db.select(AccountLink.user_id).where(
        AccountLink.user_id.in_(user_ids), AccountLink.purpose == "invite")).scalars())
    accepted = set(db.session.execute(db.select(AccountLink.user_id).where(
        AccountLink.user_id.in_(user_ids), AccountLink.used_at.is_not(None))).scalars())
    return invited - accepted


# -- issuing links -----------------------------------------------------------------------------------------
def _issue(user: User, purpose: str, *, actor: audit.Actor, now: datetime) -> Issued:
    accounts.void_links(user, now=now, purpose=purpose)
    _forget_mails(user, purpose)
    token = secrets.token_urlsafe(32)
    link = AccountLink(user_id=user.id, purpose=purpose, token_hash=_hash(token), created_at=now,
                       expires_at=now + LINK_LIFETIME, created_by_id=actor.user_id)
    db.session.add(link)
    db.session.flush()
    audit.record(actor, "account_link", link.id, {"user": (None, user.email), "purpose": (None, purpose)}, now=now)
    _mail(user, link, token, actor, now)
    return Issued(user, link, token)


def _subject(v: dict) -> str:
    if v["purpose"] == "invite" and v["audience"] == "sponsor":
        return _("Your access to the fast-track contract tracker for %(sponsor)s", sponsor=v["sponsor"])
    if v["purpose"] == "invite":
        return _("Your access to the fast-track contract tracker")
    return _("Choose a new password for the fast-track contract tracker")


def _mail(user: User, link: AccountLink, token: str, actor: audit.Actor, now: datetime) -> None:
    inviter = db.session.get(User, actor.user_id) if actor.user_id and actor.user_id != user.id else None
    values = {
        "purpose": link.purpose, "link": base_url() + PATHS[link.purpose] + token,
        "expires_at": link.expires_at, "inviter": inviter.name if inviter else None,
        "inviter_site": inviter.site.name if inviter and inviter.site else None,
        "sponsor": user.sponsor.name if user.sponsor else "", "audience": "sponsor" if user.sponsor else "staff",
        "role": ROLE_LABELS.get(user.role, user.role), "own_site": user.site.name if user.site else None,
        "site": user.site.name if user.site else "Gustave Roussy · Institut Bergonié",  # the mail's footer
    }
    outbox.queue("invitation" if link.purpose == "invite" else "password_reset", f"{link.purpose}:{link.id}",
                  [user], "account_link", values, _subject, now=now)


def _forget_mails(user: User, purpose: str) -> None:
    """Once a link is spent or replaced, its mail leaves the outbox (``tracker.mail.queue.forget``): the
    database does not keep the link longer than it is needed."""
    outbox.forget(recipient_id=user.id, kind="invitation" if purpose == "invite" else "password_reset")


def invite_user(user: User, *, actor: audit.Actor, now: datetime) -> Issued:
    """E-mail a just-created account of any role its invitation to choose a password."""
    return _issue(user, "invite", actor=actor, now=now)


def invite(data: dict, *, actor: audit.Actor, now: datetime) -> Issued:
    """Create a sponsor contact's account and e-mail their invitation; re-invite one still pending."""
    errors: dict = {}
    name = clean(data.get("name"))
    if not name:
        errors["name"] = str(_l("A name is required."))
    elif len(name) > 200:
        errors["name"] = str(_l("At most %(n)d characters.", n=200))
    email = check_email(data.get("email"), errors, taken_by_other=False)
    raw_sponsor = data.get("sponsor_id")
    sponsor_id = int(raw_sponsor) if isinstance(raw_sponsor, (int, str)) and str(raw_sponsor).isdigit() \
        and len(str(raw_sponsor)) < 10 else None
    sponsor = db.session.get(Sponsor, sponsor_id) if sponsor_id else None
    if sponsor is None or not may_manage(actor, sponsor.id):
        errors["sponsor_id"] = str(_l("Choose a sponsor whose contracts your site takes part in."))
    language = data.get("language") or None
    if language not in (None, "fr", "en"):
        errors["language"] = str(_l("Choose fr or en."))
    existing = db.session.execute(db.select(User).where(User.email == email)).scalar_one_or_none() \
        if "email" not in errors else None
    if existing is not None and not errors:
        if existing.role == "sponsor" and existing.sponsor_id == sponsor.id and existing.id in pending_ids([existing.id]):
            return resend(existing, actor=actor, now=now)
        errors["email"] = str(_l("A user with the e-mail %(email)s already exists.", email=email))
    if errors:
        raise InvalidInput(errors)
    user = User(email=email, name=name, role="sponsor", sponsor=sponsor, language=language, active=True,
                password_hash=hash_password(secrets.token_urlsafe(32)), created_at=now)
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user", user.id, {"email": (None, email), "role": (None, "sponsor"),
                                          "sponsor": (None, sponsor.name), "invited": (None, True)}, now=now)
    return _issue(user, "invite", actor=actor, now=now)


def resend(user: User, *, actor: audit.Actor, now: datetime) -> Issued:
    """A fresh invitation (or, once the person has a password, a reset link); the old link stops working."""
    if not user.active:
        raise InvalidInput({"user": str(_l("%(email)s is disabled; enable the account first.", email=user.email))})
    purpose = "invite" if user.id in pending_ids([user.id]) else "reset"
    return _issue(user, purpose, actor=actor, now=now)


def request_reset(email, *, now: datetime) -> Issued | None:
    """E-mail a reset link to an active account with this address; None (and nothing sent) otherwise.

    The caller answers the same either way, so the form cannot tell who has an account.
    """
    address = clean(email).lower()[:254]
    user = db.session.execute(db.select(User).where(User.email == address)).scalar_one_or_none()
    if user is None or not user.active:
        return None
    recent = db.session.execute(db.select(AccountLink.id).where(
        AccountLink.user_id == user.id, AccountLink.created_at > now - RESET_QUIET, AccountLink.expires_at > now,
        AccountLink.used_at.is_(None), AccountLink.voided_at.is_(None)).limit(1)).first()
    if recent is not None:
        return None
    purpose = "invite" if user.id in pending_ids([user.id]) else "reset"
    return _issue(user, purpose, actor=audit.Actor.of(user), now=now)


# -- using links -------------------------------------------------------------------------------------------
def find_link(token, purpose: str, now: datetime) -> AccountLink:
    """The usable link behind a token, else LinkUnusable saying why."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        raise LinkUnusable("unknown")
    link = db.session.execute(db.select(AccountLink).where(
        AccountLink.token_hash == _hash(token))).scalar_one_or_none()
    if link is None or link.purpose != purpose:
        raise LinkUnusable("unknown")
    if link.used_at is not None:
        raise LinkUnusable("used", link)
    if link.voided_at is not None or not link.user.active:
        raise LinkUnusable("voided", link)
    if now >= link.expires_at:
        raise LinkUnusable("expired", link)
    return link


def use_link(token, purpose: str, password, *, now: datetime) -> User:
    """Set the password through a one-time link and spend it; the caller then signs the person in."""
    link = find_link(token, purpose, now)
    user = link.user
    actor = audit.Actor.of(user)
    accounts.set_password(user, password, actor=actor, now=now)
    link.used_at = now
    accounts.void_links(user, now=now)
    _forget_mails(user, purpose)
    audit.record(actor, "account_link", link.id, {"used_at": (None, now)}, now=now)
    return user


def renew(token, *, now: datetime) -> Issued | None:
    """A new link for the person an unusable link was sent to (the page offers it); None if there is none."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    link = db.session.execute(db.select(AccountLink).where(
        AccountLink.token_hash == _hash(token))).scalar_one_or_none()
    if link is None:
        return None
    return request_reset(link.user.email, now=now)
