"""The figures behind the metrics, derived from a contract's events and stored as they happen.

``on_action`` listens to the pipeline (``signals.action_applied``) and rewrites the
contract's figures in the action's own transaction; ``backfill`` derives the same
rows from the event log for contracts that have none (init-db runs it), and
``recompute_all`` rebuilds every row. Both go through ``derive``, so what the
listener writes always equals what the events say.

What is kept (dates are local dates at the site, as the deadlines count them):

* per contract: the complete file (the coordinator's first ``mark_complete``), the
  agreement (its last ``agree``: a reopened negotiation ends with a new one), full
  execution (the last signature at the last site), the calendar days between them and
  from the contract's receipt (the clock of Kiriakis et al. 2013) and the coordinator's
  negotiation rounds;
* per closed track: the calendar and working days held by the site and by the sponsor and,
  once executed, the site's own time (SPEC 5b): from the start of its regulatory ceiling
  (the coordinator's ``mark_complete``, or the coordinator's agreement for an associated
  site) and from the contract's receipt to the site's last signature, whether it signed
  by its ceiling (the date ``sla.state`` gives the track, rolled forward as SPEC 3 says)
  and whether the site held it no more than the partners' target of working days (a
  policy setting, read from the policy the ceiling started under);
* per finished stage visit: when it began and ended, its due date from the policy it
  started under, and whether the site's part ended by then.

Deadlines of past visits are replayed with the functions the live state uses
(``sla.clocks.replay``, ``stage_sla``, ``sla.deadlines.stage_due_on``), on the site's
current calendar.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import Contract, ContractFigures, StageVisit, Track, TrackFigures
from tracker.stages import rules
from tracker.pipeline.signals import action_applied
from tracker.sla import clocks, deadlines
from tracker.sla.policy import settings_of
from tracker.sla.state import calendars_of, event_facts, state_of_events

BATCH = 500
REVISION = 2  # what ``derive`` writes; rows of an older revision are derived again by ``backfill``


def _visits(track: Track, facts: list[clocks.EventFact], calendar, amendment: bool = False) -> list[dict]:
    """Every finished stage visit of a track, with its deadline (an amendment's, for one) and whether the
    site met it."""
    visits: list[dict] = []
    current = None
    seqs = [e.seq for e in sorted(track.events, key=lambda e: e.seq)]
    for i, (fact, state) in enumerate(zip(facts, clocks.steps(facts))):
        if current is None or state.stage_entered_on != current["entered_on"] or state.stage != current["stage"]:
            if current is not None:
                current["left_on"] = fact.on
                current["site_done_on"] = current["site_done_on"] or fact.on
                visits.append(current)
            days = clocks.stage_sla(state.stage, state.holder, state.round,
                                    settings_of(state.stage_policy_id, amendment))
            current = {"track_id": track.id, "seq": seqs[i], "contract_id": track.contract_id,
                       "site_id": track.site_id, "stage": state.stage, "round": state.round,
                       "holder": state.holder, "entered_on": state.stage_entered_on, "site_done_on": None,
                       "due_on": None if days is None else deadlines.stage_due_on(
                           calendar, state.stage_entered_on, days)}
        elif current["holder"] == "site" and state.holder != "site" and current["site_done_on"] is None:
            current["site_done_on"] = fact.on  # the site's signatures are all in; the sponsor's turn
    if current is not None and current["stage"] == rules.CANCELLED and visits:
        visits.pop()  # cut short by the cancellation: it says nothing about the deadline
    for visit in visits:
        due = visit["due_on"]
        visit["within"] = None if due is None else visit["site_done_on"] <= due
    return visits


def _days(start: date | None, end: date | None) -> int | None:
    return (end - start).days if start and end else None


def _track_figures(track: Track, facts: list[clocks.EventFact], calendars, received_on: date | None,
                   amendment: bool = False) -> dict | None:
    if track.stage not in rules.CLOSED_STAGES:
        return None
    closed_on = facts[-1].on
    replayed = clocks.replay(facts, calendars[0], closed_on)
    held = replayed.held
    ceiling = state_of_events(track.role, facts, calendars, closed_on, amendment).regulatory_due_on
    executed = track.stage == rules.EXECUTED
    signed = closed_on if executed else None  # the site's last signature executes its track
    target = settings_of(replayed.position.ceiling_policy_id)["site_target_working_days"]
    return {"track_id": track.id, "contract_id": track.contract_id, "site_id": track.site_id,
            "outcome": track.stage, "closed_on": closed_on,
            "site_calendar_days": held["site"].calendar, "site_working_days": held["site"].working,
            "sponsor_calendar_days": held["sponsor"].calendar, "sponsor_working_days": held["sponsor"].working,
            "role": track.role, "started_on": replayed.position.ceiling_start, "ceiling_on": ceiling,
            "days_to_signature": _days(replayed.position.ceiling_start, signed),
            "days_from_receipt": _days(received_on, signed),
            "within_ceiling": signed <= ceiling if signed and ceiling else None,
            "within_target": held["site"].working <= target if executed else None}


def _last(facts, action: str) -> date | None:
    found = [f.on for f in facts if f.action == action]
    return found[-1] if found else None


def _contract_figures(contract: Contract, facts_by_track: dict[int, list]) -> dict:
    coordinating = contract.coordinating_track
    facts = facts_by_track.get(coordinating.id, []) if coordinating else []
    completed = next((f.on for f in facts if f.action == "mark_complete"), None)
    agreed = _last(facts, "agree")
    executed = None
    if contract.status == "executed":
        executed = max((f.on for t in contract.tracks if t.stage == rules.EXECUTED
                        for f in facts_by_track[t.id] if f.to_stage == rules.EXECUTED), default=None)
    return {"contract_id": contract.id, "completed_on": completed, "agreed_on": agreed, "executed_on": executed,
            "executed_month": executed.strftime("%Y-%m") if executed else None,
            "days_to_agreement": (agreed - completed).days if completed and agreed else None,
            "days_to_execution": (executed - completed).days if completed and executed else None,
            "days_from_receipt_to_agreement": _days(contract.received_on, agreed),
            "days_from_receipt_to_execution": _days(contract.received_on, executed),
            "rounds": coordinating.round if coordinating else 0, "revision": REVISION}


def derive(contract: Contract, calendars: dict | None = None) -> tuple[dict, list[dict], list[dict]]:
    """The contract's figures, its closed tracks' figures and its finished stage visits, from its events.

    ``calendars`` maps a site id to its (working, legal) calendars; missing ones are read and kept there.
    """
    calendars = calendars if calendars is not None else {}
    amendment = getattr(contract, "amends_id", None) is not None  # the bulk demo loader's contracts have none
    facts_by_track, tracks, visits = {}, [], []
    for track in contract.tracks:
        if not track.events:
            continue
        pair = calendars.get(track.site_id) or calendars.setdefault(track.site_id, calendars_of(track))
        facts = event_facts(track)
        facts_by_track[track.id] = facts
        visits.extend(_visits(track, facts, pair[0], amendment))
        figures = _track_figures(track, facts, pair, contract.received_on, amendment)
        if figures:
            tracks.append(figures)
    return _contract_figures(contract, facts_by_track), tracks, visits


def _delete(contract_ids: list[int]) -> None:
    for model in (StageVisit, TrackFigures, ContractFigures):
        db.session.execute(db.delete(model).where(model.contract_id.in_(contract_ids))
                           .execution_options(synchronize_session=False))  # these rows are never loaded


def _insert(rows: list[tuple[dict, list[dict], list[dict]]]) -> None:
    contracts = [r[0] for r in rows]
    tracks = [t for r in rows for t in r[1]]
    visits = [v for r in rows for v in r[2]]
    for model, values in ((ContractFigures, contracts), (TrackFigures, tracks), (StageVisit, visits)):
        if values:  # one executemany per table (the ORM's bulk insert splits rows by which values are None)
            db.session.execute(model.__table__.insert(), values)


def write(contract: Contract) -> None:
    """Replace the contract's stored figures with what its events say now."""
    db.session.flush()
    _delete([contract.id])
    _insert([derive(contract)])


def on_action(track: Track, **_ignored) -> None:
    """After any action: the contract's figures, in the action's own transaction."""
    write(track.contract)


def connect() -> None:
    action_applied.connect(on_action)


def _rebuild(stmt) -> int:
    """Derive and store the figures of the contracts ``stmt`` selects, a batch at a time."""
    done, last, calendars = 0, 0, {}
    while True:
        ids = db.session.execute(stmt.where(Contract.id > last).order_by(Contract.id).limit(BATCH)).scalars().all()
        if not ids:
            return done
        contracts = db.session.execute(
            db.select(Contract).where(Contract.id.in_(ids)).options(
                selectinload(Contract.tracks).selectinload(Track.events),
                selectinload(Contract.tracks).selectinload(Track.site))).scalars().all()
        _delete(ids)
        _insert([derive(c, calendars) for c in contracts])
        db.session.flush()
        db.session.expunge_all()
        done += len(ids)
        last = ids[-1]


def backfill() -> int:
    """Store the figures of every contract that has none, or has them from an older derivation
    (older databases, bulk-loaded data)."""
    current = db.exists().where(ContractFigures.contract_id == Contract.id,
                                ContractFigures.revision.is_not(None), ContractFigures.revision >= REVISION)
    return _rebuild(db.select(Contract.id).where(~current))


def recompute_all() -> int:
    """Rebuild every contract's figures from the event log."""
    return _rebuild(db.select(Contract.id))
