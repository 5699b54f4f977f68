"""Each site's own figures and investigator identity on a contract (SPEC 5b ``site_details``).

``{SITE: {patients?, budget?, investigator_title?, investigator_department?, investigator_rpps?,
third_party?}}``: what an associated site's agreement prints as *its* patients and budget, how it
names its investigator, and the third-party structure that manages part of its sums, if any. A site
without figures of its own takes the contract's. Shared by the API, the forms and the demo data, so
all refuse the same things with the same words.
"""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from tracker.contracts.budget import parse_budget
from tracker.people import identity

DETAIL_KEYS = ("patients", "budget", "investigator_title", "investigator_department", "investigator_rpps",
               "third_party")
TEXT_LIMITS = {"investigator_title": 100, "investigator_department": 200, "third_party": 300}
# The track's column of each key (the same names).
TRACK_FIELDS = DETAIL_KEYS


def _patients(value: Any, key: str, errors: dict) -> int | None:
    if value in (None, ""):
        return None
    number = value if isinstance(value, int) and not isinstance(value, bool) else (
        int(value.strip()) if isinstance(value, str) and value.strip().isdigit() else None)
    if number is None or not 1 <= number <= 100_000:
        errors[key] = _l("Expected a whole number of patients between 1 and 100000.")
        return None
    return number


def parse_site_details(raw: Any, taking_part: list, errors: dict) -> dict[str, dict]:
    """{CODE: {key: cleaned value}} for the keys given; errors under ``site_details.CODE.key``."""
    if raw in (None, ""):
        return {}
    if not isinstance(raw, dict):
        errors["site_details"] = _l("Expected an object such as {\"IB\": {\"patients\": 6}}.")
        return {}
    codes = {site.code for site in taking_part}
    cleaned: dict[str, dict] = {}
    for code, values in raw.items():
        site_code = code.strip().upper() if isinstance(code, str) else ""
        if site_code not in codes:
            errors[f"site_details.{str(code)[:20]}"] = _l("%(code)s does not take part in this contract",
                                                           code=str(code)[:20])
            continue
        if not isinstance(values, dict):
            errors[f"site_details.{site_code}"] = _l(
                "Expected an object with patients, budget, investigator_title, investigator_department, "
                "investigator_rpps or third_party.")
            continue
        prefix = f"site_details.{site_code}."
        mine: dict = {}
        for name in sorted(set(values) - set(DETAIL_KEYS)):
            errors[prefix + str(name)[:40]] = _l("Unknown field.")
        if "patients" in values:
            mine["patients"] = _patients(values["patients"], prefix + "patients", errors)
        if "budget" in values:
            problems: dict = {}
            rows = parse_budget(values["budget"], problems)
            if problems:
                errors[prefix + "budget"] = problems["budget"]
            mine["budget"] = rows or None
        for name, limit in TEXT_LIMITS.items():
            if name in values:
                problems = {}
                mine[name] = identity.text(values, name, problems, limit)
                if problems:
                    errors[prefix + name] = problems[name]
        if "investigator_rpps" in values:
            mine["investigator_rpps"] = identity.rpps(values["investigator_rpps"], errors,
                                                      prefix + "investigator_rpps")
        cleaned[site_code] = mine
    return cleaned


def apply_site_details(track, values: dict) -> dict:
    """Set the given keys on a track; returns {field: (old, new)} of what changed."""
    changes = {}
    for name in TRACK_FIELDS:
        if name in values and getattr(track, name) != values[name]:
            changes[name] = (getattr(track, name), values[name])
            setattr(track, name, values[name])
    return changes


def site_details_of(track) -> dict:
    """A track's own figures and investigator identity, as the API shows them."""
    return {name: getattr(track, name) for name in TRACK_FIELDS}
