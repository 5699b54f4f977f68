"""Who someone is to a site or a contract: the role rules every feature asks (SPEC 1).

``actor`` is anything with ``role``, ``site_id`` and ``sponsor_id`` (an audit Actor or
a User). These are the only definitions of "staff of this site, or an admin" and its
kin; pipeline permissions, documents, the portal and the pages all call them.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from tracker.errors import Forbidden

STAFF_ROLES = ("admin", "manager", "legal")
SITE_STAFF_ROLES = ("manager", "legal")  # the roles of people who work for one site
# Each role in words, for pages and mails.
ROLE_LABELS = {"admin": _l("Administrator"), "manager": _l("Manager"), "legal": _l("Legal staff"),
               "sponsor": _l("Sponsor user")}


def is_admin(actor) -> bool:
    return getattr(actor, "role", None) == "admin"


def is_staff(actor) -> bool:
    return getattr(actor, "role", None) in STAFF_ROLES


def is_site_staff(actor, site_id: int) -> bool:
    """Legal or manager of this site, or an admin."""
    return is_admin(actor) or (actor.role in SITE_STAFF_ROLES and actor.site_id == site_id)


def require_site_staff(actor, held, refusal=None) -> None:
    """Refuse anyone but staff of the site that ``held`` (a track or a document) belongs to, or an admin.

    ``refusal`` words the act refused, with ``%(site)s`` for the site's name; by default, acting on its track.
    """
    if not is_site_staff(actor, held.site_id):
        refusal = refusal or _l("Only staff of %(site)s can act on its track.")
        raise Forbidden(str(refusal) % {"site": held.site.name})


def is_site_manager(actor, site_id: int) -> bool:
    """A manager of this site, or an admin."""
    return is_admin(actor) or (actor.role == "manager" and actor.site_id == site_id)


def is_contract_sponsor(actor, contract) -> bool:
    """A user of the sponsor company that owns the contract."""
    return actor.role == "sponsor" and actor.sponsor_id is not None and actor.sponsor_id == contract.sponsor_id


def takes_part(actor, contract) -> bool:
    """Staff of a site taking part in the contract, or an admin."""
    return is_admin(actor) or any(is_site_staff(actor, t.site_id) for t in contract.tracks)
