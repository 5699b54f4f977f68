"""The one way a track changes: open it, or apply an action to it (SPEC 2).

Web pages, the API, the CLI and the tests all come through ``apply_action``;
it checks the action against the table in ``rules``, writes the event, moves
the stage and audits the change in the caller's transaction.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from tracker import audit
from tracker.errors import Conflict, Forbidden, InvalidInput
from tracker.extensions import db
from tracker.models import Contract, Event, Site, Track
from tracker.pipeline import rules
from tracker.pipeline.permissions import may_take
from tracker.sla.service import current_policy_id, refresh_stored_clock


def open_track(contract: Contract, site: Site, role: str, *, received_at: datetime, actor, now: datetime) -> Track:
    """Create a site's track in its first stage, with the event that opened it."""
    stage = rules.FIRST_STAGE[role]
    track = Track(contract=contract, site=site, role=role, stage=stage, round=0, visit=1,
                  stage_entered_at=received_at)
    db.session.add(track)
    db.session.flush()
    _write_event(track, rules.RECEIVE, None, stage, actor, received_at, now)
    refresh_stored_clock(track, now)
    audit.record(actor, "track", track.id, {"site": (None, site.code), "stage": (None, stage)},
                 now=now, contract_id=contract.id)
    return track


def _write_event(track, action, from_stage, to_stage, actor, effective_at, now, *, party=None,
                 comment=None, for_sponsor=False) -> Event:
    last = db.session.execute(db.select(db.func.max(Event.seq)).where(Event.track_id == track.id)).scalar()
    event = Event(
        contract_id=track.contract_id, track_id=track.id, seq=(last or 0) + 1, action=action,
        from_stage=from_stage, to_stage=to_stage, party=party, round=track.round,
        effective_at=effective_at, recorded_at=now, actor_id=actor.user_id,
        comment=comment or None, comment_for_sponsor=bool(comment) and for_sponsor,
        policy_id=current_policy_id(),
    )
    db.session.add(event)
    track.events.append(event)
    return event


def _last_effective(tracks: list[Track]) -> datetime | None:
    return db.session.execute(
        db.select(db.func.max(Event.effective_at)).where(Event.track_id.in_([t.id for t in tracks]))
    ).scalar()


# How far ahead of the server's clock a caller's "now" may be before it counts as the future.
CLOCK_SKEW = timedelta(seconds=60)


def _check_effective_at(tracks: list[Track], effective_at: datetime | None, now: datetime) -> datetime:
    """SPEC 2: effective_at is aware, defaults to now, never future, never before the previous event.

    ``tracks`` are every track the action writes an event on: an agreement or a
    cancellation moves other tracks too, and none of them may get an event dated
    before its own previous one.
    """
    if effective_at is None:
        effective_at = now
    if effective_at.tzinfo is None or effective_at.utcoffset() is None:
        raise InvalidInput({"effective_at": str(_l("Give the time zone, for example 2026-03-09T10:00:00+01:00."))})
    if now < effective_at <= now + CLOCK_SKEW:
        effective_at = now  # a caller whose clock runs a little ahead means "now"
    if effective_at > now:
        raise InvalidInput({"effective_at": str(_l("The effective time cannot be in the future."))})
    previous = _last_effective(tracks)
    if previous is not None:
        # SQLite may hand back a naive value through aggregate functions.
        if previous.tzinfo is None:
            previous = previous.replace(tzinfo=timezone.utc)
        if effective_at < previous:
            raise InvalidInput({"effective_at": str(_l(
                "The effective time cannot be before the track's previous event (%(when)s).",
                when=previous.isoformat()))})
    return effective_at


def _lock_contract(track: Track) -> None:
    """Serialise the actions on one contract and decide on what is committed.

    On PostgreSQL the row lock makes a second writer wait until the first one
    commits; the tracks are then read again, so the second sees the new stage and
    is refused with the real reason, and the contract's status is settled from
    every track's latest stage rather than from a snapshot taken before another
    site's last signature. SQLite already serialises writers (BEGIN IMMEDIATE).
    """
    contract = track.contract
    db.session.execute(db.select(Contract.id).where(Contract.id == contract.id).with_for_update())
    for other in contract.tracks:
        db.session.expire(other)
    db.session.expire(contract)


