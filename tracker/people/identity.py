"""The rules for legal identity fields (SPEC 5): registration numbers, FINESS, VAT, places and zones.

Shared by sponsors and sites, by the pages, the API and the commands. Each reader takes the
raw value and the ``errors`` dict, and returns the cleaned value (None for empty) or records
a message under the field's name.
"""
from __future__ import annotations

import re
from functools import lru_cache
from zoneinfo import available_timezones

import holidays
from flask_babel import lazy_gettext as _l

from tracker.people.input import EMAIL_RE, clean

COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
DIGITS_RE = re.compile(r"^\d+$")
FINESS_RE = re.compile(r"^(\d{9}|2[AB]\d{7})$")
VAT_RE = re.compile(r"^[A-Z]{2}[0-9A-Z]{2,13}$")
PHONE_RE = re.compile(r"^\+?[0-9 ().-]{4,40}$")
# Separators people type inside numbers: "552 100 554", "552.100.554 00013", "552-100-554".
SEPARATORS = re.compile(r"[\s.\-]")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LA_POSTE_SIREN = "356000000"  # La Poste's establishments use another SIRET checksum


def text(data: dict, name: str, errors: dict, limit: int, *, required: bool = False,
         multiline: bool = False) -> str | None:
    """Trimmed text of at most ``limit`` characters; None when empty (an error if required)."""
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors[name] = _l("This field is required.")
        return None
    if not isinstance(value, str):
        errors[name] = _l("Expected text.")
        return None
    value = value.strip().replace("\r\n", "\n")
    if CONTROL.search(value) or (not multiline and "\n" in value):
        errors[name] = _l("Remove the line breaks and control characters.")
        return None
    if len(value) > limit:
        errors[name] = _l("At most %(n)d characters.", n=limit)
        return None
    return value


def luhn_ok(digits: str) -> bool:
    """The Luhn checksum that SIREN and SIRET numbers carry in their last digit."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def siret_problem(digits: str) -> str | None:
    """Which part of a 14-digit SIRET fails its checksum: "siren", "siret" or None when it is valid.

    A SIRET is valid when its first 9 digits (the SIREN) and all 14 pass the Luhn check. La Poste
    (SIREN 356000000) numbers its many establishments otherwise: the sum of the 14 digits is a
    multiple of 5 (its head office, 35600000000048, also passes Luhn).
    """
    if not luhn_ok(digits[:9]):
        return "siren"
    if digits.startswith(LA_POSTE_SIREN):
        return None if sum(int(c) for c in digits) % 5 == 0 or luhn_ok(digits) else "siret"
    return None if luhn_ok(digits) else "siret"


def siret_ok(digits: str) -> bool:
    return siret_problem(digits) is None


def _siret_message(digits: str, problem: str):
    if problem == "siren":
        return _l("%(number)s: its SIREN (the first 9 digits, %(siren)s) fails the checksum; check for a "
                  "mistyped digit.", number=digits, siren=digits[:9])
    return _l("%(number)s: its SIREN is valid but the 14 digits fail the SIRET checksum; check the last 5 "
              "digits (the establishment's number).", number=digits)


def rpps(value, errors: dict, name: str = "investigator_rpps") -> str | None:
    """An RPPS number: the 11 digits that identify a health professional, the last one a Luhn key."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    digits = SEPARATORS.sub("", value) if isinstance(value, str) else ""
    if not DIGITS_RE.match(digits) or len(digits) != 11:
        errors[name] = _l("An RPPS number has 11 digits.")
    elif not luhn_ok(digits):
        errors[name] = _l("%(number)s fails the RPPS checksum; check for a mistyped digit.", number=digits)
    else:
        return digits
    return None


def country(value, errors: dict, name: str = "country") -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    code = clean(value).upper()
    if not COUNTRY_RE.match(code):
        errors[name] = _l("Use a two-letter ISO country code such as FR or US.")
        return None
    return code


