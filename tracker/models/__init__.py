"""The data model, one module per aggregate."""
from tracker.models.accounts import AccountLink, SessionGeneration, SignInFailure
from tracker.models.audit import AuditEntry
from tracker.models.contracts import Contract, Event, ReferenceCounter, Track
from tracker.models.documents import ContractTemplate, Document, DocumentChange, TemplateDefault
from tracker.models.feeds import CalendarFeed
from tracker.models.idempotency import IdempotencyKey
from tracker.models.messages import Message
from tracker.models.metrics import ContractFigures, StageVisit, TrackFigures
from tracker.models.notifications import OutboxMessage
from tracker.models.people import ApiToken, Sponsor, SponsorContact, User
from tracker.models.policy import Policy, SiteClosure
from tracker.models.signing import (
    DocumentPdf, ExecutedAgreement, FixedVersion, Signatory, Signature, SigningCode, SigningLink,
)
from tracker.models.sites import Site

__all__ = [
    "AccountLink",
    "ApiToken",
    "AuditEntry",
    "CalendarFeed",
    "Contract",
    "ContractFigures",
    "ContractTemplate",
    "Document",
    "DocumentChange",
    "DocumentPdf",
    "Event",
    "ExecutedAgreement",
    "FixedVersion",
    "IdempotencyKey",
    "Message",
    "OutboxMessage",
    "Policy",
    "ReferenceCounter",
    "SessionGeneration",
    "SignInFailure",
    "Signatory",
    "Signature",
    "SigningCode",
    "SigningLink",
    "Site",
    "SiteClosure",
    "StageVisit",
    "Sponsor",
    "SponsorContact",
    "TemplateDefault",
    "Track",
    "TrackFigures",
    "User",
]
