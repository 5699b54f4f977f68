"""The metrics equal the figures worked out by hand from the fixed history (see conftest)."""
from __future__ import annotations

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from tracker.errors import InvalidInput
from tracker.extensions import db
from tracker.metrics import record
from tracker.metrics.figures import median, metrics
from tracker.metrics.filters import parse
from tracker.models import ContractFigures, StageVisit, TrackFigures
from tracker.audit import Actor

ADMIN = Actor(user_id=None, email="admin@test", role="admin")


def figures(**args):
    return metrics(ADMIN, parse(MultiDict({k: str(v) for k, v in args.items()})))


@pytest.mark.parametrize("pairs, expected", [
    ([], None), ([(5, 1)], 5), ([(1, 1), (4, 1)], 2.5), ([(3, 2), (9, 1)], 3), ([(1, 2), (2, 2)], 1.5),
    ([(10, 1), (2, 3), (None, 4)], 2),
])
def test_median_from_value_counts(pairs, expected):
    assert median(pairs) == expected


def test_unfiltered_figures(history):
    m = figures()
    assert (m["contracts"], m["executed"], m["open"], m["cancelled"]) == (4, 2, 1, 1)
    # A: 7 Jan -> 21 Jan = 14 days, -> 28 Jan = 21; B: 3 Feb -> 3 Mar = 28, -> 10 Mar = 35.
    assert m["median_days_to_agreement"] == 21
    assert m["median_days_to_execution"] == 28
    assert m["median_rounds"] == 1.5
    # Executed tracks: GR on A held 9 working days (sponsor 10 calendar days), IB on A 4 (1), IB on B 11 (23).
    assert m["median_site_held_working_days"] == 9
    assert m["median_sponsor_held_days"] == 10
    # 13 finished visits had a deadline; only B's later-round review (due 2 Mar, agreed 3 Mar) was late.
    assert m["within_sla_pct"] == round(100 * 12 / 13, 1)
    assert m["within_sla_by_stage"]["review"] == {"finished": 6, "within": 5, "pct": round(100 * 5 / 6, 1)}
    assert m["stages"]["executed"] == 3 and m["stages"]["with_sponsor"] == 1
    assert m["stages"]["waiting_coordinator"] == 1 and m["stages"]["cancelled"] == 1
    assert m["benchmarks"]["regulatory_ceiling_days"] == 45
    assert m["benchmarks"]["national_target_days"] == 60
    assert m["benchmarks"]["historic_national_average_days"] == 111


def test_site_filter_counts_the_contracts_it_takes_part_in_and_its_own_tracks(history):
    ib = figures(site="IB")
    assert (ib["contracts"], ib["executed"]) == (3, 2)
    assert ib["median_days_to_execution"] == 28
    assert ib["median_site_held_working_days"] == 7.5  # 4 and 11
    assert ib["median_sponsor_held_days"] == 12  # 1 and 23
    assert ib["within_sla_pct"] == round(100 * 6 / 7, 1)
    assert ib["stages"]["executed"] == 2 and ib["stages"]["cancelled"] == 0
    gr = figures(site="gr")
    assert (gr["contracts"], gr["executed"], gr["median_days_to_agreement"]) == (3, 1, 14)
    assert (gr["median_site_held_working_days"], gr["median_sponsor_held_days"], gr["within_sla_pct"]) == (9, 10, 100.0)


def test_sponsor_phase_and_period_filters(history):
    novacure = figures(sponsor_id=history["novacure"])
    assert (novacure["contracts"], novacure["executed"], novacure["median_days_to_agreement"],
            novacure["median_days_to_execution"], novacure["median_rounds"]) == (2, 1, 14, 21, 1)
    phase2 = figures(phase="II")
    assert (phase2["contracts"], phase2["median_days_to_agreement"], phase2["median_rounds"]) == (1, 28, 2)
    since = figures(**{"from": "2026-02-01"})
    assert (since["contracts"], since["executed"], since["median_days_to_execution"]) == (3, 1, 35)
    until = figures(to="2026-01-31")
    assert (until["contracts"], until["median_days_to_execution"]) == (1, 21)
    both = figures(**{"from": "2026-03-01", "to": "2026-03-31"})
    assert (both["contracts"], both["executed"], both["median_days_to_execution"]) == (1, 0, None)


def test_staff_see_the_metrics_of_their_sites_contracts_only(history):
    ib_legal = Actor(user_id=None, email="l@ib", role="legal", site_id=history["sites"]["IB"], site_code="IB")
    assert metrics(ib_legal, parse(MultiDict()))["contracts"] == 3


@pytest.mark.parametrize("args, field", [
    ({"site": "XX"}, "site"), ({"sponsor_id": "abc"}, "sponsor_id"), ({"sponsor_id": "99999"}, "sponsor_id"),
    ({"phase": "V"}, "phase"), ({"from": "2026-13-01"}, "from"), ({"to": "yesterday"}, "to"),
    ({"from": "2026-03-01", "to": "2026-02-01"}, "to"),
])
def test_bad_filters_name_the_parameter(history, args, field):
    with pytest.raises(InvalidInput) as refused:
        parse(MultiDict(args))
    assert field in refused.value.errors


def _snapshot():
    def rows(model, key):
        return sorted(({c.name: getattr(r, c.name) for c in model.__table__.columns}
                       for r in db.session.execute(db.select(model)).scalars()), key=key)
    return (rows(ContractFigures, lambda r: r["contract_id"]), rows(TrackFigures, lambda r: r["track_id"]),
            rows(StageVisit, lambda r: (r["track_id"], r["seq"])))


def test_backfill_from_the_events_equals_what_the_pipeline_wrote(history):
    written = _snapshot()
    assert len(written[0]) == 4 and len(written[1]) == 4 and written[2]
    late = [v for v in written[2] if v["within"] is False]
    assert [(v["stage"], v["round"], v["due_on"], v["site_done_on"]) for v in late] == [
        ("review", 2, date(2026, 3, 2), date(2026, 3, 3))]
    for model in (StageVisit, TrackFigures, ContractFigures):
        db.session.execute(db.delete(model))
    db.session.commit()
    assert record.backfill() == 4
    db.session.commit()
    assert _snapshot() == written
    assert record.backfill() == 0  # nothing missing any more
    assert record.recompute_all() == 4
    db.session.commit()
    assert _snapshot() == written


def test_figures_follow_the_next_action(history):
    from tests.helpers.histories import play

    assert figures()["cancelled"] == 1
    play(history["refs"]["C"], [("GR", "cancel", 4, 1)])
    after = figures()
    assert (after["cancelled"], after["open"], after["stages"]["cancelled"]) == (2, 0, 3)


def test_init_db_fills_the_figures_of_contracts_that_have_none(history, app):
    for model in (StageVisit, TrackFigures, ContractFigures):
        db.session.execute(db.delete(model))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    db.session.rollback()
    assert figures()["median_days_to_execution"] == 28
    assert db.session.execute(db.select(db.func.count()).select_from(ContractFigures)).scalar() == 4
