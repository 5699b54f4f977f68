"""The rules for a new contract's fields, shared by the web form, the API and the demo data."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l

from tracker.database import MAX_ID
from tracker.errors import InvalidInput
from tracker.extensions import db
from tracker.models import Site, Sponsor
from tracker.models.contracts import PHASES

EU_CT_RE = re.compile(r"^\d{4}-\d{6}-\d{2}-\d{2}$")
KNOWN_FIELDS = {
    "sponsor_id", "title", "protocol_number", "phase", "coordinating_site", "sites", "received_on",
    "acronym", "eu_ct_number", "indication", "patients", "budget", "investigator",
}
MAX_BUDGET_ROWS = 200
LIMITS = {"title": 500, "protocol_number": 100, "acronym": 50, "indication": 300, "investigator": 200,
          "eu_ct_number": 30}
EARLIEST_RECEIVED = date(2000, 1, 1)


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
    investigator: str | None = None
    budget: list[dict] = field(default_factory=list)


def _text(data: dict, name: str, errors: dict, required: bool = False) -> str | None:
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors[name] = _l("This field is required.")
        return None
    if not isinstance(value, str):
        errors[name] = _l("Expected text.")
        return None
    value = value.strip()
    if len(value) > LIMITS.get(name, 200):
        errors[name] = _l("At most %(n)d characters.", n=LIMITS.get(name, 200))
        return None
    return value


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _parse_budget(rows: Any, errors: dict) -> list[dict]:
    if rows in (None, ""):
        return []
    if not isinstance(rows, list):
        errors["budget"] = _l("Expected a list of rows with item, amount and unit.")
        return []
    if len(rows) > MAX_BUDGET_ROWS:
        errors["budget"] = _l("At most %(n)d budget rows.", n=MAX_BUDGET_ROWS)
        return []
    clean = []
    for index, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            errors["budget"] = _l("Row %(n)d is not an object with item, amount and unit.", n=index)
            return []
        item = row.get("item")
        unit = row.get("unit") or "EUR"
        amount = row.get("amount")
        try:
            amount_dec = Decimal(str(amount).replace(",", ".").replace(" ", "")) if not isinstance(amount, bool) else None
        except InvalidOperation:
            amount_dec = None
        if not isinstance(item, str) or not item.strip() or len(item) > 300:
            errors["budget"] = _l("Row %(n)d needs an item (text, at most 300 characters).", n=index)
            return []
        if amount_dec is None or not amount_dec.is_finite() or amount_dec < 0 or amount_dec > 10**9:
            errors["budget"] = _l("Row %(n)d needs an amount that is a positive number.", n=index)
            return []
        if not isinstance(unit, str) or len(unit) > 40:
            errors["budget"] = _l("Row %(n)d has a unit that is not short text.", n=index)
            return []
        clean.append({"item": item.strip(), "amount": str(amount_dec.quantize(Decimal("0.01"))), "unit": unit.strip()})
    return clean


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
    if sponsor_id is None or sponsor_id > MAX_ID:
        errors["sponsor_id"] = _l("Expected the numeric id of a sponsor.")
        return None
    sponsor = db.session.get(Sponsor, sponsor_id)
    if sponsor is None:
        errors["sponsor_id"] = _l("Unknown sponsor %(id)s.", id=sponsor_id)
    return sponsor


def _sites(data: dict, errors: dict) -> tuple[Site | None, list[Site]]:
    """The coordinating site and the associated ones (the coordinator is never also associated)."""
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
    associated, seen = [], {coordinating.id} if coordinating else set()
    for _code, site in found:
        if site.id not in seen:
            seen.add(site.id)
            associated.append(site)
    return coordinating, associated


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


def parse_contract(data: dict, *, today: date, strict_fields: bool = False) -> ContractDraft:
    """Check a contract request field by field; raise InvalidInput naming every bad field."""
    errors: dict[str, Any] = {}
    if strict_fields:
        for name in sorted(set(data) - KNOWN_FIELDS):
            errors[name] = _l("Unknown field.")
    sponsor = _sponsor(data, errors)
    title = _text(data, "title", errors, required=True)
    protocol = _text(data, "protocol_number", errors, required=True)
    phase = data.get("phase")
    if phase in (None, ""):
        errors["phase"] = _l("This field is required.")
    elif phase not in PHASES:
        errors["phase"] = _l("Unknown phase; choose one of %(phases)s.", phases=", ".join(PHASES))
    coordinating, associated = _sites(data, errors)
    received_on = _received_on(data, errors, today)
    eu_ct = _text(data, "eu_ct_number", errors)
    if eu_ct and not EU_CT_RE.match(eu_ct):
        errors["eu_ct_number"] = _l("Expected an EU CT number such as 2024-512345-21-00.")
    patients = _patients(data, errors)
    budget = _parse_budget(data.get("budget"), errors)
    draft_fields = {
        "acronym": _text(data, "acronym", errors),
        "indication": _text(data, "indication", errors),
        "investigator": _text(data, "investigator", errors),
    }
    if errors:
        raise InvalidInput({k: str(v) for k, v in errors.items()})
    return ContractDraft(
        sponsor=sponsor, title=title, protocol_number=protocol, phase=phase,
        coordinating_site=coordinating, associated_sites=associated, received_on=received_on,
        eu_ct_number=eu_ct, patients=patients, budget=budget, **draft_fields,
    )
