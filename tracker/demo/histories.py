"""What happens to each contract of a large demo set: plausible histories over several years.

A history is a list of intended moves (track, action, party, days after the previous move,
reason). It is only a wish list: the loader asks the live path's own transition function (``stages.transition``)
whether each move is allowed where the track stands, and skips the ones that are not.
Contracts received long ago mostly end executed or cancelled; recent ones are cut at
today, so every stage is represented among the open ones.
"""
from __future__ import annotations

import random
from typing import NamedTuple

REASONS = {
    "cancel": "Sponsor withdrew the study",
    "reopen": "Sponsor asked to revise the budget after agreement",
    "conformity_issue": "The insurance clause differs from the agreed terms",
}
class Move(NamedTuple):
    track: int  # 0: the coordinating track, 1...: associated tracks
    action: str
    party: str | None
    gap: int  # calendar days after the previous move
    comment: str | None


def _m(track, action, gap, party=None):
    return Move(track, action, party, gap, REASONS.get(action))


def _negotiation(rnd: random.Random) -> list[Move]:
    moves = []
    if rnd.random() < 0.25:
        moves += [_m(0, "mark_incomplete", rnd.randint(1, 5)), _m(0, "submit_documents", rnd.randint(3, 20))]
    moves.append(_m(0, "mark_complete", rnd.randint(1, 5)))
    rounds = rnd.choices((1, 2, 3, 4), weights=(30, 40, 20, 10))[0]
    for r in range(rounds):
        moves.append(_m(0, "send_to_sponsor", rnd.randint(1, 6)))
        if r < rounds - 1 or rnd.random() < 0.6:
            moves.append(_m(0, "sponsor_replied", rnd.randint(4, 30)))
    moves.append(_m(0, "agree", rnd.randint(1, 8)))
    return moves


def _signatures(rnd: random.Random, associated: int) -> list[Move]:
    """Per track: conformity first (associated), then the three signatures; tracks interleaved."""
    queues = []
    for track in range(associated + 1):
        queue = []
        if track:
            if rnd.random() < 0.1:
                queue.append(_m(track, "conformity_issue", rnd.randint(2, 6)))
            queue.append(_m(track, "conformity_ok", rnd.randint(1, 8)))
        site_parties = ["institution", "investigator"]
        rnd.shuffle(site_parties)
        queue += [_m(track, "sign", rnd.randint(1, 10), p) for p in site_parties]
        queue.append(_m(track, "sign", rnd.randint(2, 15), "sponsor"))
        queues.append(queue)
    moves = []
    while any(queues):
        queue = rnd.choice([q for q in queues if q])
        moves.append(queue.pop(0))
    return moves


def history(index: int, associated: int) -> list[Move]:
    """The intended moves of demo contract ``index`` with that many associated sites."""
    rnd = random.Random(index * 7919 + 17)
    moves = _negotiation(rnd)
    if rnd.random() < 0.06:  # terms reopened after the coordinator's institution signed
        moves += [_m(0, "sign", rnd.randint(2, 8), "institution"), _m(0, "reopen", rnd.randint(2, 10))]
        moves += [_m(0, "send_to_sponsor", rnd.randint(1, 5)), _m(0, "sponsor_replied", rnd.randint(5, 20)),
                  _m(0, "agree", rnd.randint(1, 5))]
    moves += _signatures(rnd, associated)
    fate = rnd.random()
    if fate < 0.12:  # the whole contract cancelled somewhere along the way
        cut = rnd.randint(0, len(moves) - 1)
        moves = moves[:cut] + [_m(0, "cancel", rnd.randint(1, 20))]
    elif fate < 0.16 and associated:  # one associated site withdraws, the others go on
        cut = rnd.randint(0, len(moves) - 1)
        moves.insert(cut, _m(associated, "cancel", rnd.randint(1, 10)))
    elif fate < 0.17:  # stalled: the negotiation stops without an outcome
        moves = moves[:rnd.randint(1, len(moves) - 1)]
    return moves
