"""Creating contracts and handing out their human references."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from tracker import audit
from tracker.extensions import db
from tracker.models import Contract, ReferenceCounter
from tracker.contracts import amendments
from tracker.contracts.input import ContractDraft
from tracker.contracts.site_details import apply_site_details
from tracker.errors import Forbidden
from tracker.people.roles import SITE_STAFF_ROLES, is_site_staff
from tracker.pipeline.operations import open_track
from tracker.timeutil import local_date, start_of_day


def next_reference(year: int) -> str:
    """FT-<year>-<number>, numbered without gaps within a year."""
    session = db.session
    for _attempt in range(3):
        counter = session.execute(
            db.select(ReferenceCounter).where(ReferenceCounter.year == year).with_for_update()
        ).scalar_one_or_none()
        if counter is None:
            try:
                with session.begin_nested():
                    counter = ReferenceCounter(year=year, last=0)
                    session.add(counter)
            except IntegrityError:
                continue  # another request created this year's counter first
        counter.last += 1
        session.flush()
        return format_reference(year, counter.last)
    raise RuntimeError("could not allocate a contract reference")


def format_reference(year: int, number: int) -> str:
    return f"FT-{year}-{number:04d}"


def contract_fields(draft: ContractDraft, *, reference: str, created_at: datetime, created_by_id=None) -> dict:
    """A new contract's column values: what ``create_contract`` stores and the bulk demo loader writes as a row."""
    return {"reference": reference, "sponsor_id": draft.sponsor.id, "title": draft.title, "acronym": draft.acronym,
            "protocol_number": draft.protocol_number, "eu_ct_number": draft.eu_ct_number, "phase": draft.phase,
            "indication": draft.indication, "patients": draft.patients, "budget": draft.budget, "cro": draft.cro,
            "language": draft.language, "received_on": draft.received_on, "status": "open",
            "created_at": created_at, "created_by_id": created_by_id}


def creation_changes(fields: dict, investigators: dict) -> dict:
    """What the audit trail says of a new contract: every field given, from ``contract_fields``."""
    return {f: (None, fields[f]) for f in CREATION_FIELDS if fields[f] is not None} \
        | ({"investigators": (None, investigators)} if investigators else {}) \
        | {"language": (None, fields["language"])}


CREATION_FIELDS = ("reference", "sponsor_id", "title", "acronym", "protocol_number", "eu_ct_number", "phase",
                   "indication", "patients", "budget", "cro", "received_on", "status")


def received_at_of(received_on, timezone: str, now: datetime) -> datetime:
    """The tracks' clocks start at the beginning of the day the contract was received (never after now)."""
    return min(start_of_day(received_on, timezone), now)


def first_owner(actor: audit.Actor, coordinating_site_id: int) -> int | None:
    """The coordinating track belongs to the legal user of that site who creates the contract."""
    return actor.user_id if actor.role == "legal" and actor.site_id == coordinating_site_id else None


def create_contract(draft: ContractDraft, *, actor: audit.Actor, now: datetime, created_by_id=None,
                    amends: Contract | None = None) -> Contract:
    """Store a new contract with one track per participating site; with ``amends``, an amendment of that
    executed contract, numbered after its earlier ones (``tracker.contracts.amendments``).

    The coordinating track belongs to its creator when a legal user of that site
    creates it (SPEC 4: alerts go to a track's owner).  Staff of a site may only create
    contracts their site takes part in: a contract starts every participating site's
    deadlines, which another site's staff have no say over (admins may).
    """
    coordinating = draft.coordinating_site
    if actor.role in SITE_STAFF_ROLES and not any(
            is_site_staff(actor, site.id) for site in (coordinating, *draft.associated_sites)):
        raise Forbidden(str(_l("Your site must take part in the contracts you create; choose it as the "
                               "coordinating or an associated site.")))
    number = amendments.next_number(amends) if amends is not None else None
    reference = (amendments.amendment_reference(amends, number) if amends is not None
                 else next_reference(local_date(now, coordinating.timezone).year))
    fields = contract_fields(draft, reference=reference, created_at=now, created_by_id=created_by_id)
    contract = Contract(**fields, amends_id=amends.id if amends is not None else None, amendment_number=number)
    db.session.add(contract)
    db.session.flush()
    audit.record(actor, "contract", contract.id, creation_changes(fields, draft.investigators)
                 | ({"amends": (None, amends.reference)} if amends is not None else {}),
                 now=now, contract_id=contract.id)
    received_at = received_at_of(draft.received_on, coordinating.timezone, now)
    owner = first_owner(actor, coordinating.id)
    tracks = [open_track(contract, coordinating, "coordinating", received_at=received_at, actor=actor, now=now,
                         owner_id=owner, investigator=draft.investigators.get(coordinating.code) or draft.investigator)]
    for site in draft.associated_sites:
        tracks.append(open_track(contract, site, "associated", received_at=received_at, actor=actor, now=now,
                                 investigator=draft.investigators.get(site.code)))
    for track in tracks:
        changes = apply_site_details(track, draft.site_details.get(track.site.code, {}))
        if changes:
            db.session.flush()
            audit.record(actor, "track", track.id, changes, now=now, contract_id=contract.id)
    return contract
