"""The sponsor portal's list reads each track's state from the fields the pipeline stores on it
(``stored_contract_states``), not by replaying its events: the deadline sentence, who holds the
file and the expected signature must be what the contract's own page (the replay) says, at every
step of a history and on later days."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.helpers.histories import SITE_HISTORY, at, play
from tracker.extensions import db
from tracker.models import Contract
from tracker.portal.overview import deadline_words
from tracker.sla.state import contract_states, stored_contract_states

# Everything in a state but the held time, which only the events know; the day the site took the file
# (the track stores the day the sponsor took it, the one a list says: "your move since…"); and, while the
# sponsor holds the file, the internal target, which grows with each day it holds it (the track keeps
# the target as of its last change; the portal's list does not show it, its export replays).
SHOWN = ("role", "stage", "holder", "round", "today", "status", "stage_entered_on", "due_on", "working_days_left",
         "share_used", "escalated", "reminder_on", "reminders_due", "regulatory_due_on", "ceiling_status",
         "ceiling_warning_on", "policy_id", "ceiling_policy_id",
         "predicted_execution_on")

CANCELLED = [("GR", "mark_complete", 3, 3), ("GR", "send_to_sponsor", 3, 5), ("GR", "cancel", 3, 20)]


def _compare(reference: str, day) -> None:
    now = at(day.month, day.day) + timedelta(days=(day - date(2026, day.month, day.day)).days)
    db.session.expire_all()
    contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
    replayed, stored = contract_states(contract, now), stored_contract_states(contract, now)
    for track in contract.tracks:
        want, got = replayed[track.id], stored[track.id]
        assert {k: getattr(got, k) for k in SHOWN} == {k: getattr(want, k) for k in SHOWN}, (track.site.code, day)
        if want.holder == "sponsor":
            assert got.holder_since == want.holder_since
        else:
            assert got.target_due_on == want.target_due_on
        assert deadline_words(track, stored[track.id]) == deadline_words(track, replayed[track.id])


@pytest.mark.parametrize("history", ["P", "Q", "S", "cancelled"])
def test_the_stored_fields_say_what_the_events_say_at_every_step(ctx, make_sponsor, make_contract, history):
    steps = CANCELLED if history == "cancelled" else SITE_HISTORY[history]
    first = date(2026, steps[0][2], steps[0][3])
    sites = ("IB",) if history == "Q" else ("GR", "IB")
    reference = make_contract(make_sponsor(), coordinating=sites[0], sites=sites,
                              received_on=first - timedelta(days=7), now=at(steps[0][2], steps[0][3]) - timedelta(days=7))
    for done in range(len(steps) + 1):
        if done:
            play(reference, steps[done - 1:done])
        last = date(2026, steps[done - 1][2], steps[done - 1][3]) if done else first - timedelta(days=7)
        for later in (0, 1, 12, 40):  # the day itself, the next, weeks on (past deadlines and ceilings)
            _compare(reference, last + timedelta(days=later))
