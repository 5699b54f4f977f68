"""The values an agreement is filled with, for one contract and site (SPEC 5 fields).

Besides the raw values (``row.amount`` "1200.00", ``today`` "2026-12-06") every template gets
them written for its language, as a lawyer expects to read them: ``row.amount_text``
"1 200,00 €" / "€1,200.00", ``budget_total_text``, ``today_text`` "6 décembre 2026" /
"6 December 2026" (Babel's CLDR data). Each site has its own figures (``site.patients``,
``site.budget``, the contract's when it has none of its own); an associated site's agreement
names the coordinating site (``coordinating_site.*``). The parties are named the same way
here and on the signature certificate (``party_name``).
"""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from babel.dates import format_date
from babel.numbers import format_currency

from tracker.stages.signed import signed_on

LOCALES = {"fr": "fr_FR", "en": "en_GB"}
CURRENCY_UNIT = re.compile(r"^([A-Z]{3})\b\s*(.*)$")
# The units the budget form offers (tracker.contracts.budget.COMMON_UNITS), as each language writes them.
UNIT_WORDS = {
    "per patient": {"fr": "par patient", "en": "per patient"},
    "per visit": {"fr": "par visite", "en": "per visit"},
    "flat": {"fr": "forfait", "en": "flat fee"},
    "per hour": {"fr": "par heure", "en": "per hour"},
    "per year": {"fr": "par an", "en": "per year"},
}
SPONSOR_FIELDS = ("name", "legal_name", "legal_form", "share_capital", "address", "country", "registration_number",
                  "rcs_city", "vat_number", "representative", "representative_title")
SITE_FIELDS = ("code", "name", "legal_name", "address", "finess", "siret", "representative", "representative_title")


def template_language(template_name: str | None, fallback: str = "fr") -> str:
    """The language a template is written in, from its name (coordinating_fr, associated_en, ...)."""
    suffix = (template_name or "").rsplit("_", 1)[-1]
    return suffix if suffix in LOCALES else fallback


def amount_text(amount, language: str, currency: str = "EUR") -> str:
    """An amount as the language writes it: 1 200,00 € in French, €1,200.00 in English."""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    return format_currency(value, currency, locale=LOCALES.get(language, "fr_FR"))


def date_text(day: date, language: str) -> str:
    """A date in words: 6 décembre 2026 (1er décembre 2026) in French, 6 December 2026 in English."""
    text = format_date(day, "d MMMM y", locale=LOCALES.get(language, "fr_FR"))
    return "1er" + text[1:] if language == "fr" and day.day == 1 else text


def _currency_and_unit(unit: str | None) -> tuple[str, str | None]:
    """("EUR", "per patient") from "EUR per patient"; a unit without a currency code is in euros."""
    match = CURRENCY_UNIT.match((unit or "").strip())
    if match:
        return match.group(1), match.group(2) or None
    return "EUR", (unit or "").strip() or None


def budget_rows(rows, language: str) -> tuple[list[dict], Decimal]:
    """Budget rows with amount_text and unit_text added, and the sum of their amounts."""
    filled, total = [], Decimal("0")
    for row in rows or []:
        row = dict(row)
        currency, unit = _currency_and_unit(row.get("unit"))
        row["amount_text"] = amount_text(row.get("amount"), language, currency)
        row["unit_text"] = UNIT_WORDS.get(unit, {}).get(language, unit) if unit else ""
        try:
            total += Decimal(str(row.get("amount")))
        except InvalidOperation:
            pass
        filled.append(row)
    return filled, total


def party_name(party) -> str | None:
    """How the agreements and the signature certificate name a sponsor or a site: its legal name, with
    its legal form when entered ("Novacure Oncology, société par actions simplifiée")."""
    name = getattr(party, "legal_name", None) or getattr(party, "name", None)
    form = getattr(party, "legal_form", None)
    return f"{name}, {form}" if name and form and form.lower() not in name.lower() else name


def _site_values(site, role: str) -> dict:
    return {**{field: getattr(site, field) for field in SITE_FIELDS}, "role": role, "designation": party_name(site)}


def _amended(contract, language: str) -> dict:
    """For an amendment, the agreement it amends: its reference, trial title and day of signature."""
    parent = getattr(contract, "amends", None)
    if parent is None:
        return {}
    signed = signed_on(parent)
    return {"reference": parent.reference, "title": parent.title, "signed_on": signed.isoformat() if signed else None,
            "signed_on_text": date_text(signed, language) if signed else None}


def template_context(contract, track, today: date, language: str = "fr") -> dict:
    """The fields of SPEC 5 for one contract and site, with the texts written for ``language``."""
    site, sponsor = track.site, contract.sponsor
    coordinating = contract.coordinating_track
    contract_rows, _ = budget_rows(contract.budget, language)
    own_budget = track.budget or contract.budget
    site_rows, site_total = budget_rows(own_budget, language)
    currencies = {_currency_and_unit(row.get("unit"))[0] for row in own_budget or []}
    total_currency = currencies.pop() if len(currencies) == 1 else "EUR"
    site_values = {**_site_values(site, track.role),
                   "patients": track.patients or contract.patients, "budget": site_rows,
                   "third_party": track.third_party}
    coordinating_values = _site_values(coordinating.site, "coordinating") if coordinating is not None else {}
    if coordinating is not None:
        coordinating_values.update(patients=coordinating.patients or contract.patients,
                                   investigator=coordinating.investigator_name)
    return {
        "sponsor": {**{field: getattr(sponsor, field) for field in SPONSOR_FIELDS},
                    "designation": party_name(sponsor)},
        "site": site_values,
        "coordinating_site": coordinating_values,
        "investigator": {"name": track.investigator_name, "title": track.investigator_title,
                         "department": track.investigator_department, "rpps": track.investigator_rpps},
        "contract": {"reference": contract.reference, "title": contract.title, "acronym": contract.acronym,
                     "protocol_number": contract.protocol_number, "eu_ct_number": contract.eu_ct_number,
                     "phase": contract.phase, "indication": contract.indication, "patients": contract.patients,
                     "cro": contract.cro, "amendment_number": contract.amendment_number},
        "amends": _amended(contract, language),
        "budget": contract_rows,
        "budget_total": str(site_total.quantize(Decimal("0.01"))) if site_rows else None,
        "budget_total_text": amount_text(site_total, language, total_currency) if site_rows else None,
        "today": today.isoformat(),
        "today_text": date_text(today, language),
    }
