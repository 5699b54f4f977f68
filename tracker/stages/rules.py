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
# The same split as a list of the open ones: "stage IN (open stages)" lets an index that starts with
# (site_id, stage) jump to the open tracks, where "NOT IN (closed)" reads every track of the site.
OPEN_STAGES = tuple(s for s in ALL_STAGES if s not in CLOSED_STAGES)
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
PARTY_LABELS = {"institution": _l("the institution"), "investigator": _l("the investigator"),
                "sponsor": _l("the sponsor")}
ROLE_LABELS = {"coordinating": _l("coordinating"), "associated": _l("associated")}
HOLDER_LABELS = {"site": _l("the site"), "sponsor": _l("the sponsor"), "coordinator": _l("the coordinating site")}
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
    target: str | None  # None: decided by the operation (sign)
    who: frozenset[str]
    track_role: str | None = None  # only on a coordinating or an associated track
    label: object = ""  # what the button says
    needs_comment: object = None  # the refusal when the comment (a reason) is missing
    next_move: bool = False  # the move the pipeline expects next from this stage, shown first


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action("mark_complete", frozenset({COMPLETENESS}), REVIEW, frozenset({STAFF}),
               "coordinating", _l("Mark the file complete"), next_move=True),
        Action("mark_incomplete", frozenset({COMPLETENESS}), AWAITING_DOCUMENTS, frozenset({STAFF}),
               "coordinating", _l("Ask the sponsor for missing documents")),
        Action("submit_documents", frozenset({AWAITING_DOCUMENTS}), COMPLETENESS, frozenset({STAFF, SPONSOR}),
               "coordinating", _l("Record the documents received"), next_move=True),
        Action("send_to_sponsor", frozenset({REVIEW}), WITH_SPONSOR, frozenset({STAFF}),
               "coordinating", _l("Send the draft to the sponsor"), next_move=True),
        Action("sponsor_replied", frozenset({WITH_SPONSOR}), REVIEW, frozenset({STAFF, SPONSOR}),
               "coordinating", _l("Record the sponsor's reply"), next_move=True),
        Action("agree", frozenset({REVIEW, WITH_SPONSOR}), SIGNATURE, frozenset({STAFF}),
               "coordinating", _l("Record the terms as agreed")),
        Action("conformity_ok", frozenset({CONFORMITY}), SIGNATURE, frozenset({STAFF}),
               "associated", _l("Confirm conformity with the agreed terms"), next_move=True),
        Action("conformity_issue", frozenset({CONFORMITY}), CONFORMITY, frozenset({STAFF}),
               "associated", _l("Report a conformity issue"),
               needs_comment=_l("Say what differs from the agreed terms.")),
        Action("sign", frozenset({SIGNATURE}), None, frozenset({STAFF, SPONSOR}), None,
               _l("Record a signature"), next_move=True),
        Action("reopen", frozenset({SIGNATURE}), REVIEW, frozenset({STAFF}), "coordinating",
               _l("Reopen the terms"), needs_comment=_l("Give the reason for reopening the terms.")),
        Action("cancel", frozenset(set(ALL_STAGES) - CLOSED_STAGES), CANCELLED, frozenset({MANAGER}),
               None, _l("Cancel"), needs_comment=_l("Give the reason for cancelling.")),
    )
}

# Actions the system writes on a track as a consequence of another; nobody takes them directly.
RECEIVE = "receive"
OPEN_CONFORMITY = "open_conformity"
BACK_TO_WAITING = "coordinator_reopened"

# What happened, in the past tense, for timelines and histories.
EVENT_LABELS = {
    RECEIVE: _l("Contract received"),
    "mark_incomplete": _l("File found incomplete; documents requested"),
    "submit_documents": _l("Documents received"),
    "mark_complete": _l("File complete"),
    "send_to_sponsor": _l("Sent to the sponsor"),
    "sponsor_replied": _l("The sponsor replied"),
    "agree": _l("Terms agreed"),
    OPEN_CONFORMITY: _l("The coordinating site agreed the terms"),
    "conformity_ok": _l("Conformity confirmed"),
    "conformity_issue": _l("Conformity issue reported"),
    "reopen": _l("Terms reopened"),
    BACK_TO_WAITING: _l("The coordinating site reopened the terms"),
    "cancel": _l("Cancelled"),
}
SIGNED_LABELS = {"institution": _l("The institution signed"), "investigator": _l("The investigator signed"),
                 "sponsor": _l("The sponsor signed")}


def event_label(action: str, party: str | None = None):
    """A past event in words: "Sent to the sponsor", "The institution signed"."""
    if action == "sign":
        return SIGNED_LABELS.get(party, ACTIONS["sign"].label)
    return EVENT_LABELS.get(action, action)
