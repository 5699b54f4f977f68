"""The queue's SQL narrowing gives exactly the urgency order of ``sla.state`` over every row."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone

import pytest

from tracker.mail.window import load_windows
from tracker.audit import Actor
from tracker.extensions import db
from tracker.metrics import ranking
from tracker.metrics.queue import QueueView, site_days
from tracker.models import Contract, Site, Track
from tracker.stages import rules
from tracker.pipeline.operations import apply_action
from tracker.timeutil import local_date, zone

ADMIN = Actor(user_id=None, email="admin@test", role="admin")
PATHS = [
    [], ["mark_incomplete"], ["mark_complete"], ["mark_complete", "send_to_sponsor"],
    ["mark_complete", "send_to_sponsor", "sponsor_replied"], ["mark_complete", "agree"],
    ["mark_complete", "agree", "sign:institution"], ["mark_complete", "agree", "sign:institution", "sign:investigator"],
    ["mark_complete", "agree", "conformity_ok"],
]


@pytest.fixture
def varied(ctx, make_sponsor, make_contract):
    """Forty contracts at both sites, in every open stage, entered on days spread over six weeks."""
    rnd = random.Random(7)
    sponsor = make_sponsor()
    today = local_date(datetime.now(timezone.utc))
    for i in range(40):
        coordinating = "GR" if i % 3 else "IB"
        other = "IB" if coordinating == "GR" else "GR"
        reference = make_contract(sponsor, coordinating=coordinating, sites=(coordinating, other),
                                  received_on=today - timedelta(days=45))
        path = PATHS[i % len(PATHS)]
        moment = datetime.combine(today - timedelta(days=rnd.randint(len(path), 40)), time(9, 0),
                                  tzinfo=zone("Europe/Paris"))
        for step in path:
            contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
            action, _, party = step.partition(":")
            role = "associated" if action == "conformity_ok" else "coordinating"
            track = next(t for t in contract.tracks if t.role == role)
            now = datetime.now(timezone.utc)
            apply_action(track, action, actor=ADMIN, now=now, effective_at=min(moment, now), party=party or None)
            db.session.commit()
            moment += timedelta(days=rnd.randint(0, 6), minutes=1)


def _everything(days):
    ranked = []
    for day in days:
        rows = db.session.execute(ranking.open_tracks().where(Track.site_id == day.site_id)).all()
        ranked += ranking.rank(rows, day)
    return sorted(ranked, key=lambda r: r.key)


def test_pages_in_urgency_order_equal_the_full_sort(varied):
    days = site_days(ADMIN, QueueView(), datetime.now(timezone.utc))
    one_site = days[:1]
    for offset, limit in [(0, 1), (0, 5), (3, 7), (10, 10), (0, 200), (25, 30)]:
        for covered in (days, one_site):
            expected = [r.row.id for r in _everything(covered)][offset:offset + limit]
            got = [r.row.id for r in ranking.most_urgent([], covered, limit, offset)]
            assert got == expected, (offset, limit, len(covered))


def test_the_varied_history_reaches_every_kind_of_state(varied):
    days = site_days(ADMIN, QueueView(), datetime.now(timezone.utc))
    statuses = {r.state.status for r in _everything(days)}
    assert {"breached", "on_track", "paused", "none"} <= statuses


def test_holder_conditions_in_sql_agree_with_the_rules(varied):
    sponsor = set(db.session.execute(db.select(Track.id).where(ranking.sponsor_holds())).scalars())
    site = set(db.session.execute(db.select(Track.id).where(ranking.site_holds())).scalars())
    for track in db.session.execute(db.select(Track)).scalars():
        if track.stage in rules.CLOSED_STAGES:
            continue
        holder = rules.holder(track.stage, {"institution": track.institution_signed_at,
                                            "investigator": track.investigator_signed_at})
        assert (track.id in sponsor, track.id in site) == (holder == "sponsor", holder == "site"), track.stage


def test_the_digest_ranks_with_the_same_code(varied):
    from tracker.alerts import digest

    assert digest.ranking is ranking.ranking
    windows = load_windows()
    site = db.session.execute(db.select(Site).where(Site.code == "GR")).scalar_one()
    today = windows[site.id].today(datetime.now(timezone.utc))
    listed = [r["reference"] for r in ranking.ranking(site, windows[site.id], today)]
    days = [d for d in site_days(ADMIN, QueueView(site="GR"), datetime.now(timezone.utc))]
    assert listed == [r.row.reference for r in ranking.most_urgent([], days, 1000)]
    assert date.today() - timedelta(days=1) <= today <= date.today() + timedelta(days=1)
