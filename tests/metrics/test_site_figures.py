"""Each site measured on its own track (SPEC 5b ``sites``), against the figures worked out by hand in
``site_history.py``: a coordinating track within 45 days, an associated one over 15, a ceiling rolled
forward past a weekend, a site over the working-day target, a contract received before its complete file."""
from __future__ import annotations

from datetime import date

from werkzeug.datastructures import MultiDict

from tracker.audit import Actor
from tracker.extensions import db
from tracker.metrics import record
from tracker.metrics.figures import metrics
from tracker.metrics.filters import parse
from tracker.models import Contract, ContractFigures, TrackFigures

ADMIN = Actor(user_id=None, email="admin@test", role="admin")
GR = {"tracks": 3, "executed": 2, "median_days_to_signature": 23, "median_days_from_receipt": 30.5,
      "within_ceiling_pct": 100.0, "within_target_pct": 50.0}
IB = {"tracks": 3, "executed": 2, "median_days_to_signature": 33, "median_days_from_receipt": 45.5,
      "within_ceiling_pct": 50.0, "within_target_pct": 100.0}


def figures(**args):
    return metrics(ADMIN, parse(MultiDict({k: str(v) for k, v in args.items()})))


def _track_rows(reference):
    contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
    rows = db.session.execute(db.select(TrackFigures).where(TrackFigures.contract_id == contract.id)).scalars()
    codes = {t.id: t.site.code for t in contract.tracks}
    return {codes[r.track_id]: r for r in rows}


def test_each_closed_track_stores_its_own_clock_ceiling_and_target(site_history, ctx):
    refs = site_history["refs"]
    p = _track_rows(refs["P"])
    gr, ib = p["GR"], p["IB"]
    assert (gr.role, gr.started_on, gr.closed_on, gr.ceiling_on) == (
        "coordinating", date(2026, 1, 12), date(2026, 2, 3), date(2026, 2, 26))
    assert (gr.days_to_signature, gr.days_from_receipt, gr.within_ceiling) == (22, 29, True)
    assert (gr.site_working_days, gr.sponsor_calendar_days, gr.within_target) == (14, 11, True)
    assert (ib.role, ib.started_on, ib.ceiling_on) == ("associated", date(2026, 1, 29), date(2026, 2, 13))
    assert (ib.days_to_signature, ib.days_from_receipt, ib.within_ceiling) == (20, 44, False)
    assert (ib.site_working_days, ib.sponsor_calendar_days, ib.within_target) == (11, 5, True)
    q = _track_rows(refs["Q"])["IB"]
    assert (q.days_to_signature, q.ceiling_on, q.within_ceiling) == (46, date(2026, 3, 23), True)  # rolled
    assert (q.site_working_days, q.sponsor_calendar_days, q.within_target) == (9, 34, True)
    r = _track_rows(refs["R"])["GR"]
    assert (r.days_to_signature, r.days_from_receipt, r.site_working_days, r.within_target) == (24, 32, 23, False)
    assert _track_rows(refs["S"]) == {}  # open tracks have no closed figures


def test_sites_member_matches_the_hand_computation(site_history, ctx):
    m = figures()
    assert m["sites"] == {"GR": GR, "IB": IB}
    # The whole contract: from the complete file 37, 46, 24 days; from receipt 44, 47, 32.
    assert (m["executed"], m["median_days_to_execution"], m["median_days_from_receipt_to_execution"]) == (3, 37, 44)
    # Agreement: P 29 Jan, Q 12 Mar, R 24 Mar; from receipt 24, 36, 29 days.
    assert m["median_days_from_receipt_to_agreement"] == 29


def test_a_site_filter_measures_that_site_on_its_own_track(site_history, ctx):
    ib = figures(site="IB")
    assert ib["sites"] == {"IB": IB}
    # The contract figure (P executed on 18 Feb, Q on 23 Mar: 37 and 46 days) is not IB's own time.
    assert ib["median_days_to_execution"] == 41.5 and ib["sites"]["IB"]["median_days_to_signature"] == 33


def test_the_other_filters_apply_to_the_sites(site_history, ctx):
    helix = figures(sponsor_id=site_history["helix"])
    assert helix["sites"]["GR"] == {"tracks": 1, "executed": 1, "median_days_to_signature": 24,
                                    "median_days_from_receipt": 32, "within_ceiling_pct": 100.0,
                                    "within_target_pct": 0.0}
    assert helix["sites"]["IB"]["median_days_to_signature"] == 46
    phase1 = figures(phase="I")
    assert phase1["sites"]["IB"] == {"tracks": 2, "executed": 1, "median_days_to_signature": 20,
                                     "median_days_from_receipt": 44, "within_ceiling_pct": 0.0,
                                     "within_target_pct": 100.0}
    march = figures(**{"from": "2026-03-01"})
    assert march["sites"] == {"GR": {"tracks": 1, "executed": 0, "median_days_to_signature": None,
                                     "median_days_from_receipt": None, "within_ceiling_pct": None,
                                     "within_target_pct": None},
                              "IB": {"tracks": 1, "executed": 0, "median_days_to_signature": None,
                                     "median_days_from_receipt": None, "within_ceiling_pct": None,
                                     "within_target_pct": None}}


def test_backfill_derives_rows_of_an_older_revision_again(site_history, ctx):
    db.session.execute(db.update(TrackFigures).values(role=None, days_to_signature=None, within_ceiling=None))
    db.session.execute(db.update(ContractFigures).values(revision=None, days_from_receipt_to_execution=None))
    db.session.commit()
    assert record.backfill() == 4
    db.session.commit()
    from tracker.metrics.figures import clear_cache

    clear_cache()
    assert figures()["sites"] == {"GR": GR, "IB": IB}
    assert record.backfill() == 0  # nothing older is left
