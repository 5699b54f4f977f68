"""The rules for a contract's fields, shared by the web forms, the API and the demo data."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from tracker.contracts.budget import parse_budget
from tracker.contracts.site_details import parse_site_details
from tracker.database import MAX_ID
from tracker.errors import InvalidInput
from tracker.extensions import db
from tracker.models import Site, Sponsor
from tracker.models.contracts import PHASES
from tracker.text_rules import text_field

# EU CT numbers (CTIS, from 2022): year, a six-digit number starting with 5, two two-digit groups.
EU_CT_RE = re.compile(r"^(20[2-9]\d)-5\d{5}-\d{2}-\d{2}$")
EU_CT_MESSAGE = _l("Expected an EU CT number: the year (2022 or later), six digits starting with 5, then two "
                   "groups of two digits, such as 2024-512345-21-00.")
KNOWN_FIELDS = {
    "sponsor_id", "title", "protocol_number", "phase", "coordinating_site", "sites", "received_on",
    "acronym", "eu_ct_number", "indication", "patients", "budget", "investigator", "investigators", "site_details",
    "cro", "language",
}
# What the edit page may change until the terms are agreed; sites and sponsor stay as created.
DETAIL_FIELDS = ("title", "acronym", "protocol_number", "eu_ct_number", "phase", "indication", "patients",
                 "budget", "cro", "language")
# The languages an agreement is written in (SPEC 5d); French unless the contract says otherwise.
LANGUAGES = ("fr", "en")
LIMITS = {"title": 500, "protocol_number": 100, "acronym": 50, "indication": 300, "investigator": 200,
          "eu_ct_number": 30, "cro": 300}
EARLIEST_RECEIVED = date(2000, 1, 1)


def valid_eu_ct(value: str) -> bool:
    match = EU_CT_RE.match(value)
    return bool(match) and int(match.group(1)) >= 2022


@dataclass
class ContractDraft:
    sponsor: Sponsor
    title: str
    protocol_number: str
    phase: str
    coordinating_site: Site
    associated_sites: list[Site]
    received_on: date
    acronym: str | None = None
    eu_ct_number: str | None = None
    indication: str | None = None
    patients: int | None = None
    cro: str | None = None
    investigator: str | None = None
    budget: list[dict] = field(default_factory=list)
    language: str = "fr"
    # The principal investigator of each participating site, by site code.
    investigators: dict[str, str] = field(default_factory=dict)
    # Each site's own figures and investigator identity, by site code (SPEC 5b site_details).
    site_details: dict[str, dict] = field(default_factory=dict)


def _text(data: dict, name: str, errors: dict, required: bool = False) -> str | None:
    """Trimmed text within the field's limit (``LIMITS``, else 200 characters)."""
    return text_field(data, name, errors, limit=LIMITS.get(name, 200), required=required)


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _site(code: Any) -> Site | None:
    if not isinstance(code, str) or not code.strip():
        return None
    return db.session.execute(db.select(Site).where(Site.code == code.strip().upper())).scalar_one_or_none()


def _sponsor(data: dict, errors: dict) -> Sponsor | None:
    raw = data.get("sponsor_id")
    if raw in (None, ""):
        errors["sponsor_id"] = _l("This field is required.")
        return None
    sponsor_id = _integer(raw)
    if sponsor_id is None or not 1 <= sponsor_id <= MAX_ID:  # what an id column holds on every engine
        errors["sponsor_id"] = _l("Expected the numeric id of a sponsor.")
        return None
    sponsor = db.session.get(Sponsor, sponsor_id)
    if sponsor is None:
        errors["sponsor_id"] = _l("Unknown sponsor %(id)s.", id=sponsor_id)
    return sponsor


