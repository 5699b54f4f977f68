"""Which alerts a track's deadline state calls for (SPEC 4): states in, alert kinds out.

The state itself comes from ``tracker.sla.state``; this module only turns it into
alerts, each with a *stem* (kind, track, stage visit and whatever makes it unique)
and the audiences it goes to. The sweep adds the recipient to the stem to make the
outbox key, so each alert is queued once per recipient; the sender asks this same
function again just before sending, and an alert whose stem the state no longer
produces is superseded instead of sent.

* ``warning`` while the stage is in its warning days, to the track's owner (or the
  site's legal staff when it has none); never once the stage is breached.
* ``breach`` once the due day has ended: owner or legal staff, and the managers.
* ``escalation`` to the managers once the stage is ``escalation_after`` working days late;
  and when a round beyond the limit starts (queued by the pipeline's announcement, see
  ``listeners``), not from the state.
* ``sponsor_reminder`` after the sponsor has held the track ``sponsor_reminder`` working
  days, then every ``sponsor_reminder_every`` working days: each one once.
* ``ceiling_warning`` in the last working days before an open track's regulatory ceiling,
  to the owner (or legal staff) and managers; ``ceiling_breach`` once it has passed, to
  the managers.
"""
from __future__ import annotations

from typing import NamedTuple

from tracker.sla import deadlines
from tracker.sla.state import TrackState

# Audiences: who on a track an alert is for.
OWNER = "owner"  # the track's owner, or every legal user of the site when it has none
MANAGERS = "managers"
SPONSOR = "sponsor"

TRACK_KINDS = ("warning", "breach", "escalation", "sponsor_reminder", "ceiling_warning", "ceiling_breach")


class Due(NamedTuple):
    kind: str
    stem: str
    audiences: tuple[str, ...]


def due_alerts(state: TrackState, track_id: int, visit: int) -> list[Due]:
    """The alerts the state calls for today, in the order they would be read."""
    if state.closed:
        return []
    alerts: list[Due] = []
    stage_visit = f"{track_id}:{visit}"
    if state.status == deadlines.WARNING:
        alerts.append(Due("warning", f"warning:{stage_visit}", (OWNER,)))
    elif state.status == deadlines.BREACHED:
        alerts.append(Due("breach", f"breach:{stage_visit}", (OWNER, MANAGERS)))
        if state.escalated:
            alerts.append(Due("escalation", f"escalation:{stage_visit}", (MANAGERS,)))
    if state.reminders_due:
        alerts.append(Due("sponsor_reminder", f"sponsor_reminder:{stage_visit}:{state.reminders_due}", (SPONSOR,)))
    if state.ceiling_status == deadlines.WARNING:
        alerts.append(Due("ceiling_warning", f"ceiling_warning:{track_id}", (OWNER, MANAGERS)))
    elif state.ceiling_status == deadlines.BREACHED:
        alerts.append(Due("ceiling_breach", f"ceiling_breach:{track_id}", (MANAGERS,)))
    return alerts


def round_stem(track_id: int, round_: int) -> str:
    """The stem of the escalation for a negotiation round beyond the policy's limit."""
    return f"escalation:{track_id}:round{round_}"


def is_round_stem(stem: str) -> bool:
    return stem.startswith("escalation:") and ":round" in stem
