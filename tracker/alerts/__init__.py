"""Alerts (SPEC 4): which are due (rules, digest), the outbox that sends them, and the scheduler.

``sweep(now)`` and ``digest(now)`` queue rows in the caller's transaction;
``outbox.send_due(now)`` delivers them over SMTP within the recipients' working hours.
"""
from tracker.alerts.digest import digest
from tracker.alerts.rules import sweep

__all__ = ["digest", "sweep"]
