"""Reading an action request, from a JSON body or a page's form, into ``apply_action``'s arguments.

The API and the pages accept the same fields and the same refusals; a date-time typed
on a page without a zone is read in the site's own time zone, while the API wants
the zone spelled out.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

from tracker.database import MAX_ID
from tracker.errors import InvalidInput
from tracker.models import Contract, Track
from tracker.timeutil import parse_instant, zone

FIELDS = {"site", "action", "effective_at", "party", "comment", "for_sponsor", "document_id", "version"}


@dataclass
class ActionRequest:
    track: Track
    action: str
    effective_at: datetime | None = None
    party: str | None = None
    comment: str | None = None
    for_sponsor: bool = False
    expected_version: int | None = None
    document_id: int | None = None

    def arguments(self) -> dict:
        """The keyword arguments of ``apply_action``."""
        return {"effective_at": self.effective_at, "party": self.party, "comment": self.comment,
                "for_sponsor": self.for_sponsor, "expected_version": self.expected_version,
                "document_id": self.document_id}


def _track(contract: Contract, code, errors: dict) -> Track | None:
    if not isinstance(code, str) or not code.strip():
        errors["site"] = str(_l("This field is required."))
        return None
    track = next((t for t in contract.tracks if t.site.code == code.strip().upper()), None)
    if track is None:
        errors["site"] = str(_l("Site %(code)s does not take part in %(ref)s.", code=code[:20], ref=contract.reference))
    return track


def _instant(value, local_zone: str | None, errors: dict) -> datetime | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        if local_zone is None:
            return parse_instant(value)
        parsed = datetime.fromisoformat(value.strip())
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone(local_zone))
    except (ValueError, TypeError, AttributeError):
        errors["effective_at"] = str(_l("Expected a date and time such as 2026-03-09T10:00:00+01:00.")
                                     if local_zone is None else _l("Use a date and time such as 2026-03-09 14:30."))
        return None


def _optional_int(data: dict, name: str, errors: dict) -> int | None:
    value = data.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and value.isdigit())):
        errors[name] = str(_l("Expected a whole number."))
        return None
    number = int(value)
    if not 0 <= number <= MAX_ID:  # what an id column holds on every engine
        errors[name] = str(_l("Expected a whole number."))
        return None
    return number


def parse_action(contract: Contract, data: dict, *, from_form: bool = False) -> ActionRequest:
    """Check an action request field by field; InvalidInput names every bad field."""
    errors: dict[str, str] = {}
    if not from_form:
        for name in sorted(set(data) - FIELDS):
            errors[name] = str(_l("Unknown field."))
    action = data.get("action")
    if not isinstance(action, str) or not action:
        errors["action"] = str(_l("This field is required."))
    track = _track(contract, data.get("site"), errors)
    for name in ("party", "comment"):
        if data.get(name) is not None and not isinstance(data.get(name), str):
            errors[name] = str(_l("Expected text."))
    for_sponsor = data.get("for_sponsor", False)
    if from_form:
        for_sponsor = for_sponsor in (True, "y", "on", "true", "1")
    elif not isinstance(for_sponsor, bool):
        errors["for_sponsor"] = str(_l("Expected true or false."))
    local_zone = track.site.timezone if (from_form and track is not None) else None
    effective_at = _instant(data.get("effective_at"), local_zone, errors)
    version = _optional_int(data, "version", errors)
    document_id = _optional_int(data, "document_id", errors)
    if errors:
        raise InvalidInput(errors)
    comment = (data.get("comment") or "").strip() or None
    return ActionRequest(track=track, action=action, effective_at=effective_at, party=data.get("party") or None,
                         comment=comment, for_sponsor=bool(for_sponsor), expected_version=version,
                         document_id=document_id)
