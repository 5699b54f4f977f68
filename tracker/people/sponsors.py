"""Sponsor companies: their legal identity and contacts, who may change them, and the changes.

Each operation validates every field at once (InvalidInput names each bad one), writes,
audits field by field and flushes, in the caller's transaction.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from tracker import audit
from tracker.errors import Forbidden, InvalidInput
from tracker.extensions import db
from tracker.models import Contract, Sponsor, SponsorContact, Track
from tracker.people import identity
from tracker.people.input import find_sponsor
from tracker.people.roles import is_admin

# Every field of a sponsor's legal identity, as the API and the forms name them.
IDENTITY_FIELDS = ("name", "country", "legal_name", "legal_form", "share_capital", "registration_number", "rcs_city",
                   "address", "vat_number", "representative", "representative_title", "language")
FIELDS = frozenset(IDENTITY_FIELDS) | {"contacts"}
LIMITS = {"name": 200, "legal_name": 300, "legal_form": 100, "address": 500, "representative": 200,
          "representative_title": 200, "share_capital": 100, "rcs_city": 100}
MAX_CONTACTS = 50


def _identity(data: dict, current: Sponsor | None, errors: dict) -> dict:
    """The cleaned values of the fields present in ``data`` (all of them for a new sponsor).

    The registration number and VAT number are checked against the country and SIREN the
    sponsor will have after the change, so changing the country re-checks a stored number.
    """
    present = set(IDENTITY_FIELDS) if current is None else set(data) & set(IDENTITY_FIELDS)
    values = {}
    for name in present & set(LIMITS):
        values[name] = identity.text(data, name, errors, LIMITS[name], required=name == "name",
                                     multiline=name == "address")
    if "name" in values and values["name"]:
        other = find_sponsor(values["name"])
        if other is not None and other is not current:
            errors["name"] = _l("A sponsor named %(name)s already exists.", name=values["name"])
    if "country" in present:
        values["country"] = identity.country(data.get("country"), errors)
    if "language" in present:
        values["language"] = identity.language(data.get("language"), errors)
    country = values.get("country", current.country if current else None)
    if "registration_number" in present or ("country" in present and current is not None):
        raw = data.get("registration_number") if "registration_number" in present else current.registration_number
        values["registration_number"] = identity.registration_number(raw, country, errors)
    if "vat_number" in present or "registration_number" in values:
        siren = values.get("registration_number") if country == "FR" else None
        raw = data.get("vat_number") if "vat_number" in present else (current.vat_number if current else None)
        values["vat_number"] = identity.vat_number(raw, siren, errors)
    return values


def _contacts(rows, errors: dict) -> list[dict] | None:
    """A sponsor's contacts: each needs a name; e-mail and phone are checked when given."""
    if rows is None:
        return None
    if not isinstance(rows, list) or len(rows) > MAX_CONTACTS:
        errors["contacts"] = _l("Expected a list of at most %(n)d contacts with name, email, role and phone.",
                                n=MAX_CONTACTS)
        return None
    cleaned = []
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            errors["contacts"] = _l("Contact %(n)d is not an object with name, email, role and phone.", n=number)
            return None
        mine: dict = {}
        contact = {"name": identity.text(row, "name", mine, 200, required=True),
                   "email": identity.email(row.get("email"), mine),
                   "role": identity.text(row, "role", mine, 100),
                   "phone": identity.phone(row.get("phone"), mine)}
        for field, message in mine.items():
            errors[f"contacts.{number}.{field}"] = _l("Contact %(n)d: %(problem)s", n=number, problem=message)
        cleaned.append(contact)
    return cleaned


def check_sponsor(data: dict, current: Sponsor | None = None) -> tuple[dict, list[dict] | None]:
    """Validate a new sponsor or a change; raise InvalidInput naming every bad field."""
    errors: dict = {}
    values = _identity(data, current, errors)
    contacts = _contacts(data.get("contacts"), errors)
    if errors:
        raise InvalidInput({k: str(v) for k, v in errors.items()})
    return values, contacts