def _sites(data: dict, errors: dict, associated_only: bool) -> tuple[Site | None, list[Site]]:
    """The coordinating site and the associated ones.

    The API's ``sites`` may list the coordinator too (it takes part); a form's "associated
    sites" may not, since ticking it there says something that cannot be true.
    """
    coordinating = None
    code = data.get("coordinating_site")
    if code in (None, ""):
        errors["coordinating_site"] = _l("This field is required.")
    else:
        coordinating = _site(code)
        if coordinating is None:
            errors["coordinating_site"] = _l("Unknown site %(code)s.", code=str(code)[:20])
    sites = data.get("sites")
    if sites in (None, ""):
        sites = []
    if not isinstance(sites, list) or not all(isinstance(s, str) for s in sites):
        errors["sites"] = _l("Expected a list of site codes.")
        return coordinating, []
    found = [(s, _site(s)) for s in sites]
    unknown = [s[:20] for s, site in found if site is None]
    if unknown:
        errors["sites"] = _l("Unknown site(s): %(codes)s.", codes=", ".join(unknown))
        return coordinating, []
    if associated_only and coordinating is not None and any(site.id == coordinating.id for _c, site in found):
        errors["sites"] = _l("%(site)s is the coordinating site; it cannot also be an associated site.",
                             site=coordinating.name)
    associated, seen = [], {coordinating.id} if coordinating else set()
    for _code, site in found:
        if site.id not in seen:
            seen.add(site.id)
            associated.append(site)
    return coordinating, associated


def _investigators(data: dict, errors: dict, taking_part: list[Site]) -> dict[str, str]:
    """{SITE: name} for sites that take part; the older ``investigator`` names the coordinator's."""
    raw = data.get("investigators")
    if raw in (None, ""):
        raw = {}
    if not isinstance(raw, dict):
        errors["investigators"] = _l("Expected an object such as {\"GR\": \"Dr Claire Martin\"}.")
        return {}
    codes = {site.code: site for site in taking_part}
    names, problems = {}, []
    for code, name in raw.items():
        site_code = code.strip().upper() if isinstance(code, str) else ""
        if site_code not in codes:
            problem = str(_l("%(code)s does not take part in this contract", code=str(code)[:20]))
            problems.append(problem)
            if site_code:
                errors[f"investigators.{site_code}"] = problem  # beside that site's line on the form
        elif name in (None, ""):
            continue
        elif not isinstance(name, str) or not name.strip() or len(name.strip()) > LIMITS["investigator"] \
                or "\n" in name:
            problems.append(str(_l("the investigator of %(code)s is a name of at most %(n)d characters",
                                   code=site_code, n=LIMITS["investigator"])))
        else:
            names[site_code] = name.strip()
    if problems:
        errors["investigators"] = "; ".join(problems)
    single = _text(data, "investigator", errors)
    if single and taking_part:
        names.setdefault(taking_part[0].code, single)
    return names


def _received_on(data: dict, errors: dict, today: date) -> date | None:
    raw = data.get("received_on")
    if raw in (None, ""):
        errors["received_on"] = _l("This field is required.")
        return None
    try:
        received_on = raw if isinstance(raw, date) else date.fromisoformat(str(raw))
    except ValueError:
        errors["received_on"] = _l("Expected a date such as 2026-03-09.")
        return None
    if received_on > today:
        errors["received_on"] = _l("The date of receipt cannot be in the future.")
    elif received_on < EARLIEST_RECEIVED:
        errors["received_on"] = _l("The date of receipt cannot be before %(year)d.", year=EARLIEST_RECEIVED.year)
    return received_on


def _patients(data: dict, errors: dict) -> int | None:
    if data.get("patients") in (None, ""):
        return None
    patients = _integer(data.get("patients"))
    if patients is None or not 1 <= patients <= 100_000:
        errors["patients"] = _l("Expected a whole number of patients between 1 and 100000.")
        return None
    return patients