def _followers(track: Track, rule: rules.Action) -> list[Track]:
    """The other tracks an action moves as a consequence (SPEC 2: agree opens conformity; cancel cascades)."""
    if rule.name == "agree":
        return [t for t in track.contract.tracks
                if t.role == "associated" and t.stage == rules.WAITING_COORDINATOR]
    if rule.name == "cancel" and track.role == "coordinating":
        return [t for t in track.contract.tracks if t is not track and t.stage not in rules.CLOSED_STAGES]
    return []


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
) -> Event:
    """Apply one action of the table to a track; raise and change nothing if it is not allowed.

    Refusals, in this order: an unknown action or a malformed field (InvalidInput,
    422), a person who may not take the action (Forbidden, 403), a track that has
    changed since the form was loaded or whose stage does not allow the action
    (Conflict, 409), an effective time out of bounds (InvalidInput, 422).
    """
    rule = rules.ACTIONS.get(action)
    if rule is None:
        raise InvalidInput({"action": str(_l("Unknown action %(a)s; use one of %(all)s.",
                                               a=action, all=", ".join(rules.ACTIONS)))})
    if comment is not None and len(comment) > 5000:
        raise InvalidInput({"comment": str(_l("At most 5000 characters."))})
    if action == "sign" and party not in rules.PARTIES:
        raise InvalidInput({"party": str(_l("Say who signed: %(p)s.", p=", ".join(rules.PARTIES)))})
    if action != "sign":
        party = None
    _lock_contract(track)
    refusal = may_take(actor, rule, track, party)
    if refusal:
        raise Forbidden(refusal)
    if action == "cancel" and not (comment or "").strip():
        raise InvalidInput({"comment": str(_l("Give the reason for cancelling."))})
    if expected_version is not None and expected_version != track.version:
        raise Conflict(str(_l("This track changed since you loaded the page; reload it and try again.")))
    if rule.track_role and track.role != rule.track_role:
        raise Conflict(str(_l("%(a)s applies to the %(r)s site's track only.", a=rule.label,
                              r=rules.ROLE_LABELS[rule.track_role])))
    if track.stage not in rule.sources:
        raise Conflict(str(_l("%(a)s is not possible while the track is in %(s)s.",
                              a=rule.label, s=rules.STAGE_LABELS.get(track.stage, track.stage))))
    if action == "sign" and getattr(track, f"{party}_signed_at") is not None:
        raise Conflict(str(_l("The %(p)s signature is already recorded.", p=rules.PARTY_LABELS[party])))
    effective_at = _check_effective_at([track, *_followers(track, rule)], effective_at, now)
    # What a sponsor user writes is meant for the sponsor's side: they always see it.
    for_sponsor = for_sponsor or actor.role == "sponsor"
    try:
        event = _move(track, rule, actor, now, effective_at, party, comment, for_sponsor)
        db.session.flush()
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        raise Conflict(str(_l("Someone else changed this track at the same moment; reload and try again.")))
    return event


def _move(track, rule, actor, now, effective_at, party, comment, for_sponsor) -> Event:
    followers = _followers(track, rule)  # before this track moves
    old = {"stage": track.stage, "round": track.round}
    changes = {}
    if rule.name == "sign":
        column = f"{party}_signed_at"
        setattr(track, column, effective_at)
        changes[column] = (None, effective_at)
        if all(track.signatures.values()):
            track.stage = rules.EXECUTED
    else:
        track.stage = rule.target
    if rule.name == "send_to_sponsor":
        track.round += 1
    if track.stage != old["stage"]:
        track.stage_entered_at = effective_at
        track.visit += 1
        changes["stage"] = (old["stage"], track.stage)
    if track.round != old["round"]:
        changes["round"] = (old["round"], track.round)
    event = _write_event(track, rule.name, old["stage"], track.stage, actor, effective_at, now,
                         party=party, comment=comment, for_sponsor=for_sponsor)
    refresh_stored_clock(track, now)
    audit.record(actor, "track", track.id, changes, now=now, contract_id=track.contract_id, reason=comment)
    contract = track.contract
    for other in followers:
        if rule.name == "agree":
            _follow(other, rules.OPEN_CONFORMITY, rules.CONFORMITY, actor, now, effective_at)
        else:
            _follow(other, "cancel", rules.CANCELLED, actor, now, effective_at, comment=comment)
    _settle_contract(contract, actor, now)
    return event


def _follow(track, action, stage, actor, now, effective_at, comment=None) -> None:
    """Move another track as a consequence of an action on the coordinating one."""
    old = track.stage
    track.stage = stage
    track.stage_entered_at = effective_at
    track.visit += 1
    _write_event(track, action, old, stage, actor, effective_at, now, comment=comment)
    refresh_stored_clock(track, now)
    audit.record(actor, "track", track.id, {"stage": (old, stage)}, now=now,
                 contract_id=track.contract_id, reason=comment)


def _settle_contract(contract: Contract, actor, now) -> None:
    """Executed once every track that goes on is executed; cancelled with its coordinator."""
    coordinating = contract.coordinating_track
    if coordinating.stage == rules.CANCELLED:
        status = "cancelled"
    elif all(t.stage in rules.CLOSED_STAGES for t in contract.tracks):
        status = "executed"
    else:
        status = "open"
    if status != contract.status:
        audit.record(actor, "contract", contract.id, {"status": (contract.status, status)},
                     now=now, contract_id=contract.id)
        contract.status = status
