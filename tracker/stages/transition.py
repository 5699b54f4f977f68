"""What an action does to a contract's tracks, as a pure function of where they stand (SPEC 2).

``apply_action`` asks ``act`` what to change and then writes it (events, stored
deadline fields, audit rows) on the ORM objects; the bulk demo generator asks the same
function and writes the same changes as rows in memory. Neither holds a copy of the rules:
the next stage, the round, the visit count, the signatures, the tracks that move along and
the contract's status are decided here only.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from tracker.stages import rules

SIGNATURE_COLUMNS = tuple(f"{p}_signed_at" for p in rules.PARTIES)
# What a consequence does to the other tracks: the event it writes and where it sends them.
FOLLOW = {"agree": (rules.OPEN_CONFORMITY, rules.CONFORMITY),
          "reopen": (rules.BACK_TO_WAITING, rules.WAITING_COORDINATOR),
          "cancel": ("cancel", rules.CANCELLED)}


@dataclass(frozen=True)
class Position:
    """Where one track stands: everything an action reads or changes on it."""

    role: str
    stage: str
    round: int = 0
    visit: int = 1
    stage_entered_at: datetime | None = None
    institution_signed_at: datetime | None = None
    investigator_signed_at: datetime | None = None
    sponsor_signed_at: datetime | None = None

    @classmethod
    def of(cls, track) -> "Position":
        return cls(track.role, track.stage, track.round, track.visit, track.stage_entered_at,
                   track.institution_signed_at, track.investigator_signed_at, track.sponsor_signed_at)

    def signed(self, party: str) -> datetime | None:
        return getattr(self, f"{party}_signed_at")

    @property
    def all_signed(self) -> bool:
        return all(self.signed(p) is not None for p in rules.PARTIES)


@dataclass(frozen=True)
class Step:
    """One event an action writes: on which track (its index), what, the audit changes, the new position."""

    index: int
    action: str
    from_stage: str
    to_stage: str
    party: str | None
    changes: dict
    after: Position
    leading: bool  # the action itself, not a consequence of it on another track


def opening(role: str, received_at: datetime) -> tuple[Position, str]:
    """A new track's position and the stage it opens in (the ``receive`` event)."""
    stage = rules.FIRST_STAGE[role]
    return Position(role=role, stage=stage, stage_entered_at=received_at), stage


def opening_changes(site_code: str, stage: str) -> dict:
    """What the audit trail says of a track opened at a site."""
    return {"site": (None, site_code), "stage": (None, stage)}


def blocked(rule: rules.Action, position: Position, party: str | None) -> str | None:
    """Why the track's position does not allow the action: "role", "stage", "signed", or None."""
    if rule.track_role and position.role != rule.track_role:
        return "role"
    if position.stage not in rule.sources:
        return "stage"
    if rule.name == "sign" and position.signed(party) is not None:
        return "signed"
    return None


def followers(positions: list[Position], index: int, rule: rules.Action) -> list[int]:
    """The other tracks an action moves as a consequence (SPEC 2: agree, reopen, cancel)."""
    others = [i for i in range(len(positions)) if i != index]
    if rule.name == "agree":
        return [i for i in others if positions[i].role == "associated"
                and positions[i].stage == rules.WAITING_COORDINATOR]
    if rule.name == "reopen":
        return [i for i in others if positions[i].role == "associated"
                and positions[i].stage in (rules.CONFORMITY, rules.SIGNATURE)]
    if rule.name == "cancel" and positions[index].role == "coordinating":
        return [i for i in others if positions[i].stage not in rules.CLOSED_STAGES]
    return []


def _void_signatures(position: Position) -> tuple[dict, dict]:
    changes = {c: (getattr(position, c), None) for c in SIGNATURE_COLUMNS if getattr(position, c) is not None}
    return changes, {c: None for c in changes}


def transition(positions: list[Position], index: int, rule: rules.Action, party: str | None,
               effective_at: datetime) -> list[Step]:
    """The events an allowed action writes, the acted-on track's first, then the followers'."""
    moved = followers(positions, index, rule)  # before this track moves
    old = positions[index]
    changes, values = {}, {}
    stage = rule.target
    if rule.name == "sign":
        column = f"{party}_signed_at"
        values[column] = effective_at
        changes[column] = (None, effective_at)
        stage = rules.EXECUTED if replace(old, **values).all_signed else old.stage
    if rule.name == "reopen":
        voided, cleared = _void_signatures(old)
        changes.update(voided)
        values.update(cleared)
    round_ = old.round + 1 if rule.name in ("send_to_sponsor", "reopen") else old.round
    visit, entered = old.visit, old.stage_entered_at
    if stage != old.stage:
        entered, visit = effective_at, old.visit + 1
        changes["stage"] = (old.stage, stage)
    if round_ != old.round:
        changes["round"] = (old.round, round_)
    after = replace(old, stage=stage, round=round_, visit=visit, stage_entered_at=entered, **values)
    steps = [Step(index, rule.name, old.stage, stage, party, changes or {"event": (None, rule.name)}, after, True)]
    if moved:
        action, target = FOLLOW[rule.name]
        for i in moved:
            other = positions[i]
            follow_changes, cleared = {"stage": (other.stage, target)}, {}
            if target == rules.WAITING_COORDINATOR:
                voided, cleared = _void_signatures(other)
                follow_changes.update(voided)
            steps.append(Step(i, action, other.stage, target, None, follow_changes,
                              replace(other, stage=target, stage_entered_at=effective_at, visit=other.visit + 1,
                                      **cleared), False))
    return steps


@dataclass(frozen=True)
class Outcome:
    """An allowed action's whole effect: the events it writes, where every track then stands, the contract's status."""

    steps: list[Step]
    positions: list[Position]
    status: str


def act(positions: list[Position], index: int, rule: rules.Action, party: str | None,
        effective_at: datetime) -> Outcome:
    """Apply an allowed action to the positions: what both ``apply_action`` and the bulk demo loader write."""
    steps = transition(positions, index, rule, party, effective_at)
    after = list(positions)
    for step in steps:
        after[step.index] = step.after
    return Outcome(steps, after, settled(after))


def settled(positions: list[Position]) -> str:
    """The contract's status: cancelled with its coordinator, executed once every track is closed."""
    coordinating = next(p for p in positions if p.role == "coordinating")
    if coordinating.stage == rules.CANCELLED:
        return "cancelled"
    if all(p.stage in rules.CLOSED_STAGES for p in positions):
        return "executed"
    return "open"
