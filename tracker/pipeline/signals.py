"""What the pipeline announces after it has applied an action, inside the same transaction.

Features above the pipeline (alerts, the portal's notifications) listen here instead
of being called by it, so the arrows keep pointing one way. A listener runs in the
caller's transaction: what it writes (an outbox row) commits or rolls back with the
action itself.
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent with the track as sender and: event, actor, now, previous_round.
action_applied = _signals.signal("action-applied")
