"""Who someone is to a site or a contract: the role rules every feature asks (SPEC 1).

``actor`` is anything with ``role``, ``site_id`` and ``sponsor_id`` (an audit Actor or
a User). These are the only definitions of "staff of this site, or an admin" and its
kin; pipeline permissions, documents, the portal and the pages all call them.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

STAFF_ROLES = ("admin", "manager", "legal")
SITE_ROLES = ("manager", "legal")
# Each role in words, for pages and mails.
ROLE_LABELS = {"admin": _l("Administrator"), "manager": _l("Manager"), "legal": _l("Legal staff"),
               "sponsor": _l("Sponsor user")}


def is_admin(actor) -> bool:
    return getattr(actor, "role", None) == "admin"


def is_staff(actor) -> bool:
    return getattr(actor, "role", None) in STAFF_ROLES


def is_site_staff(actor, site_id: int) -> bool:
    """Legal or manager of this site, or an admin."""
    return is_admin(actor) or (actor.role in SITE_ROLES and actor.site_id == site_id)


def is_site_manager(actor, site_id: int) -> bool:
    """A manager of this site, or an admin."""
    return is_admin(actor) or (actor.role == "manager" and actor.site_id == site_id)


def is_contract_sponsor(actor, contract) -> bool:
    """A user of the sponsor company that owns the contract."""
    return actor.role == "sponsor" and actor.sponsor_id is not None and actor.sponsor_id == contract.sponsor_id


def takes_part(actor, contract) -> bool:
    """Staff of a site taking part in the contract, or an admin."""
    return is_admin(actor) or any(is_site_staff(actor, t.site_id) for t in contract.tracks)
