"""The deadline fields kept on each track for speed, recomputed from its events.

Lists, sweeps and the digest read these columns instead of replaying every event log;
the pipeline calls ``refresh`` after each event it writes, and a calendar change calls
it for the site's open tracks, so they always equal what a replay says.
"""
from __future__ import annotations

from datetime import datetime

from tracker.models import Track
from tracker.sla.state import replay_state

STORED = ("due_on", "reminder_on", "holder_since_on", "regulatory_due_on", "target_due_on", "policy_id",
          "ceiling_policy_id", "next_alert_on")


def values_of(state) -> dict:
    """The stored fields a replayed state gives (also how the bulk demo loader fills its rows)."""
    return {"due_on": state.due_on, "reminder_on": state.reminder_on,
            "holder_since_on": state.holder_since if state.holder == "sponsor" else None,
            "regulatory_due_on": state.regulatory_due_on, "target_due_on": state.target_due_on,
            "policy_id": state.policy_id, "ceiling_policy_id": state.ceiling_policy_id,
            # A changed track is looked at by the next sweep, whatever day it runs for.
            "next_alert_on": None if state.closed else state.stage_entered_on}


def refresh(track: Track, now: datetime) -> None:
    """Write the replayed state's due date, reminder, holder, ceiling and policies onto the track."""
    for name, value in values_of(replay_state(track, now)).items():
        setattr(track, name, value)


def backfill(now: datetime) -> int:
    """Fill the fields of open tracks whose ceiling has started but was never stored (older databases)."""
    from tracker.extensions import db
    from tracker.stages import rules

    tracks = db.session.execute(db.select(Track).where(
        Track.regulatory_due_on.is_(None),
        Track.stage.not_in((*rules.CLOSED_STAGES, rules.COMPLETENESS, rules.AWAITING_DOCUMENTS,
                            rules.WAITING_COORDINATOR)))).scalars().all()
    for track in tracks:
        refresh(track, now)
    return len(tracks)
