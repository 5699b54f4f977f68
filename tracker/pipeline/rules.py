"""The pipeline as data: stages, who holds each, and the action table (SPEC 2)."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

COMPLETENESS = "completeness"
AWAITING_DOCUMENTS = "awaiting_documents"
REVIEW = "review"
WITH_SPONSOR = "with_sponsor"
SIGNATURE = "signature"
EXECUTED = "executed"
CANCELLED = "cancelled"
WAITING_COORDINATOR = "waiting_coordinator"
CONFORMITY = "conformity"

COORDINATING_STAGES = (COMPLETENESS, AWAITING_DOCUMENTS, REVIEW, WITH_SPONSOR, SIGNATURE, EXECUTED)
ASSOCIATED_STAGES = (WAITING_COORDINATOR, CONFORMITY, SIGNATURE, EXECUTED)
ALL_STAGES = (
    COMPLETENESS, AWAITING_DOCUMENTS, REVIEW, WITH_SPONSOR, WAITING_COORDINATOR, CONFORMITY,
    SIGNATURE, EXECUTED, CANCELLED,
)
CLOSED_STAGES = frozenset({EXECUTED, CANCELLED})
FIRST_STAGE = {"coordinating": COMPLETENESS, "associated": WAITING_COORDINATOR}

STAGE_LABELS = {
    COMPLETENESS: _l("Completeness check"),
    AWAITING_DOCUMENTS: _l("Awaiting documents"),
    REVIEW: _l("Review"),
    WITH_SPONSOR: _l("With the sponsor"),
    WAITING_COORDINATOR: _l("Waiting for the coordinator"),
    CONFORMITY: _l("Conformity check"),
    SIGNATURE: _l("Signature"),
    EXECUTED: _l("Executed"),
    CANCELLED: _l("Cancelled"),
}

PARTIES = ("institution", "investigator", "sponsor")
PARTY_LABELS = {"institution": _l("institution"), "investigator": _l("investigator"), "sponsor": _l("sponsor")}
ROLE_LABELS = {"coordinating": _l("coordinating"), "associated": _l("associated")}
SITE_PARTIES = ("institution", "investigator")


def holder(stage: str, signatures: dict[str, object] | None = None) -> str | None:
    """Who must act next: "site", "sponsor", "coordinator" or None once closed.

    In signature the site holds the track while one of its own signatures is
    missing, then the sponsor does.
    """
    if stage in (COMPLETENESS, REVIEW, CONFORMITY):
        return "site"
    if stage in (AWAITING_DOCUMENTS, WITH_SPONSOR):
        return "sponsor"
    if stage == WAITING_COORDINATOR:
        return "coordinator"
    if stage == SIGNATURE:
        signatures = signatures or {}
        if any(not signatures.get(p) for p in SITE_PARTIES):
            return "site"
        return "sponsor"
    return None


# Who may take an action. "staff" is legal or manager of the track's site, or
# an admin; "sponsor" is a user of the contract's sponsor.
STAFF = "staff"
SPONSOR = "sponsor"
MANAGER = "manager"


@dataclass(frozen=True)
class Action:
    name: str
    sources: frozenset[str]
    target: str | None  # None: decided by the operation (sign, cancel)
    who: frozenset[str]
    track_role: str | None = None  # only on a coordinating or an associated track
    label: object = ""


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action("mark_incomplete", frozenset({COMPLETENESS}), AWAITING_DOCUMENTS, frozenset({STAFF}),
               "coordinating", _l("Mark incomplete")),
        Action("submit_documents", frozenset({AWAITING_DOCUMENTS}), COMPLETENESS, frozenset({STAFF, SPONSOR}),
               "coordinating", _l("Documents submitted")),
        Action("mark_complete", frozenset({COMPLETENESS}), REVIEW, frozenset({STAFF}),
               "coordinating", _l("Mark complete")),
        Action("send_to_sponsor", frozenset({REVIEW}), WITH_SPONSOR, frozenset({STAFF}),
               "coordinating", _l("Send to the sponsor")),
        Action("sponsor_replied", frozenset({WITH_SPONSOR}), REVIEW, frozenset({STAFF, SPONSOR}),
               "coordinating", _l("Sponsor replied")),
        Action("agree", frozenset({REVIEW, WITH_SPONSOR}), SIGNATURE, frozenset({STAFF}),
               "coordinating", _l("Terms agreed")),
        Action("conformity_ok", frozenset({CONFORMITY}), SIGNATURE, frozenset({STAFF}),
               "associated", _l("Conformity confirmed")),
        Action("sign", frozenset({SIGNATURE}), None, frozenset({STAFF, SPONSOR}), None, _l("Record a signature")),
        Action("cancel", frozenset(set(ALL_STAGES) - CLOSED_STAGES), CANCELLED, frozenset({MANAGER}),
               None, _l("Cancel")),
    )
}

# Actions the system writes on a track as a consequence of another; nobody takes them directly.
RECEIVE = "receive"
OPEN_CONFORMITY = "open_conformity"
SYSTEM_LABELS = {RECEIVE: _l("Contract received"), OPEN_CONFORMITY: _l("Coordinator's terms agreed")}


def action_label(name: str):
    if name in ACTIONS:
        return ACTIONS[name].label
    return SYSTEM_LABELS.get(name, name)
