"""The data model, one module per aggregate."""
from tracker.models.audit import AuditEntry
from tracker.models.contracts import Contract, Event, ReferenceCounter, Track
from tracker.models.documents import ContractTemplate, Document
from tracker.models.idempotency import IdempotencyKey
from tracker.models.notifications import OutboxMessage
from tracker.models.people import ApiToken, Sponsor, User
from tracker.models.policy import Policy, SiteClosure
from tracker.models.sites import Site

__all__ = [
    "ApiToken",
    "AuditEntry",
    "Contract",
    "ContractTemplate",
    "Document",
    "Event",
    "IdempotencyKey",
    "OutboxMessage",
    "Policy",
    "ReferenceCounter",
    "Site",
    "SiteClosure",
    "Sponsor",
    "Track",
    "User",
]
