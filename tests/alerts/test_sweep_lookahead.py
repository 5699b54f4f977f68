"""The sweep reads only the tracks whose next look has come, and still queues every alert on its day.

A demo set is swept day after day for five weeks; each day, every alert the rules call for
on any open track (judged by reading all of them, as a sweep over every contract would) must
be in the outbox once that day's sweep has run.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tracker.alerts.context import load_directory
from tracker.alerts.sweep import _base, alerts_for_rows, sweep
from tracker.extensions import db
from tracker.mail.render import rendering
from tracker.models import OutboxMessage, Track

START = datetime(2026, 11, 2, 7, 0, tzinfo=timezone.utc)


@pytest.fixture
def demo(app):
    from tracker.demo.seed import seed

    with app.app_context():
        seed(count=160, now=START, echo=lambda _line: None)
        db.session.remove()


def _called_for(now) -> set[str]:
    """Outbox keys of every alert the rules call for at ``now``, judging every open track (no look-ahead)."""
    directory = load_directory(now)
    with rendering():
        return {alert.key for alert in alerts_for_rows(directory, db.session.execute(_base()).all())}


def _queued() -> set[str]:
    return set(db.session.execute(db.select(OutboxMessage.key)).scalars())


def test_daily_sweeps_queue_every_alert_on_its_day(app, demo):
    with app.app_context():
        looked_at = []
        for day in range(35):
            now = START + timedelta(days=day, hours=(day * 5) % 12)
            due_tracks = db.session.execute(db.select(db.func.count(Track.id)).where(
                Track.next_alert_on <= now.date())).scalar()
            sweep(now)
            db.session.commit()
            looked_at.append(due_tracks)
            missing = _called_for(now) - _queued()
            assert not missing, f"day {day}: {sorted(missing)[:5]}"
        open_tracks = db.session.execute(db.select(db.func.count(Track.id)).where(
            Track.next_alert_on.is_not(None))).scalar()
        # The seed's own sweep (recording the loaded history's alerts as imported) read every loaded track;
        # each later sweep reads only those whose next look has come (each open track at least once a week).
        assert looked_at[0] < open_tracks
        assert sum(looked_at) / len(looked_at) < open_tracks / 3


def test_a_repeated_sweep_reads_nothing_and_an_event_brings_the_track_back(app, demo):
    from tracker import audit
    from tracker.stages import rules
    from tracker.pipeline.operations import apply_action

    with app.app_context():
        sweep(START)
        db.session.commit()
        today = START.date()
        assert db.session.execute(db.select(db.func.count(Track.id)).where(Track.next_alert_on <= today)).scalar() == 0
        assert sweep(START + timedelta(minutes=30)) == 0
        track = db.session.execute(db.select(Track).where(Track.stage == rules.REVIEW).limit(1)).scalar_one()
        apply_action(track, "send_to_sponsor", actor=audit.SYSTEM, now=START + timedelta(hours=1))
        db.session.commit()
        assert track.next_alert_on <= today
