"""Loading a large demo set fast: rows built in memory with the pipeline's own rules, inserted in chunks.

Walking 100,000 contracts through ``apply_action`` one flush at a time takes hours. Here
each contract's history (``demo.histories``) goes through the same pure functions the
live path uses - ``contracts.operations.contract_fields`` for the contract, ``stages.transition.act``
for every move, ``pipeline.events.event_row`` for its events, ``sla.state.state_of_events`` and
``sla.stored.values_of`` for the stored clocks, ``metrics.record.derive`` for the
figures, ``audit.unlinked`` and ``audit.link`` for the keyed hash chain - and the rows are
inserted a chunk at a time, one COPY per table on PostgreSQL and one executemany on SQLite,
by a writer thread while the next chunk is built (``demo.writing``). What is stored is therefore what the live
path would have stored for the same moves, which the tests check by replaying the events and
verifying the audit chain.

Two things the live path does are left out on purpose: the portal's notifications of past
moves, and the agreements' documents (only the small live-seeded demo contracts have them).
The alerts the history raised are recorded once the load ends, as ``imported`` outbox rows
that are never sent (``alerts.sweep.sweep(imported=True)``), so the first sweep after a load
is an ordinary day's.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta
from types import SimpleNamespace

from flask import current_app

from tracker import audit
from tracker.contracts.operations import contract_fields, creation_changes, first_owner, format_reference, \
    received_at_of
from tracker.demo.histories import history
from tracker.demo.writing import Writer
from tracker.extensions import db
from tracker.metrics import record
from tracker.models import AuditEntry, Contract, ContractFigures, Event, ReferenceCounter, StageVisit, Track, \
    TrackFigures
from tracker.models.contracts import search_key
from tracker.pipeline.events import event_row
from tracker.sla import clocks, stored
from tracker.sla.calendars import all_site_calendars
from tracker.sla.policy import current_policy_id
from tracker.sla.state import state_of_events
from tracker.stages import rules, transition
from tracker.timeutil import local_date, zone

CHUNK = 1000


class _Remembering:
    """A site calendar whose answers are kept: a bulk load asks the same questions over and over."""

    def __init__(self, calendar) -> None:
        self._calendar = calendar
        self._between: dict = {}
        self._added: dict = {}

    def working_days_between(self, start, end):
        key = (start, end)
        if key not in self._between:
            self._between[key] = self._calendar.working_days_between(start, end)
        return self._between[key]

    def add_working_days(self, day, days):
        key = (day, days)
        if key not in self._added:
            self._added[key] = self._calendar.add_working_days(day, days)
        return self._added[key]

    def __getattr__(self, name):
        return getattr(self._calendar, name)


class Loader:
    """Builds and inserts demo contracts ``index`` by ``index``; ``plan(index)`` is each one's ``ContractDraft``.

    Everything a contract needs from the database is read here, once: the next ids, the audit
    chain's head, the reference counters, the calendars. The chunks are then built in memory and
    written on a connection and thread of their own, one chunk being written while the next is
    built (SQLite and PostgreSQL do their part of an insert without holding Python's lock).
    Load a large set while the application is not taking new contracts: a chunk whose audit
    chain no longer continues the trail's head is refused (``writing.ChainMoved``).
    """

    def __init__(self, *, now: datetime, plan, staff: dict) -> None:
        self.now, self.plan, self.staff = now, plan, staff
        self.policy_id = current_policy_id()
        self.key = current_app.config["AUDIT_KEY"]
        self.counters = dict(db.session.execute(db.select(ReferenceCounter.year, ReferenceCounter.last)).all())
        # The same few thousand (start, end) pairs come back for every contract: remember their counts.
        self.calendars = {site_id: (_Remembering(work), _Remembering(legal))
                          for site_id, (work, legal) in all_site_calendars().items()}
        self.next_id = {model: (db.session.execute(db.select(db.func.max(model.id))).scalar() or 0) + 1
                        for model in (Contract, Track, Event)}
        self.audit_id, self.prev_hash = audit.head()
        self.audit_id += 1

    def load(self, indices: range, progress=None) -> None:
        """Insert the contracts of ``indices`` and everything they imply, ``CHUNK`` contracts per transaction.

        Ends the session's transaction first: from here on the database is only written by the writer.
        """
        db.session.close()
        with Writer(db.engine) as writer:
            for first in range(indices.start, indices.stop, CHUNK):
                chunk = range(first, min(first + CHUNK, indices.stop))
                writer.write(self._build(chunk))
                if progress:
                    progress(len(chunk))

    def _build(self, indices: range) -> dict:
        """The rows of the contracts of ``indices``, by table, and the reference counters they moved."""
        self.rows = {model: [] for model in (Contract, Track, Event, AuditEntry, ContractFigures, TrackFigures,
                                             StageVisit)}
        years = {self._contract(index) for index in indices}
        # The whole chunk's audit rows are chained here, at once, continuing the previous chunk's.
        head = (self.audit_id - 1, self.prev_hash)
        entries = audit.link(self.rows[AuditEntry], next_id=self.audit_id, prev_hash=self.prev_hash, key=self.key)
        if entries:
            self.audit_id, self.prev_hash = entries[-1]["id"] + 1, entries[-1]["hash"]
        return {"rows": self.rows, "counters": {year: self.counters[year] for year in years}, "head": head}

    def _take(self, model) -> int:
        value = self.next_id[model]
        self.next_id[model] = value + 1
        return value

    def _audit(self, actor, entity, entity_id, changes, at, contract_id, reason=None) -> None:
        self.rows[AuditEntry].extend(audit.unlinked(actor, entity, entity_id, changes, at=at,
                                                    contract_id=contract_id, reason=reason))

    # -- one contract -------------------------------------------------------------------------------------
    def _contract(self, index: int) -> int:
        draft = self.plan(index)
        coordinating = draft.coordinating_site
        actor = self.staff[coordinating.code]
        received_at = received_at_of(draft.received_on, coordinating.timezone, self.now)
        year = draft.received_on.year
        self.counters[year] = self.counters.get(year, 0) + 1
        contract_id = self._take(Contract)
        values = {"id": contract_id, **contract_fields(draft, reference=format_reference(year, self.counters[year]),
                                                       created_at=received_at)}
        values["search_text"] = search_key(values["reference"], values["protocol_number"], values["title"],
                                           values["acronym"])
        self._audit(actor, "contract", contract_id, creation_changes(values, draft.investigators), received_at,
                    contract_id)
        sites = [coordinating, *draft.associated_sites]
        tracks, positions = [], []
        for number, site in enumerate(sites):
            role = "coordinating" if number == 0 else "associated"
            position, stage = transition.opening(role, received_at)
            track = {"id": self._take(Track), "contract_id": contract_id, "site_id": site.id, "role": role,
                     "investigator_name": draft.investigators.get(site.code),
                     "owner_id": first_owner(actor, coordinating.id) if number == 0 else None,
                     "site": site, "events": [], "version": 1}
            tracks.append(track)
            positions.append(position)
            self._event(track, rules.RECEIVE, None, stage, position.round, None, received_at, actor)
            self._audit(actor, "track", track["id"], transition.opening_changes(site.code, stage), received_at,
                        contract_id)
        status = "open"
        at = received_at
        for move in history(index, len(sites) - 1):
            if move.track >= len(tracks):
                continue
            at = self._moment(at, move.gap, index, coordinating.timezone)
            if at > self.now:
                break
            rule = rules.ACTIONS[move.action]
            if transition.blocked(rule, positions[move.track], move.party):
                continue
            who = self.staff["manager:" + sites[move.track].code] if rules.MANAGER in rule.who \
                else self.staff[sites[move.track].code]
            outcome = transition.act(positions, move.track, rule, move.party, at)
            positions = outcome.positions
            for step in outcome.steps:
                track = tracks[step.index]
                track["version"] += 1
                self._event(track, step.action, step.from_stage, step.to_stage, step.after.round,
                            step.party, at, who, move.comment)
                self._audit(who, "track", track["id"], step.changes, at, contract_id, move.comment)
            if outcome.status != status:
                self._audit(who, "contract", contract_id, {"status": (status, outcome.status)}, at, contract_id)
                status = outcome.status
        values["status"] = status
        self.rows[Contract].append(values)
        for track, position in zip(tracks, positions):
            self._track_row(track, position)
        self._figures(contract_id, status, tracks, positions, draft.received_on)
        return year

    def _moment(self, previous: datetime, gap: int, index: int, timezone: str) -> datetime:
        """A working moment ``gap`` days after the previous move (10:00 to 17:59 at the site)."""
        day = local_date(previous, timezone) + timedelta(days=gap)
        if day.weekday() >= 5:
            day += timedelta(days=7 - day.weekday())
        moment = datetime.combine(day, time(10 + (index + gap) % 8, (index * 7 + gap) % 60), tzinfo=zone(timezone))
        return max(moment, previous)

    def _event(self, track, action, from_stage, to_stage, round_, party, at, actor, comment=None) -> None:
        event = {"id": self._take(Event),
                 **event_row(track["contract_id"], track["id"], len(track["events"]) + 1, action, from_stage, to_stage,
                             round_=round_, party=party, effective_at=at, recorded_at=at, actor_id=actor.user_id,
                             comment=comment, for_sponsor=False, policy_id=self.policy_id, document_id=None)}
        track["events"].append(event)
        self.rows[Event].append(event)

    def _track_row(self, track: dict, position: transition.Position) -> None:
        site = track["site"]
        facts = [clocks.EventFact(e["action"], e["to_stage"], e["round"], e["party"],
                                  local_date(e["effective_at"], site.timezone), e["policy_id"])
                 for e in track["events"]]
        state = state_of_events(track["role"], facts, self.calendars[site.id], local_date(self.now, site.timezone))
        self.rows[Track].append({
            "id": track["id"], "contract_id": track["contract_id"], "site_id": site.id, "role": track["role"],
            "stage": position.stage, "round": position.round, "investigator_name": track["investigator_name"],
            "stage_entered_at": position.stage_entered_at, "visit": position.visit, "owner_id": track["owner_id"],
            **{c: getattr(position, c) for c in transition.SIGNATURE_COLUMNS},
            **stored.values_of(state), "version": track["version"]})

    def _figures(self, contract_id: int, status: str, tracks: list[dict], positions, received) -> None:
        """The metrics' figures, from ``record.derive`` over plain objects shaped like the models."""
        shaped = []
        for track, position in zip(tracks, positions):
            shaped.append(SimpleNamespace(
                id=track["id"], contract_id=contract_id, site_id=track["site"].id, role=track["role"],
                round=position.round,
                stage=position.stage, site=track["site"], events=[SimpleNamespace(**e) for e in track["events"]]))
        contract = SimpleNamespace(id=contract_id, status=status, tracks=shaped, received_on=received,
                                   coordinating_track=next(t for t in shaped if t.role == "coordinating"))
        figures, closed, visits = record.derive(contract, self.calendars)
        self.rows[ContractFigures].append(figures)
        self.rows[TrackFigures].extend(closed)
        self.rows[StageVisit].extend(visits)
