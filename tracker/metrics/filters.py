"""The metrics' filters: site, sponsor, phase and the period the contracts were received in.

Pages and ``GET /api/v1/metrics`` read the same query parameters through ``parse``;
anything invalid is refused with InvalidInput naming the parameter. ``narrowing``
turns them into the SQL conditions the metrics queries share.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from tracker.contracts.visibility import visible_contracts
from tracker.errors import InvalidInput
from tracker.extensions import db
from tracker.models import Contract, Site, Sponsor
from tracker.models.contracts import PHASES

PARAMETERS = ("site", "sponsor_id", "phase", "from", "to", "kind")
# First agreements and amendments are measured apart: an amendment is quicker and would flatter the figures.
KINDS = ("agreements", "amendments", "all")


@dataclass(frozen=True)
class Filters:
    site: Site | None = None
    sponsor_id: int | None = None
    phase: str | None = None
    received_from: date | None = None
    received_to: date | None = None
    kind: str = "agreements"

    def as_dict(self) -> dict:
        return {"site": self.site.code if self.site else None, "sponsor_id": self.sponsor_id,
                "phase": self.phase, "from": self.received_from.isoformat() if self.received_from else None,
                "to": self.received_to.isoformat() if self.received_to else None, "kind": self.kind}

    def query_args(self) -> dict:
        """The filters as query parameters, for links that keep them (the default kind left out)."""
        return {k: v for k, v in self.as_dict().items() if v is not None and (k, v) != ("kind", "agreements")}


def _date(raw: str, name: str, errors: dict) -> date | None:
    try:
        if len(raw) != 10:
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = str(_l("Expected a date such as 2026-03-09."))
        return None


def parse(args) -> Filters:
    """Read the filters from query parameters; InvalidInput names each bad one."""
    errors: dict[str, str] = {}
    site = sponsor_id = phase = start = end = None
    raw = (args.get("site") or "").strip()
    if raw:
        site = db.session.execute(db.select(Site).where(Site.code == raw.upper()[:16])).scalar_one_or_none()
        if site is None:
            errors["site"] = str(_l("No site has the code %(code)s.", code=raw[:16]))
    raw = (args.get("sponsor_id") or "").strip()
    if raw:
        if not raw.isdigit() or len(raw) > 9 or db.session.get(Sponsor, int(raw)) is None:
            errors["sponsor_id"] = str(_l("No sponsor has the id %(id)s.", id=raw[:12]))
        else:
            sponsor_id = int(raw)
    raw = (args.get("phase") or "").strip()
    if raw:
        if raw not in PHASES:
            errors["phase"] = str(_l("Expected one of %(phases)s.", phases=", ".join(PHASES)))
        else:
            phase = raw
    raw = (args.get("from") or "").strip()
    if raw:
        start = _date(raw, "from", errors)
    raw = (args.get("to") or "").strip()
    if raw:
        end = _date(raw, "to", errors)
    if start and end and start > end:
        errors["to"] = str(_l("The end of the period comes before its start."))
    kind = (args.get("kind") or "").strip() or "agreements"
    if kind not in KINDS:
        errors["kind"] = str(_l("Expected one of %(kinds)s.", kinds=", ".join(KINDS)))
    if errors:
        raise InvalidInput(errors)
    return Filters(site, sponsor_id, phase, start, end, kind)


def narrowing(user, filters: Filters) -> list:
    """Conditions on Contract for the sponsor, phase and period asked, and for what the user may see.

    The site filter is left to the caller, which applies it to each table's own site column;
    visibility is left out where the site filter already implies it (staff of that site).
    """
    conditions = []
    implied = filters.site is not None and filters.site.id == getattr(user, "site_id", None)
    if user.role != "admin" and not implied:
        conditions.append(Contract.id.in_(visible_contracts(user, db.select(Contract.id))))
    if filters.sponsor_id is not None:
        conditions.append(Contract.sponsor_id == filters.sponsor_id)
    if filters.phase is not None:
        conditions.append(Contract.phase == filters.phase)
    if filters.received_from is not None:
        conditions.append(Contract.received_on >= filters.received_from)
    if filters.received_to is not None:
        conditions.append(Contract.received_on <= filters.received_to)
    if filters.kind != "all":
        conditions.append(Contract.amends_id.is_(None) if filters.kind == "agreements"
                          else Contract.amends_id.is_not(None))
    return conditions
