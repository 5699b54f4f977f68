"""The one way a track changes: open it, apply an action to it, or give it an owner (SPEC 2).

Web pages, the API, the CLI and the tests all come through ``apply_action``; it
checks the action against the table in ``rules``, writes the event, moves the
stage, refreshes the stored deadline fields and audits the change in the caller's
transaction, then announces it (``signals.action_applied``) so that alerts due
because of it are queued in the same transaction.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from tracker import audit
from tracker.documents.versions import version_to_send
from tracker.errors import Conflict, Forbidden, InvalidInput
from tracker.extensions import db
from tracker.models import Contract, Document, Event, Site, Track, User
from tracker.people.roles import require_site_staff
from tracker.pipeline import signals
from tracker.stages import rules, transition
from tracker.pipeline.events import check_effective_at, lock_contract, write_event
from tracker.pipeline.permissions import may_take
from tracker.stages.transition import Position
from tracker.sla import stored

MAX_COMMENT = 5000


def open_track(contract: Contract, site: Site, role: str, *, received_at: datetime, actor, now: datetime,
               owner_id: int | None = None, investigator: str | None = None) -> Track:
    """Create a site's track in its first stage, with the event that opened it."""
    position, stage = transition.opening(role, received_at)
    track = Track(contract=contract, site=site, role=role, stage=stage, round=position.round, visit=position.visit,
                  stage_entered_at=received_at, owner_id=owner_id, investigator_name=investigator)
    db.session.add(track)
    db.session.flush()
    write_event(track, rules.RECEIVE, None, stage, actor, received_at, now)
    stored.refresh(track, now)
    audit.record(actor, "track", track.id, transition.opening_changes(site.code, stage),
                 now=now, contract_id=contract.id)
    return track


def _followers(track: Track, rule: rules.Action) -> list[Track]:
    """The other tracks an action moves as a consequence (SPEC 2: agree, reopen, cancel)."""
    tracks = list(track.contract.tracks)
    index = tracks.index(track)
    return [tracks[i] for i in transition.followers([Position.of(t) for t in tracks], index, rule)]


def _refusal(rule: rules.Action, track: Track, actor, party, comment, expected_version) -> Exception | None:
    """The first reason the action may not be taken now, in the order callers rely on."""
    refusal = may_take(actor, rule, track, party)
    if refusal:
        return Forbidden(refusal)
    if rule.needs_comment and not (comment or "").strip():
        return InvalidInput({"comment": str(rule.needs_comment)})
    if expected_version is not None and expected_version != track.version:
        return Conflict(str(_l("This track changed since you loaded the page; reload it and try again.")))
    why = transition.blocked(rule, Position.of(track), party)
    if why == "role":
        return Conflict(str(_l("%(a)s applies to the %(r)s site's track only.", a=rule.label,
                               r=rules.ROLE_LABELS[rule.track_role])))
    if why == "stage":
        return Conflict(str(_l("%(a)s is not possible while the track is in %(s)s.",
                               a=rule.label, s=rules.STAGE_LABELS.get(track.stage, track.stage))))
    if why == "signed":
        return Conflict(str(_l("The signature of %(p)s is already recorded.", p=rules.PARTY_LABELS[party])))
    return None


def _sent_document(track: Track, document_id) -> int | None:
    """The version going to the sponsor: the one named, else the site's current one (SPEC 5d)."""
    if document_id is not None:
        document = db.session.get(Document, document_id) if isinstance(document_id, int) else None
        if document is None or document.contract_id != track.contract_id or document.site_id != track.site_id \
                or document.withdrawn_at is not None:
            raise InvalidInput({"document_id": str(_l("No such document version for %(site)s on this contract.",
                                                      site=track.site.name))})
        return document.id
    sent = version_to_send(track)
    return sent.id if sent is not None else None


