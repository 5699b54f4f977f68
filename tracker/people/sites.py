"""Sites of the network: adding a centre, and changing its legal identity or its calendar.

Sites are data, not code (SPEC 1): a third centre is a new row. A change to a site's time
zone, country or subdivision moves its working days, so the stored deadline fields of its
open tracks are recomputed in the same transaction, as a closure day does.
"""
from __future__ import annotations

import re
from datetime import datetime

from flask_babel import lazy_gettext as _l

from tracker import audit
from tracker.errors import InvalidInput
from tracker.extensions import db
from tracker.models import Site
from tracker.people import identity
from tracker.sla.operations import _refresh_open_tracks, set_whit_monday

CODE_RE = re.compile(r"^[A-Z][A-Z0-9]{1,15}$")
TEXT_LIMITS = {"name": 200, "legal_name": 300, "address": 500, "representative": 200,
               "representative_title": 200, "signatory_name": 200}
FIELDS = ("code", "name", "legal_name", "address", "finess", "siret", "representative", "representative_title",
          "signatory_name", "signatory_email", "timezone", "country", "subdivision", "works_whit_monday")
CALENDAR_FIELDS = ("timezone", "country", "subdivision")


def find_site(code) -> Site | None:
    if not isinstance(code, str) or not code.strip() or len(code) > 16:
        return None
    return db.session.execute(db.select(Site).where(Site.code == code.strip().upper())).scalar_one_or_none()


def _code(value, errors: dict) -> str | None:
    code = value.strip().upper() if isinstance(value, str) else ""
    if not CODE_RE.match(code):
        errors["code"] = _l("Use 2 to 16 capital letters or digits, starting with a letter, such as CLB.")
        return None
    if find_site(code) is not None:
        errors["code"] = _l("A site with the code %(code)s already exists.", code=code)
        return None
    return code


def check_site(data: dict, current: Site | None = None) -> dict:
    """The cleaned values of the fields given (every field for a new site); InvalidInput names each bad one."""
    errors: dict = {}
    present = set(FIELDS) if current is None else set(data) & set(FIELDS)
    if current is not None and "code" in data:
        errors["code"] = _l("A site's code cannot change: contracts and users refer to it.")
    values = {}
    if current is None:
        values["code"] = _code(data.get("code"), errors)
    for name in present & set(TEXT_LIMITS):
        values[name] = identity.text(data, name, errors, TEXT_LIMITS[name], required=name == "name",
                                     multiline=name == "address")
    if "finess" in present:
        values["finess"] = identity.finess(data.get("finess"), errors)
    if "siret" in present:
        values["siret"] = identity.siret(data.get("siret"), errors)
    if "signatory_email" in present:
        values["signatory_email"] = identity.email(data.get("signatory_email"), errors, "signatory_email")
    if "timezone" in present:
        values["timezone"] = identity.time_zone(data.get("timezone") or ("Europe/Paris" if current is None else ""),
                                                errors)
    if "country" in present:
        values["country"] = identity.calendar_country(data.get("country") or ("FR" if current is None else ""),
                                                      errors)
    if "subdivision" in present or ("country" in present and current is not None):
        country = values.get("country", current.country if current else None)
        raw = data.get("subdivision") if "subdivision" in present else current.subdivision
        values["subdivision"] = identity.subdivision(raw, country, errors)
    if "works_whit_monday" in present:
        works = data.get("works_whit_monday", False)
        if not isinstance(works, bool):
            errors["works_whit_monday"] = _l("Expected true or false.")
        values["works_whit_monday"] = works
    if errors:
        raise InvalidInput({k: str(v) for k, v in errors.items()})
    return values


def create_site(data: dict, *, actor: audit.Actor, now: datetime) -> Site:
    """Add a centre to the network; its identity can be completed later."""
    values = check_site(data)
    site = Site(**values)
    db.session.add(site)
    db.session.flush()
    audit.record(actor, "site", site.id, {k: (None, v) for k, v in values.items() if v not in (None, False)},
                 now=now)
    return site


def update_site(site: Site, data: dict, *, actor: audit.Actor, now: datetime) -> dict:
    """Change the fields given, audit each one, and move the open tracks' deadlines if the calendar changed."""
    values = check_site(data, site)
    whit_monday = values.pop("works_whit_monday", site.works_whit_monday)
    changes = audit.diff(site, values, values)
    for field, (_old, new) in changes.items():
        setattr(site, field, new)
    if changes:
        db.session.flush()
        audit.record(actor, "site", site.id, changes, now=now)
        if set(changes) & set(CALENDAR_FIELDS):
            _refresh_open_tracks(site, now)
    if whit_monday != site.works_whit_monday:
        changes["works_whit_monday"] = (site.works_whit_monday, whit_monday)
        set_whit_monday(site, whit_monday, actor=actor, now=now)
    return changes


def all_sites() -> list[Site]:
    return db.session.execute(db.select(Site).order_by(Site.code)).scalars().all()
