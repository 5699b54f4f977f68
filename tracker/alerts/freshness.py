"""Is a queued alert still true? Asked by the sender just before it sends (SPEC 4).

A warning queued at 00:05 may meet a file sent to the sponsor at 07:40, a cancelled
contract, a backdated event that ended the stage on time, or a breach that replaced
it. The sender re-reads the track's state from ``tracker.sla.state`` and sends only
the alerts ``tracker.alerts.rules`` still calls for; the rest are marked superseded.
A digest is superseded by any newer digest for the same manager and site; a notice
between sites (a conformity issue) by the cancellation of its contract.
"""
from __future__ import annotations

from datetime import datetime

from tracker.alerts.rules import TRACK_KINDS, due_alerts, is_round_stem
from tracker.mail.window import SiteWindow
from tracker.extensions import db
from tracker.models import Contract, OutboxMessage, Track
from tracker.sla.state import STORED_COLUMNS, stored_state


def _stem(key: str) -> str:
    return key.rsplit(":", 1)[0]


def stale_ids(rows: list[OutboxMessage], windows: dict[int, SiteWindow], now: datetime) -> set[int]:
    """The ids among these claimed rows whose reason has gone."""
    stale = set()
    track_rows = [r for r in rows if r.kind in TRACK_KINDS and r.track_id is not None]
    if track_rows:
        tracks = {t.id: t for t in db.session.execute(
            db.select(*STORED_COLUMNS, Contract.status.label("contract_status"))
            .join(Contract, Contract.id == Track.contract_id)
            .where(Track.id.in_({r.track_id for r in track_rows}))).all()}
        for row in track_rows:
            if not _still_due(row, tracks.get(row.track_id), windows, now):
                stale.add(row.id)
    notices = [r for r in rows if r.kind not in TRACK_KINDS and r.kind != "digest" and r.contract_id is not None]
    if notices:  # a notice between sites (conformity_issue) has nothing left to say once the contract is cancelled
        cancelled = set(db.session.execute(db.select(Contract.id).where(
            Contract.id.in_({r.contract_id for r in notices}), Contract.status == "cancelled")).scalars())
        stale.update(r.id for r in notices if r.contract_id in cancelled)
    for row in rows:
        if row.kind == "digest" and _newer_digest_exists(row):
            stale.add(row.id)
    return stale


def _still_due(row: OutboxMessage, track, windows: dict[int, SiteWindow], now: datetime) -> bool:
    if track is None or track.contract_status == "cancelled":
        return False
    stem = _stem(row.key)
    if is_round_stem(stem):
        return True  # a round that started stays worth telling while the contract goes on
    if row.visit is not None and row.visit != track.visit and not stem.startswith("ceiling_"):
        return False  # the stage visit the alert was about has ended
    window = windows[track.site_id]
    state = stored_state(track, window.calendar, window.today(now), window.timezone)
    return stem in {due.stem for due in due_alerts(state, track.id, track.visit)}


def _newer_digest_exists(row: OutboxMessage) -> bool:
    return db.session.execute(
        db.select(OutboxMessage.id).where(
            OutboxMessage.kind == "digest", OutboxMessage.recipient_id == row.recipient_id,
            OutboxMessage.site_id == row.site_id, OutboxMessage.id > row.id).limit(1)).first() is not None