def registration_number(value, country_code: str | None, errors: dict) -> str | None:
    """France: a SIREN (9 digits) or SIRET (14 digits) with a valid checksum, kept as digits.

    Elsewhere registers differ too much to check: the number is kept as written.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        errors["registration_number"] = _l("Expected text.")
        return None
    if country_code != "FR":
        if len(value.strip()) > 64 or CONTROL.search(value) or "\n" in value.strip():
            errors["registration_number"] = _l("At most %(n)d characters on one line.", n=64)
            return None
        return value.strip()
    digits = SEPARATORS.sub("", value)
    if not DIGITS_RE.match(digits) or len(digits) not in (9, 14):
        errors["registration_number"] = _l(
            "A French company is registered under a SIREN (9 digits) or a SIRET (14 digits).")
        return None
    if len(digits) == 9 and not luhn_ok(digits):
        errors["registration_number"] = _l(
            "%(number)s fails the SIREN checksum; check for a mistyped digit.", number=digits)
        return None
    problem = siret_problem(digits) if len(digits) == 14 else None
    if problem:
        errors["registration_number"] = _siret_message(digits, problem)
        return None
    return digits


def siret(value, errors: dict, name: str = "siret") -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    digits = SEPARATORS.sub("", value) if isinstance(value, str) else ""
    if not DIGITS_RE.match(digits) or len(digits) != 14:
        errors[name] = _l("A SIRET number has 14 digits.")
    elif siret_problem(digits):
        errors[name] = _siret_message(digits, siret_problem(digits))
    else:
        return digits
    return None


def finess(value, errors: dict) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    code = SEPARATORS.sub("", value).upper() if isinstance(value, str) else ""
    if not FINESS_RE.match(code):
        errors["finess"] = _l("A FINESS number has 9 digits (2A or 2B first in Corsica).")
        return None
    return code


def vat_number(value, siren: str | None, errors: dict) -> str | None:
    """An EU VAT number; a French one's key is checked, and its SIREN must be the company's."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    code = SEPARATORS.sub("", value).upper() if isinstance(value, str) else ""
    if not VAT_RE.match(code):
        errors["vat_number"] = _l("Expected a VAT number such as FR40303265045 or DE123456789.")
        return None
    if code.startswith("FR"):
        key, number = code[2:4], code[4:]
        if not (DIGITS_RE.match(number) and len(number) == 9):
            errors["vat_number"] = _l("A French VAT number is FR, a two-character key and the 9-digit SIREN.")
        elif key.isdigit() and int(key) != (12 + 3 * (int(number) % 97)) % 97:
            errors["vat_number"] = _l("The key of %(vat)s does not match its SIREN.", vat=code)
        elif siren and number != siren[:9]:
            errors["vat_number"] = _l("This VAT number belongs to SIREN %(vat)s, not to the registration number "
                                      "%(siren)s.", vat=number, siren=siren[:9])
        else:
            return code
        return None
    return code


def email(value, errors: dict, name: str = "email") -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    address = clean(value).lower()
    if not EMAIL_RE.match(address) or len(address) > 254:
        errors[name] = _l("Enter a valid e-mail address.")
        return None
    return address


def phone(value, errors: dict, name: str = "phone") -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = clean(value)
    if not PHONE_RE.match(number):
        errors[name] = _l("Expected a telephone number such as +33 1 42 11 42 11.")
        return None
    return number


def language(value, errors: dict) -> str | None:
    if value is None or value == "":
        return None
    if value not in ("fr", "en"):
        errors["language"] = _l("Choose fr or en.")
        return None
    return value


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def time_zone_names() -> list[str]:
    return sorted(_zones())


def time_zone(value, errors: dict) -> str | None:
    name = clean(value)
    if name not in _zones():
        errors["timezone"] = _l("Unknown time zone %(zone)s; use a name such as Europe/Paris.",
                                zone=name[:64] or "''")
        return None
    return name


def calendar_country(value, errors: dict) -> str | None:
    """A country whose public holidays the calendar knows (SPEC 3)."""
    code = country(value, errors)
    if code is None:
        errors.setdefault("country", _l("This field is required."))
        return None
    if code not in holidays.list_supported_countries():
        errors["country"] = _l("No public-holiday calendar is known for %(code)s.", code=code)
        return None
    return code


def subdivision(value, country_code: str | None, errors: dict) -> str | None:
    """A region of the country with its own holidays (Alsace-Moselle: 57, 67, 68), or None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    code = clean(value).upper() if isinstance(value, str) else ""
    known = holidays.list_supported_countries().get(country_code or "", [])
    aliases = {"67", "68"} if country_code == "FR" else set()
    if code not in {k.upper() for k in known} | aliases:
        errors["subdivision"] = _l("%(code)s is not a subdivision of %(country)s with its own holidays.",
                                   code=code[:16] or "''", country=country_code or "?")
        return None
    return next((k for k in known if k.upper() == code), code)
