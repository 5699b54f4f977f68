"""The data model, one module per aggregate."""
from tracker.models.audit import AuditEntry
from tracker.models.contracts import Contract, Event, ReferenceCounter, Track
from tracker.models.people import ApiToken, Sponsor, User
from tracker.models.sites import Site

__all__ = [
    "ApiToken",
    "AuditEntry",
    "Contract",
    "Event",
    "ReferenceCounter",
    "Site",
    "Sponsor",
    "Track",
    "User",
]
