"""What signing does when the pipeline moves a track, in the same transaction (``signals.action_applied``).

* ``agree`` / ``conformity_ok``: fix the version to sign and send the links of the signatories
  already named; naming a draft as that version refuses the whole action (409), so nothing of it
  is stored.
* ``sign``: keep the signature's evidence with its event, spend that party's link, and once the
  three parties have signed build the executed agreement.
* ``reopen``: every track the reopen sends back loses its fixed version, its signatures and its
  open links; ``cancel``: the cancelled tracks' links stop working.
"""
from __future__ import annotations

from tracker.models import Event, Track
from tracker.stages import rules
from tracker.pipeline.signals import action_applied
from tracker.signing import evidence, executed, fixing, links, signatories


def on_action(track: Track, *, event: Event, actor, now, **_ignored) -> None:
    if event.action in fixing.FIXING_ACTIONS:
        fixed = fixing.on_agreement(track, event, actor, now)
        if fixed is not None:
            signatories.send_links(track, fixed, actor=actor, now=now)
    elif event.action == "sign":
        evidence.on_sign(track, event, actor, now)
        if track.stage == rules.EXECUTED and fixing.current_fixed(track) is not None:
            executed.build_quietly(track, actor=actor, now=now)
    elif event.action == "reopen":
        for other in track.contract.tracks:
            if other.stage not in rules.CLOSED_STAGES:
                fixing.end(other, actor=actor, now=now)
                evidence.void(other, now)
    elif event.action == "cancel":
        for other in track.contract.tracks:
            if other.stage == rules.CANCELLED:
                for signatory in signatories.named(other).values():
                    links.void_open(signatory, now=now)


def connect() -> None:
    action_applied.connect(on_action)
