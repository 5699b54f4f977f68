"""The trial's regulatory status beside its contract (SPEC 5b): EU CT number, CTIS submission and
authorisation dates, and each site's activation and first patient in.

Unlike the trial's details these keep changing after signature - they are what the fast track is
measured against (signature → activation → first patient) - so staff of a participating site may
record them at any time: the contract's dates by any of them, a site's dates by that site's staff.
Every change is checked against the other dates and audited.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from tracker import audit
from tracker.contracts.input import EU_CT_MESSAGE, LIMITS, valid_eu_ct
from tracker.errors import Forbidden, InvalidInput
from tracker.extensions import db
from tracker.models import Contract
from tracker.people.roles import is_site_staff, takes_part
from tracker.stages import rules
from tracker.timeutil import local_date

CONTRACT_DATES = ("ctis_submitted_on", "authorised_on")
SITE_DATES = ("activated_on", "first_patient_on")
FIELDS = ("eu_ct_number", *CONTRACT_DATES, "site_regulatory")
EARLIEST = date(2000, 1, 1)


def _date(raw: Any, name: str, errors: dict, today: date) -> date | None:
    if raw in (None, ""):
        return None
    try:
        if not isinstance(raw, (str, date)) or (isinstance(raw, str) and len(raw) != 10):
            raise ValueError(raw)
        value = raw if isinstance(raw, date) else date.fromisoformat(raw)
    except ValueError:
        errors[name] = str(_l("Expected a date such as 2026-03-09."))
        return None
    if value > today:
        errors[name] = str(_l("This date cannot be in the future."))
    elif value < EARLIEST:
        errors[name] = str(_l("This date cannot be before %(year)d.", year=EARLIEST.year))
    return value


def signature_day(track) -> date | None:
    """The day a site's agreement was fully signed (its last signature), in its own time zone."""
    moments = [m for m in (track.institution_signed_at, track.investigator_signed_at, track.sponsor_signed_at) if m]
    return local_date(max(moments), track.site.timezone) if track.stage == rules.EXECUTED and moments else None


def parse_regulatory(contract: Contract, data: dict, today: date) -> tuple[dict, dict]:
    """The contract's and each site's new values, checked against each other; InvalidInput names each field."""
    errors: dict[str, str] = {}
    for name in sorted(set(data) - set(FIELDS)):
        errors[name] = str(_l("Unknown field."))
    values: dict[str, Any] = {}
    if "eu_ct_number" in data:
        raw = data["eu_ct_number"]
        if raw not in (None, "") and (not isinstance(raw, str) or len(raw.strip()) > LIMITS["eu_ct_number"]
                                      or not valid_eu_ct(raw.strip())):
            errors["eu_ct_number"] = str(EU_CT_MESSAGE)
        else:
            values["eu_ct_number"] = raw.strip() if isinstance(raw, str) and raw.strip() else None
    for name in CONTRACT_DATES:
        if name in data:
            values[name] = _date(data[name], name, errors, today)
    submitted = values.get("ctis_submitted_on", contract.ctis_submitted_on)
    authorised = values.get("authorised_on", contract.authorised_on)
    if authorised and submitted and authorised < submitted and not errors.keys() & set(CONTRACT_DATES):
        errors["authorised_on"] = str(_l("The authorisation (%(a)s) cannot come before the CTIS submission "
                                         "(%(s)s).", a=authorised.isoformat(), s=submitted.isoformat()))
    sites = _site_values(contract, data.get("site_regulatory"), errors, today, authorised) \
        if "site_regulatory" in data else {}
    if errors:
        raise InvalidInput(errors)
    return values, sites


def _site_values(contract: Contract, raw: Any, errors: dict, today: date, authorised: date | None) -> dict:
    """{track: {field: value}} from ``{SITE: {activated_on?, first_patient_on?}}``."""
    key = "site_regulatory"
    if not isinstance(raw, dict):
        errors[key] = str(_l("Expected an object such as {\"GR\": {\"activated_on\": \"2026-05-04\"}}."))
        return {}
    tracks = {t.site.code: t for t in contract.tracks}
    result = {}
    for code, given in raw.items():
        track = tracks.get(code.strip().upper() if isinstance(code, str) else "")
        where = f"{key}.{str(code)[:20]}"
        if track is None:
            errors[where] = str(_l("%(code)s does not take part in this contract.", code=str(code)[:20]))
            continue
        if not isinstance(given, dict) or set(given) - set(SITE_DATES):
            errors[where] = str(_l("Expected an object with activated_on and first_patient_on."))
            continue
        own = {name: _date(given[name], f"{where}.{name}", errors, today) for name in SITE_DATES if name in given}
        activated = own.get("activated_on", track.activated_on)
        first = own.get("first_patient_on", track.first_patient_on)
        signed = signature_day(track)
        if own.get("activated_on") or own.get("first_patient_on"):
            if signed is None:
                errors[where] = str(_l("%(site)s has not signed its agreement yet: it cannot be activated.",
                                       site=track.site.name))
                continue
        if activated and signed and activated < signed:
            errors[f"{where}.activated_on"] = str(_l(
                "The site cannot be activated (%(a)s) before it signed its agreement (%(s)s).",
                a=activated.isoformat(), s=signed.isoformat()))
        elif activated and authorised and activated < authorised:
            errors[f"{where}.activated_on"] = str(_l(
                "The site cannot be activated (%(a)s) before the trial was authorised (%(s)s).",
                a=activated.isoformat(), s=authorised.isoformat()))
        if first and not activated:
            errors[f"{where}.first_patient_on"] = str(_l("Record the site's activation before its first patient."))
        elif first and activated and first < activated:
            errors[f"{where}.first_patient_on"] = str(_l(
                "The first patient (%(f)s) cannot come before the site's activation (%(a)s).",
                f=first.isoformat(), a=activated.isoformat()))
        result[track] = own
    return result


def update_regulatory(contract: Contract, data: dict, *, actor: audit.Actor, now: datetime) -> dict:
    """Record the regulatory status given; audits each change and returns {field: (old, new)}."""
    if not takes_part(actor, contract):
        raise Forbidden(str(_l("Only staff of the sites taking part may record the regulatory status of "
                               "%(ref)s.", ref=contract.reference)))
    coordinating = contract.coordinating_track or contract.tracks[0]
    values, sites = parse_regulatory(contract, data, local_date(now, coordinating.site.timezone))
    others = [t for t in sites if not is_site_staff(actor, t.site_id)]
    if others:
        raise Forbidden(str(_l("Only staff of %(site)s may record its activation and first patient.",
                               site=others[0].site.name)))
    changes = {name: (getattr(contract, name), value) for name, value in values.items()
               if getattr(contract, name) != value}
    for name, (_old, new) in changes.items():
        setattr(contract, name, new)
    if changes:
        db.session.flush()
        audit.record(actor, "contract", contract.id, changes, now=now, contract_id=contract.id)
    for track, own in sites.items():
        diff = {name: (getattr(track, name), value) for name, value in own.items() if getattr(track, name) != value}
        for name, (_old, new) in diff.items():
            setattr(track, name, new)
            changes[f"site_regulatory.{track.site.code}.{name}"] = diff[name]
        if diff:
            db.session.flush()
            audit.record(actor, "track", track.id, diff, now=now, contract_id=contract.id)
    return changes
