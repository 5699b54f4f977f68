"""Fixed histories played through the pipeline, for metrics worked out by hand.

``play`` applies a list of (site, action, month, day) steps to a contract, each effective at
10:00 Paris time on that day of 2026 (tests/metrics/conftest.py's ``history`` is played so).

``build_site_history`` makes the second history below, for the per-site figures (SPEC 5b ``sites``).

All in 2026, effective at 10:00 in Paris; no public holiday falls in January to March
except 1 January. Held time counts working days in (start, end] of each holding.

* P (GR coordinating, IB associated; Novacure; phase I; received Mon 5 Jan, before its
  complete file on Mon 12 Jan):
  GR: sent to the sponsor Fri 16 Jan, reply Mon 26 Jan, agreed Thu 29 Jan, signed Fri 30 Jan,
  Mon 2 Feb, sponsor Tue 3 Feb. Its clock: 12 Jan -> 3 Feb = 22 days, ceiling 12 Jan + 45 =
  Thu 26 Feb: within. From receipt 29 days. Site held 5 -> 16 Jan (9 working days) and
  26 Jan -> 2 Feb (5): 14, within 20. Sponsor held 10 + 1 = 11 calendar days.
  IB: its clock starts at the agreement, Thu 29 Jan; conformity Tue 10 Feb, signed Thu 12,
  Fri 13 Feb, sponsor Wed 18 Feb: 20 days, over its ceiling of 29 Jan + 15 = Fri 13 Feb.
  From receipt 44 days. Site held 29 Jan -> 13 Feb: 11 working days. Sponsor 5 calendar days.
* Q (IB only; Helix; phase II; received Wed 4 Feb): complete Thu 5 Feb, sent Tue 10 Feb,
  reply Mon 9 Mar, agreed Thu 12 Mar, signed Fri 13, Mon 16, sponsor Mon 23 Mar: 46 days,
  yet within its ceiling: 5 Feb + 45 = Sunday 22 Mar, rolled forward to Monday 23 Mar.
  From receipt 47 days. Site held 4 -> 10 Feb (4) and 9 -> 16 Mar (5): 9 working days.
  Sponsor 27 + 7 = 34 calendar days.
* R (GR only; Helix; phase II; received Mon 23 Feb): complete Tue 3 Mar, agreed Tue 24 Mar,
  signed Wed 25, Thu 26, sponsor Fri 27 Mar: 24 days, within 45. From receipt 32 days.
  Site held 23 Feb -> 26 Mar: 23 working days, over the target of 20. Sponsor 1 day.
* S (GR coordinating, IB associated; Novacure; phase I; received Mon 2 Mar): complete Tue 3 Mar,
  still open: a track at each site, executed at neither.

Per site (median of two values is their mean):
  GR: 3 tracks, 2 executed (P 22, R 24 -> 23 days; from receipt 29, 32 -> 30.5); within the
      ceiling 2/2 = 100 %, within the target 1/2 = 50 %.
  IB: 3 tracks, 2 executed (P 20, Q 46 -> 33; from receipt 44, 47 -> 45.5); within the ceiling
      1/2 = 50 %, within the target 2/2 = 100 %.
Per contract: executed P (18 Feb), Q (23 Mar), R (27 Mar); from the complete file 37, 46, 24 ->
median 37; from receipt 44, 47, 32 -> median 44.
"""
from __future__ import annotations

from datetime import date, datetime, time, timezone

from tests.helpers.actors import ADMIN
from tests.helpers.clock import PARIS
from tracker.extensions import db
from tracker.models import Contract, Site
from tracker.pipeline.operations import apply_action


def at(month: int, day: int) -> datetime:
    """10:00 in Paris on a day of 2026."""
    return datetime.combine(date(2026, month, day), time(10, 0), tzinfo=PARIS)


def play(reference: str, steps) -> None:
    """Apply (site, action, month, day) steps to a contract; "sign:party" signs for a party."""
    for site, action, month, day in steps:
        contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
        track = next(t for t in contract.tracks if t.site.code == site)
        action, _, party = action.partition(":")
        apply_action(track, action, actor=ADMIN, now=datetime.now(timezone.utc), effective_at=at(month, day),
                     party=party or None, comment="Withdrawn" if action == "cancel" else None)
        db.session.commit()


SITE_HISTORY = {
    "P": [("GR", "mark_complete", 1, 12), ("GR", "send_to_sponsor", 1, 16), ("GR", "sponsor_replied", 1, 26),
          ("GR", "agree", 1, 29), ("GR", "sign:institution", 1, 30), ("GR", "sign:investigator", 2, 2),
          ("GR", "sign:sponsor", 2, 3), ("IB", "conformity_ok", 2, 10), ("IB", "sign:institution", 2, 12),
          ("IB", "sign:investigator", 2, 13), ("IB", "sign:sponsor", 2, 18)],
    "Q": [("IB", "mark_complete", 2, 5), ("IB", "send_to_sponsor", 2, 10), ("IB", "sponsor_replied", 3, 9),
          ("IB", "agree", 3, 12), ("IB", "sign:institution", 3, 13), ("IB", "sign:investigator", 3, 16),
          ("IB", "sign:sponsor", 3, 23)],
    "R": [("GR", "mark_complete", 3, 3), ("GR", "agree", 3, 24), ("GR", "sign:institution", 3, 25),
          ("GR", "sign:investigator", 3, 26), ("GR", "sign:sponsor", 3, 27)],
    "S": [("GR", "mark_complete", 3, 3)],
}


def build_site_history(make_sponsor, make_contract) -> dict:
    """Contracts P, Q, R and S above; returns their references, the two sponsors' ids and the sites' ids."""
    novacure, helix = make_sponsor("Novacure Oncology SA"), make_sponsor("Hélix Thérapeutique", "US")
    refs = {
        "P": make_contract(novacure, coordinating="GR", sites=("GR", "IB"), received_on=date(2026, 1, 5)),
        "Q": make_contract(helix, coordinating="IB", sites=("IB",), received_on=date(2026, 2, 4), phase="II"),
        "R": make_contract(helix, coordinating="GR", sites=("GR",), received_on=date(2026, 2, 23), phase="II"),
        "S": make_contract(novacure, coordinating="GR", sites=("GR", "IB"), received_on=date(2026, 3, 2)),
    }
    for name, steps in SITE_HISTORY.items():
        play(refs[name], steps)
    sites = {s.code: s.id for s in db.session.execute(db.select(Site)).scalars()}
    db.session.rollback()
    return {"refs": refs, "novacure": novacure, "helix": helix, "sites": sites}
