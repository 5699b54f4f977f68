"""Writing a track's events, and the rules an event's time must follow (SPEC 2)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask_babel import lazy_gettext as _l

from tracker.errors import InvalidInput
from tracker.extensions import db
from tracker.models import Contract, Event, Track
from tracker.sla.policy import current_policy_id

# How far ahead of the server's clock a caller's "now" may be before it counts as the future.
CLOCK_SKEW = timedelta(seconds=60)


def write_event(track: Track, action: str, from_stage: str | None, to_stage: str, actor, effective_at: datetime,
                now: datetime, *, party=None, comment=None, for_sponsor=False, document_id=None) -> Event:
    """Append one event to the track's log, stamped with the policy in force."""
    last = db.session.execute(db.select(db.func.max(Event.seq)).where(Event.track_id == track.id)).scalar()
    event = Event(**event_row(track.contract_id, track.id, (last or 0) + 1, action, from_stage, to_stage,
                              round_=track.round, party=party, effective_at=effective_at, recorded_at=now,
                              actor_id=actor.user_id, comment=comment, for_sponsor=for_sponsor,
                              policy_id=current_policy_id(), document_id=document_id))
    db.session.add(event)
    track.events.append(event)
    return event


def event_row(contract_id: int, track_id: int, seq: int, action: str, from_stage: str | None, to_stage: str, *,
              round_: int, party, effective_at: datetime, recorded_at: datetime, actor_id, comment, for_sponsor: bool,
              policy_id, document_id) -> dict:
    """One event's column values: what ``write_event`` stores and the bulk demo loader writes as a row."""
    return {"contract_id": contract_id, "track_id": track_id, "seq": seq, "action": action,
            "from_stage": from_stage, "to_stage": to_stage, "party": party, "round": round_,
            "effective_at": effective_at, "recorded_at": recorded_at, "actor_id": actor_id,
            "comment": comment or None, "comment_for_sponsor": bool(comment) and for_sponsor,
            "policy_id": policy_id, "document_id": document_id}


def _last_effective(tracks: list[Track]) -> datetime | None:
    previous = db.session.execute(
        db.select(db.func.max(Event.effective_at)).where(Event.track_id.in_([t.id for t in tracks]))
    ).scalar()
    if previous is not None and previous.tzinfo is None:
        previous = previous.replace(tzinfo=timezone.utc)  # SQLite aggregates come back naive
    return previous


def check_effective_at(tracks: list[Track], effective_at: datetime | None, now: datetime) -> datetime:
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
    if previous is not None and effective_at < previous:
        raise InvalidInput({"effective_at": str(_l(
            "The effective time cannot be before the track's previous event (%(when)s).",
            when=previous.isoformat()))})
    return effective_at


def lock_contract(track: Track) -> None:
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
