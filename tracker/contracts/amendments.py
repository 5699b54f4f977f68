"""Amendments (avenants): a contract of its own that changes an executed agreement (SPEC 5b).

An amendment takes its parent's sponsor, trial details and, for the sites it concerns, their
investigators and figures; it then goes through the same pipeline, deadlines, documents and
signing as any contract, created by the same operation (``create_contract``). Its reference is
the parent's followed by ``-A1``, ``-A2``...: the parent's row is locked while the next number is
read, and a unique constraint on (parent, number) stops a duplicate should a lock ever be missed.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from tracker import audit
from tracker.contracts.input import LANGUAGES, LIMITS, ContractDraft, _received_on
from tracker.contracts.site_details import site_details_of
from tracker.errors import Conflict, Forbidden, InvalidInput
from tracker.extensions import db
from tracker.models import Contract
from tracker.people.roles import takes_part
from tracker.stages import rules
from tracker.stages.signed import signed_on
from tracker.timeutil import local_date

FIELDS = {"title", "received_on", "sites", "language"}


def refusal(parent: Contract) -> str | None:
    """Why ``parent`` cannot be amended now, or None: only an executed agreement can be."""
    if parent.amends_id is not None:
        return str(_l("%(ref)s is itself an amendment; amend the agreement %(parent)s instead.",
                      ref=parent.reference, parent=parent.amends.reference))
    if parent.status == "cancelled":
        return str(_l("%(ref)s is cancelled: it cannot be amended.", ref=parent.reference))
    if parent.status != "executed":
        return str(_l("%(ref)s is not executed yet: only a signed agreement can be amended.", ref=parent.reference))
    return None


def amendments_of(parent: Contract) -> list[Contract]:
    """The parent's amendments with their tracks (who takes part, how many sites signed), read in two queries
    however many amendments there are; ``parent.amendments`` holds them afterwards."""
    rows = db.session.execute(db.select(Contract).where(Contract.amends_id == parent.id)
                              .order_by(Contract.amendment_number).options(selectinload(Contract.tracks))
                              ).scalars().all()
    set_committed_value(parent, "amendments", rows)
    return rows


def amendable_tracks(parent: Contract) -> list:
    """The parent's sites an amendment may concern: those whose agreement was signed."""
    return [t for t in parent.ordered_tracks if t.stage == rules.EXECUTED]


def parse_amendment(parent: Contract, data: Any, *, today: date) -> ContractDraft:
    """Check an amendment request; InvalidInput names every bad field. Sites are the parent's signed ones."""
    if not isinstance(data, dict):
        raise InvalidInput({"body": str(_l("Expected a JSON object."))})
    errors: dict[str, Any] = {name: _l("Unknown field.") for name in sorted(set(data) - FIELDS)}
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        errors["title"] = _l("This field is required: say what the amendment changes.")
    elif len(title.strip()) > LIMITS["title"]:
        errors["title"] = _l("At most %(n)d characters.", n=LIMITS["title"])
    received_on = _received_on(data, errors, today)
    signed = signed_on(parent)
    if received_on and "received_on" not in errors and signed and received_on < signed:
        errors["received_on"] = _l("An amendment cannot be received before the agreement it amends was signed "
                                   "(%(date)s).", date=signed.isoformat())
    language = data.get("language") or parent.language
    if language not in LANGUAGES:
        errors["language"] = _l("Unknown language; choose one of %(languages)s.", languages=", ".join(LANGUAGES))
    tracks = amendable_tracks(parent)
    chosen = _chosen(data.get("sites"), tracks, errors)
    if errors:
        raise InvalidInput({k: str(v) for k, v in errors.items()})
    sites = [t.site for t in chosen]
    return ContractDraft(
        sponsor=parent.sponsor, title=title.strip(), protocol_number=parent.protocol_number, phase=parent.phase,
        coordinating_site=sites[0], associated_sites=sites[1:], received_on=received_on, acronym=parent.acronym,
        eu_ct_number=parent.eu_ct_number, indication=parent.indication, patients=parent.patients,
        cro=parent.cro, budget=list(parent.budget or []), language=language,
        investigator=chosen[0].investigator_name,
        investigators={t.site.code: t.investigator_name for t in chosen if t.investigator_name},
        site_details={t.site.code: {k: v for k, v in site_details_of(t).items() if v not in (None, [])}
                      for t in chosen},
    )


def _chosen(raw: Any, tracks: list, errors: dict) -> list:
    """The parent's signed tracks the ``sites`` list names, the parent's order kept (its coordinator first)."""
    if not isinstance(raw, list) or not raw or not all(isinstance(code, str) for code in raw):
        errors["sites"] = _l("Expected a list of the codes of the sites the amendment concerns, such as "
                             "[\"GR\"].")
        return []
    codes = {code.strip().upper() for code in raw}
    known = {t.site.code for t in tracks}
    strangers = sorted(codes - known)
    if strangers:
        errors["sites"] = _l("%(codes)s did not sign the agreement; choose among %(known)s.",
                             codes=", ".join(c[:20] for c in strangers), known=", ".join(sorted(known)))
        return []
    return [t for t in tracks if t.site.code in codes]


def next_number(parent: Contract) -> int:
    """The parent's next amendment number, read while its row is locked (PostgreSQL; SQLite writers
    are serialised by BEGIN IMMEDIATE), so two requests at once cannot get the same one."""
    db.session.execute(db.select(Contract.id).where(Contract.id == parent.id).with_for_update())
    last = db.session.execute(db.select(db.func.max(Contract.amendment_number))
                              .where(Contract.amends_id == parent.id)).scalar()
    return (last or 0) + 1


def amendment_reference(parent: Contract, number: int) -> str:
    return f"{parent.reference}-A{number}"


def create_amendment(parent: Contract, data: Any, *, actor: audit.Actor, now: datetime,
                     created_by_id: int | None = None) -> Contract:
    """Check the request and create the amendment through ``create_contract``; 403 unless the actor is staff
    of a participating site, 409 unless the parent is executed."""
    from tracker.contracts.operations import create_contract

    if not takes_part(actor, parent):
        raise Forbidden(str(_l("Only staff of the sites taking part in %(ref)s may amend it.", ref=parent.reference)))
    why = refusal(parent)
    if why:
        raise Conflict(why)
    draft = parse_amendment(parent, data, today=local_date(now, parent.coordinating_track.site.timezone))
    return create_contract(draft, actor=actor, now=now, created_by_id=created_by_id, amends=parent)
