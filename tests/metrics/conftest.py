"""A small fixed history whose metrics are worked out by hand in the tests.

All dates are 2026, effective at 10:00 in Paris; no public holiday falls in the
periods used except 1 January.

* A (GR coordinating, IB associated; Novacure; phase I; received 5 Jan): complete 7 Jan,
  one round (12 -> 19 Jan), agreed 21 Jan, GR signed 22, 23, 26 Jan; IB conformity 23 Jan,
  signed 26, 27, 28 Jan: executed 28 Jan.
* B (IB only; Helix; phase II; received 2 Feb): complete 3 Feb, rounds 5 -> 16 Feb and
  18 -> 25 Feb, agreed 3 Mar (a day after the later-round review was due), signed 4, 5,
  10 Mar: executed 10 Mar.
* C (GR coordinating, IB associated; Novacure; phase I; received 2 Mar): complete 3 Mar,
  with the sponsor since 4 Mar.
* D (GR only; Helix; phase I/II; received 1 Apr): cancelled 2 Apr.
"""
from __future__ import annotations

from datetime import date

import pytest

from tests.helpers.histories import build_site_history, play
from tracker.extensions import db
from tracker.models import Site


@pytest.fixture(autouse=True)
def fresh_figures():
    """Figures cached by an earlier test's database must not answer for this one."""
    from tracker.metrics import figures

    figures.clear_cache()
    yield
    figures.clear_cache()


HISTORY = {
    "A": [("GR", "mark_complete", 1, 7), ("GR", "send_to_sponsor", 1, 12), ("GR", "sponsor_replied", 1, 19),
          ("GR", "agree", 1, 21), ("GR", "sign:institution", 1, 22), ("GR", "sign:investigator", 1, 23),
          ("IB", "conformity_ok", 1, 23), ("GR", "sign:sponsor", 1, 26), ("IB", "sign:institution", 1, 26),
          ("IB", "sign:investigator", 1, 27), ("IB", "sign:sponsor", 1, 28)],
    "B": [("IB", "mark_complete", 2, 3), ("IB", "send_to_sponsor", 2, 5), ("IB", "sponsor_replied", 2, 16),
          ("IB", "send_to_sponsor", 2, 18), ("IB", "sponsor_replied", 2, 25), ("IB", "agree", 3, 3),
          ("IB", "sign:institution", 3, 4), ("IB", "sign:investigator", 3, 5), ("IB", "sign:sponsor", 3, 10)],
    "C": [("GR", "mark_complete", 3, 3), ("GR", "send_to_sponsor", 3, 4)],
    "D": [("GR", "cancel", 4, 2)],
}


@pytest.fixture
def history(ctx, make_sponsor, make_contract):
    """The four contracts above; returns their references and the two sponsors' ids."""
    novacure, helix = make_sponsor("Novacure Oncology SA"), make_sponsor("Hélix Thérapeutique", "US")
    refs = {
        "A": make_contract(novacure, coordinating="GR", sites=("GR", "IB"), received_on=date(2026, 1, 5)),
        "B": make_contract(helix, coordinating="IB", sites=("IB",), received_on=date(2026, 2, 2), phase="II"),
        "C": make_contract(novacure, coordinating="GR", sites=("GR", "IB"), received_on=date(2026, 3, 2)),
        "D": make_contract(helix, coordinating="GR", sites=("GR",), received_on=date(2026, 4, 1), phase="I/II"),
    }
    for name, steps in HISTORY.items():
        play(refs[name], steps)
    sites = {s.code: s.id for s in db.session.execute(db.select(Site)).scalars()}
    db.session.rollback()  # end the read: on SQLite it holds the write lock other requests need
    return {"refs": refs, "novacure": novacure, "helix": helix, "sites": sites}


@pytest.fixture
def site_history(app, make_sponsor, make_contract):
    """The per-site history of tests/helpers/histories.py: contracts P, Q, R and S.

    Built in an app context of its own that ends before the test, so that the pages a test
    requests choose their language themselves (Flask-Babel keeps the locale on the app context).
    """
    with app.app_context():
        built = build_site_history(make_sponsor, make_contract)
        db.session.remove()
    return built
