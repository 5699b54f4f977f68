"""The sweep: find the tracks whose clocks may be due, ask the rules, queue what is new (SPEC 4).

The sweep reads the deadline fields the pipeline stores on each track instead of replaying
events, loads sites, calendars and people once, and walks the candidates in pages. The
candidates are the open tracks whose ``next_alert_on`` has come (indexed): every event sets
it back, and after judging a track the sweep moves it to the next day a new alert can fall
due for it (``lookahead``), so its cost grows with the clocks that are due, not with all
contracts. The outbox's unique key skips an alert already queued, so a paused clock, a
repeated sweep or a second scheduler adds nothing. Rows are added in the caller's
transaction, which the caller commits.
"""
from __future__ import annotations

from datetime import datetime
from typing import Iterator, NamedTuple

from tracker.alerts import mails
from tracker.alerts.context import Directory, load_directory
from tracker.alerts.lookahead import next_look
from tracker.alerts.rules import SPONSOR, due_alerts
from tracker.extensions import db
from tracker.mail.queue import existing_keys, insert_new, outbox_row
from tracker.mail.render import language_of, rendering
from tracker.many_rows import one_of, update_where
from tracker.models import Contract, Track
from tracker.stages import rules as pipeline
from tracker.sla.state import STORED_COLUMNS, stored_state

PAGE = 1000
CLOSED = tuple(sorted(pipeline.CLOSED_STAGES))


class Alert(NamedTuple):
    kind: str
    key: str
    person: object
    audience: str
    row: object
    window_site_id: int
    values: dict


def _base():
    return (db.select(*STORED_COLUMNS, Track.sponsor_signed_at, Track.next_alert_on, Track.version,
                      Contract.reference, Contract.title,
                      Contract.acronym, Contract.sponsor_id)
            .join(Contract, Contract.id == Track.contract_id).where(Track.stage.not_in(CLOSED)))


def _pages(stmt) -> Iterator[list]:
    last = 0
    while True:
        rows = db.session.execute(stmt.where(Track.id > last).order_by(Track.id).limit(PAGE)).all()
        if not rows:
            return
        yield rows
        last = rows[-1].id


def _candidates(directory: Directory):
    """Open tracks whose next look has come at the latest of the sites' days (indexed)."""
    if not directory.windows:
        return None
    latest_today = max(w.today(directory.now) for w in directory.windows.values())
    return _base().where(Track.next_alert_on.is_not(None), Track.next_alert_on <= latest_today)


def _coordinating_sites(contract_ids: set[int]) -> dict[int, int]:
    """The coordinating site of each contract: its working hours govern the sponsor's mail."""
    if not contract_ids:
        return {}
    return dict(db.session.execute(db.select(Track.contract_id, Track.site_id).where(
        one_of(Track.contract_id, sorted(contract_ids)), Track.role == "coordinating")).all())


def values_of(directory: Directory, row, state) -> dict:
    """What an alert e-mail says about its track, as raw data (worded in ``mails``)."""
    missing = [p for p, at in (("institution", row.institution_signed_at), ("investigator",
               row.investigator_signed_at), ("sponsor", row.sponsor_signed_at)) if at is None]
    return {
        "reference": row.reference, "title": row.title, "acronym": row.acronym,
        "sponsor": directory.sponsor_names.get(row.sponsor_id, ""), "site": directory.site_names.get(row.site_id, ""),
        "stage": row.stage, "due_on": state.due_on, "round": row.round, "days_late": state.days_late,
        "since_on": state.holder_since, "reminder": state.reminders_due, "ceiling_on": state.regulatory_due_on,
        "missing": missing if row.stage == pipeline.SIGNATURE else [],
        "owner": owner.name if (owner := directory.owner(row.owner_id, row.site_id)) else None,
    }


def alerts_for_rows(directory: Directory, rows: list, looks: list[dict] | None = None) -> list[Alert]:
    """The alerts the rows' states call for now; with ``looks``, also each row's next look (see lookahead)."""
    coordinating = _coordinating_sites({r.contract_id for r in rows})
    alerts = []
    for row in rows:
        window = directory.windows[row.site_id]
        today = window.today(directory.now)
        if looks is not None and row.next_alert_on > today:
            continue  # another site's day has come, not this one's yet
        state = stored_state(row, window.calendar, today, window.timezone)
        called_for = due_alerts(state, row.id, row.visit)
        if looks is not None:
            looks.append({"track_id": row.id, "seen_version": row.version,
                          "next": next_look(row, window, today, state, {d.stem for d in called_for})})
        values = None
        for due in called_for:
            values = values or values_of(directory, row, state)
            for audience in due.audiences:
                window_site = coordinating.get(row.contract_id, row.site_id) if audience == SPONSOR else row.site_id
                for person in directory.recipients(audience, site_id=row.site_id, sponsor_id=row.sponsor_id,
                                                   owner_id=row.owner_id):
                    alerts.append(Alert(due.kind, f"{due.stem}:{person.id}", person, audience, row, window_site,
                                        values))
    return alerts


def queue_alerts(directory: Directory, alerts: list[Alert], *, status: str = "queued") -> int:
    """Insert the alerts whose keys are not in the outbox yet: each with its subject and the values its
    bodies are rendered from when the sender takes it (a sweep may queue thousands).

    ``status="imported"`` records them as raised by a history loaded in bulk: kept, never sent.
    """
    present = existing_keys(a.key for a in alerts)
    rows = []
    for alert in alerts:
        if alert.key in present:
            continue
        present.add(alert.key)  # one person may be both owner and manager: one e-mail
        language = language_of(alert.person.language)
        values = {**alert.values, "name": alert.person.name, "audience": alert.audience}
        rows.append(outbox_row(
            key=alert.key, kind=alert.kind, person=alert.person, language=language,
            subject_text_html=(mails.track_alert_subject(alert.kind, language, values), "", ""),
            payload=mails.payload_of(values),
            now=directory.now, not_before=directory.windows[alert.window_site_id].next_opening(directory.now),
            site_id=alert.window_site_id, contract_id=alert.row.contract_id, track_id=alert.row.id,
            visit=alert.row.visit) | {"status": status})
    rows.sort(key=lambda r: (r["track_id"] or 0, r["key"]))
    return insert_new(rows)


def _remember(looks: list[dict]) -> None:
    """Store each track's next look, unless an event changed the track since it was read."""
    update_where(Track.__table__, looks, match={"id": "track_id", "version": "seen_version"},
                 values={"next_alert_on": "next"})


def sweep(now: datetime, *, imported: bool = False, from_contract_id: int | None = None) -> int:
    """Queue every alert due at ``now``; return how many outbox rows were added.

    Only tracks whose next look has come are read, so a sweep's cost follows the clocks
    that are due, not the number of contracts.

    ``imported=True`` is for a history just loaded in bulk: the alerts its past raised are
    recorded as ``imported`` (kept in the outbox, never sent), so the next sweep is an
    ordinary day's and nobody's mailbox is flooded with years of old deadlines;
    ``from_contract_id`` limits it to the contracts loaded (ids from that one on).
    """
    directory = load_directory(now)
    stmt = _candidates(directory)
    queued = 0
    if stmt is None:
        return 0
    if from_contract_id is not None:
        stmt = stmt.where(Track.contract_id >= from_contract_id)
    with rendering():
        for page in _pages(stmt):
            looks: list[dict] = []
            queued += queue_alerts(directory, alerts_for_rows(directory, page, looks),
                                   status="imported" if imported else "queued")
            _remember(looks)
    from tracker.signing.reminders import remind  # signatories who have not signed: by their links, not tracks

    return queued + remind(now, directory.windows)