def apply_action(
    track: Track,
    action: str,
    *,
    actor: audit.Actor,
    now: datetime,
    effective_at: datetime | None = None,
    party: str | None = None,
    comment: str | None = None,
    for_sponsor: bool = False,
    expected_version: int | None = None,
    document_id: int | None = None,
) -> Event:
    """Apply one action of the table to a track; raise and change nothing if it is not allowed.

    Refusals, in this order: an unknown action or a malformed field (InvalidInput,
    422), a person who may not take the action (Forbidden, 403), a missing reason
    (422), a track that has changed since the form was loaded or whose stage does
    not allow the action (Conflict, 409), an effective time out of bounds (422).
    """
    rule = rules.ACTIONS.get(action)
    if rule is None:
        raise InvalidInput({"action": str(_l("Unknown action %(a)s; use one of %(all)s.",
                                               a=action, all=", ".join(rules.ACTIONS)))})
    if comment is not None and len(comment) > MAX_COMMENT:
        raise InvalidInput({"comment": str(_l("At most %(n)d characters.", n=MAX_COMMENT))})
    if action == "sign" and party not in rules.PARTIES:
        raise InvalidInput({"party": str(_l("Say who signed: %(p)s.", p=", ".join(rules.PARTIES)))})
    if action != "sign":
        party = None
    lock_contract(track)
    refusal = _refusal(rule, track, actor, party, comment, expected_version)
    if refusal is not None:
        raise refusal
    sent = None
    if action == "send_to_sponsor":
        sent = _sent_document(track, document_id)
    elif action in ("agree", "conformity_ok") and document_id is not None:
        # The version named to be signed: this site's and in use; signing refuses a draft (SPEC 5c).
        sent = _sent_document(track, document_id)
    effective_at = check_effective_at([track, *_followers(track, rule)], effective_at, now)
    # What a sponsor user writes is meant for the sponsor's side: they always see it.
    for_sponsor = for_sponsor or actor.role == "sponsor"
    previous_round = track.round
    try:
        event = _move(track, rule, actor, now, effective_at, party, comment, for_sponsor, sent)
        db.session.flush()
        signals.action_applied.send(track, event=event, actor=actor, now=now, previous_round=previous_round)
        db.session.flush()
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        raise Conflict(str(_l("Someone else changed this track at the same moment; reload and try again.")))
    return event


def _place(track: Track, position: Position) -> None:
    for name in ("stage", "round", "visit", "stage_entered_at", *transition.SIGNATURE_COLUMNS):
        if getattr(track, name) != getattr(position, name):
            setattr(track, name, getattr(position, name))


def _move(track, rule, actor, now, effective_at, party, comment, for_sponsor, document_id) -> Event:
    tracks = list(track.contract.tracks)
    outcome = transition.act([Position.of(t) for t in tracks], tracks.index(track), rule, party, effective_at)
    event = None
    for step in outcome.steps:
        moved = tracks[step.index]
        _place(moved, step.after)
        # Every action is a change of the track, even one that keeps its stage (conformity_issue): its
        # version moves, so a form loaded before it is refused as stale and its author sees what happened.
        flag_modified(moved, "stage")
        if step.leading:
            event = write_event(moved, step.action, step.from_stage, step.to_stage, actor, effective_at, now,
                                party=party, comment=comment, for_sponsor=for_sponsor, document_id=document_id)
        else:
            write_event(moved, step.action, step.from_stage, step.to_stage, actor, effective_at, now, comment=comment)
        stored.refresh(moved, now)
        audit.record(actor, "track", moved.id, step.changes, now=now, contract_id=moved.contract_id, reason=comment)
    _settle_contract(track.contract, outcome.status, actor, now)
    return event


def _settle_contract(contract: Contract, status: str, actor, now) -> None:
    """Executed once every track that goes on is executed; cancelled with its coordinator (``transition.settled``)."""
    if status != contract.status:
        audit.record(actor, "contract", contract.id, {"status": (contract.status, status)},
                     now=now, contract_id=contract.id)
        contract.status = status


def set_owner(track: Track, user_id: int | None, *, actor: audit.Actor, now: datetime) -> None:
    """Give a track to one legal user of its site (or to nobody); staff of the site only."""
    if actor.role != "system":
        require_site_staff(actor, track)
    owner = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user_id is not None and (owner is None or not owner.active or owner.role != "legal"
                                or owner.site_id != track.site_id):
        raise InvalidInput({"owner": str(_l("Choose an active legal user of %(site)s.", site=track.site.name))})
    if track.owner_id == user_id:
        return
    before = track.owner.email if track.owner else None
    track.owner_id = user_id
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise Conflict(str(_l("Someone else changed this track at the same moment; reload and try again.")))
    audit.record(actor, "track", track.id, {"owner": (before, owner.email if owner else None)}, now=now,
                 contract_id=track.contract_id)