def _details(data: dict, errors: dict, present) -> dict:
    """The trial's details among ``present``: text fields, phase, EU CT number, patients and budget."""
    values: dict[str, Any] = {}
    for name in ("title", "protocol_number"):
        if name in present:
            values[name] = _text(data, name, errors, required=True)
    for name in ("acronym", "indication", "cro"):
        if name in present:
            values[name] = _text(data, name, errors)
    if "phase" in present:
        phase = data.get("phase")
        if phase in (None, ""):
            errors["phase"] = _l("This field is required.")
        elif phase not in PHASES:
            errors["phase"] = _l("Unknown phase; choose one of %(phases)s.", phases=", ".join(PHASES))
        values["phase"] = phase
    if "eu_ct_number" in present:
        eu_ct = _text(data, "eu_ct_number", errors)
        if eu_ct and not valid_eu_ct(eu_ct):
            errors["eu_ct_number"] = EU_CT_MESSAGE
        values["eu_ct_number"] = eu_ct
    if "patients" in present:
        values["patients"] = _patients(data, errors)
    if "budget" in present:
        values["budget"] = parse_budget(data.get("budget"), errors)
    if "language" in present:
        values["language"] = _language(data.get("language"), errors)
    return values


def default_language(sponsor) -> str:
    """The language of a new contract's agreements when none is chosen: the sponsor's, else French for a French
    sponsor (and for one being created with the contract), English for another."""
    language = getattr(sponsor, "language", None)
    if language in LANGUAGES:
        return language
    return "fr" if (getattr(sponsor, "country", None) or "FR") == "FR" else "en"


def _language(value: Any, errors: dict) -> str:
    """The language of the agreements to sign: fr or en (parse_contract fills in the default when not given)."""
    if value in (None, ""):
        return "fr"
    if value not in LANGUAGES:
        errors["language"] = _l("Unknown language; choose one of %(languages)s.", languages=", ".join(LANGUAGES))
    return value


def parse_contract(data: dict, *, today: date, strict_fields: bool = False, sponsor: Sponsor | None = None,
                   associated_only: bool = False) -> ContractDraft:
    """Check a contract request field by field; raise InvalidInput naming every bad field.

    ``sponsor`` stands for a sponsor being created with the contract (its own checks are
    separate); ``associated_only`` is the form's reading of ``sites`` (see _sites).
    """
    errors: dict[str, Any] = {}
    if strict_fields:
        for name in sorted(set(data) - KNOWN_FIELDS):
            errors[name] = _l("Unknown field.")
    if sponsor is None:
        sponsor = _sponsor(data, errors)
    details = _details(data, errors, DETAIL_FIELDS)
    coordinating, associated = _sites(data, errors, associated_only)
    received_on = _received_on(data, errors, today)
    investigators = _investigators(data, errors, [s for s in (coordinating, *associated) if s is not None])
    site_details = parse_site_details(data.get("site_details"), [s for s in (coordinating, *associated)
                                                                 if s is not None], errors)
    if data.get("language") in (None, ""):
        details["language"] = default_language(sponsor)
    if errors:
        raise InvalidInput({k: str(v) for k, v in errors.items()})
    return ContractDraft(
        sponsor=sponsor, coordinating_site=coordinating, associated_sites=associated, received_on=received_on,
        investigator=investigators.get(coordinating.code), investigators=investigators, site_details=site_details,
        **details,
    )


def parse_changes(data: dict, taking_part: list[Site]) -> tuple[dict, dict[str, str] | None, dict[str, dict]]:
    """The details, investigators and site details an edit changes (only the fields given); InvalidInput
    otherwise."""
    errors: dict[str, Any] = {}
    unknown = sorted(set(data) - set(DETAIL_FIELDS) - {"investigators", "site_details"})
    for name in unknown:
        errors[name] = _l("Unknown field.")
    details = _details(data, errors, set(data) & set(DETAIL_FIELDS))
    investigators = _investigators(data, errors, taking_part) if "investigators" in data else None
    site_details = parse_site_details(data.get("site_details"), taking_part, errors)
    if errors:
        raise InvalidInput({k: str(v) for k, v in errors.items()})
    return details, investigators, site_details