def create_sponsor(data: dict, *, actor: audit.Actor, now: datetime) -> Sponsor:
    """Register a sponsor company with its legal identity; names are unique regardless of case."""
    values, contacts = check_sponsor(data)
    sponsor = Sponsor(created_at=now, **values)
    db.session.add(sponsor)
    db.session.flush()
    audit.record(actor, "sponsor", sponsor.id, {k: (None, v) for k, v in values.items() if v is not None}, now=now)
    _replace_contacts(sponsor, contacts or [], actor=actor, now=now)
    return sponsor


def update_sponsor(sponsor: Sponsor, data: dict, *, actor: audit.Actor, now: datetime) -> dict:
    """Change the fields given; returns the changes as {field: (old, new)}."""
    if not may_edit_sponsor(actor, sponsor):
        raise Forbidden(str(_l("Only an administrator, or staff of a site working with %(name)s, may change it.",
                               name=sponsor.name)))
    values, contacts = check_sponsor(data, sponsor)
    changes = audit.diff(sponsor, values, values)
    for field, (_old, new) in changes.items():
        setattr(sponsor, field, new)
    if changes:
        db.session.flush()
        audit.record(actor, "sponsor", sponsor.id, changes, now=now)
    if contacts is not None:
        changes.update(_replace_contacts(sponsor, contacts, actor=actor, now=now))
    return changes


def _replace_contacts(sponsor: Sponsor, wanted: list[dict], *, actor, now) -> dict:
    """Make the sponsor's contacts the ``wanted`` list, in order, auditing each row changed."""
    changes = {}
    existing = list(sponsor.contacts)
    for index, values in enumerate(wanted):
        if index < len(existing):
            row = existing[index]
            diff = audit.diff(row, values, values)
            for field, (_old, new) in diff.items():
                setattr(row, field, new)
        else:
            row = SponsorContact(sponsor=sponsor, **values)
            db.session.add(row)
            diff = {"sponsor": (None, sponsor.id), **{k: (None, v) for k, v in values.items() if v is not None}}
        if diff:
            db.session.flush()
            audit.record(actor, "sponsor_contact", row.id, diff, now=now)
            changes[f"contacts.{index + 1}"] = (None, values["name"])
    for row in existing[len(wanted):]:
        audit.record(actor, "sponsor_contact", row.id, {"name": (row.name, None), "email": (row.email, None)},
                     now=now)
        changes[f"contacts.{row.id}"] = (row.name, None)
        sponsor.contacts.remove(row)
    db.session.flush()
    return changes


def may_edit_sponsor(actor, sponsor: Sponsor) -> bool:
    """An admin, or legal/manager staff of a site taking part in one of the sponsor's contracts."""
    if is_admin(actor):
        return True
    if getattr(actor, "role", None) not in ("legal", "manager") or actor.site_id is None:
        return False
    return db.session.execute(
        db.select(Contract.id).join(Track, Track.contract_id == Contract.id)
        .where(Contract.sponsor_id == sponsor.id, Track.site_id == actor.site_id).limit(1)).first() is not None


def editable_sponsors(actor, stmt=None):
    """Restrict a select of Sponsor to those this person may change."""
    stmt = stmt if stmt is not None else db.select(Sponsor)
    if is_admin(actor):
        return stmt
    if getattr(actor, "role", None) not in ("legal", "manager") or actor.site_id is None:
        return stmt.where(db.false())
    theirs = db.select(Contract.sponsor_id).join(Track, Track.contract_id == Contract.id).where(
        Track.site_id == actor.site_id)
    return stmt.where(Sponsor.id.in_(theirs))


def search_sponsors(stmt, q: str):
    """Sponsors whose name or legal name contains ``q`` (any case), by name."""
    if q:
        like = "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(db.or_(db.func.lower(Sponsor.name).like(like, escape="\\"),
                                 db.func.lower(db.func.coalesce(Sponsor.legal_name, "")).like(like, escape="\\")))
    return stmt.order_by(Sponsor.name)


def unknown_fields(data: dict, allowed=FIELDS) -> None:
    """Refuse a request body naming fields a sponsor does not have (a typo would be lost silently)."""
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise InvalidInput({name: str(_l("Unknown field.")) for name in unknown})
