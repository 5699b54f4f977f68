"""The bulk demo loader stores what the live pipeline would: a verifying audit chain, stored clocks equal
to a replay of the events, metrics figures equal to their derivation, and a data set live actions continue."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy.orm import selectinload

from tracker import audit
from tracker.extensions import db
from tracker.metrics import record
from tracker.models import Contract, ContractFigures, Event, StageVisit, Track, TrackFigures
from tracker.stages import rules
from tracker.pipeline.operations import apply_action
from tracker.sla import stored
from tracker.sla.state import replay_state

NOW = datetime(2026, 11, 20, 15, 30, tzinfo=timezone.utc)
COUNT = 300


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=list(args))


@pytest.fixture
def seeded(app):
    from tracker.demo.seed import seed

    with app.app_context():
        seed(count=COUNT, now=NOW, echo=lambda _line: None)
        db.session.remove()


def _contracts():
    return db.session.execute(db.select(Contract).options(
        selectinload(Contract.tracks).selectinload(Track.events),
        selectinload(Contract.tracks).selectinload(Track.site)).order_by(Contract.id)).scalars().all()


def test_the_command_loads_a_set_whose_audit_chain_verifies(cli, app):
    result = cli("seed-demo", "--contracts", str(COUNT))
    assert result.exit_code == 0, result.output
    assert f"Created {COUNT} demo contracts." in result.output
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Contract.id))).scalar() == COUNT
        stages = set(db.session.execute(db.select(Track.stage)).scalars())
        statuses = set(db.session.execute(db.select(Contract.status)).scalars())
        years = {r.split("-")[1] for r in db.session.execute(db.select(Contract.reference)).scalars()}
        sponsors = db.session.execute(db.select(db.func.count(db.distinct(Contract.sponsor_id)))).scalar()
    assert set(rules.ALL_STAGES) <= stages
    assert statuses == {"open", "executed", "cancelled"}
    assert len(years) >= 3 and sponsors >= 6  # several years, sponsors of several countries
    assert cli("audit", "anchor").exit_code == 0  # as the scheduler does every few minutes
    verified = cli("audit", "verify")
    assert verified.exit_code == 0, verified.output
    again = cli("seed-demo", "--contracts", str(COUNT))  # nothing missing: nothing added
    assert again.exit_code == 0 and "Created" not in again.output


def test_stored_clocks_equal_a_replay_of_the_events(app, seeded):
    with app.app_context():
        tracks = [t for c in _contracts() for t in c.tracks]
        assert len(tracks) > COUNT
        for track in tracks:
            events = sorted(track.events, key=lambda e: e.seq)
            assert [e.seq for e in events] == list(range(1, len(events) + 1))
            last = events[-1]
            assert (track.stage, track.round) == (last.to_stage, last.round), track
            assert track.visit == 1 + sum(1 for e in events[1:] if e.to_stage != e.from_stage)
            replayed = stored.values_of(replay_state(track, NOW))
            # The load ends with a sweep (recording the history's alerts), which moves each next look on.
            look = replayed.pop("next_alert_on", None)
            assert {name: getattr(track, name) for name in replayed} == replayed, track
            assert look is None or track.next_alert_on is None or track.next_alert_on >= look, track


def test_metrics_figures_equal_their_derivation(app, seeded):
    with app.app_context():
        for contract in _contracts():
            figures, closed, visits = record.derive(contract)
            row = db.session.get(ContractFigures, contract.id)
            if row is None:  # the live path writes figures on the first action; init-db backfills the others
                assert all(len(t.events) == 1 for t in contract.tracks)
                continue
            assert {k: getattr(row, k) for k in figures} == figures
            stored_closed = db.session.execute(db.select(TrackFigures).where(
                TrackFigures.contract_id == contract.id).order_by(TrackFigures.track_id)).scalars().all()
            assert [{k: getattr(r, k) for k in closed[0]} for r in stored_closed] == closed if closed \
                else not stored_closed
            count = db.session.execute(db.select(db.func.count()).select_from(StageVisit).where(
                StageVisit.contract_id == contract.id)).scalar()
            assert count == len(visits)


def test_the_loaded_set_takes_live_actions_and_sweeps(app, seeded):
    from tracker.alerts.sweep import sweep

    with app.app_context():
        track = db.session.execute(db.select(Track).where(Track.stage == rules.REVIEW).limit(1)).scalar_one()
        before = db.session.execute(db.select(db.func.max(Event.id))).scalar()
        event = apply_action(track, "send_to_sponsor", actor=audit.SYSTEM, now=NOW)
        db.session.commit()
        assert event.id == before + 1  # the id sequences continue after the loaded rows
        sweep(NOW)
        db.session.commit()
        assert audit.verify(db.session) is None


def test_the_alerts_of_the_loaded_history_are_recorded_unsent(app, seeded):
    """A loaded history does not flood mailboxes: what it raised is kept as imported, and the next
    sweeps queue only what falls due from then on."""
    from tracker.alerts.sweep import sweep
    from tracker.demo.scenarios import DEMO_AGREEMENTS
    from tracker.models import OutboxMessage

    with app.app_context():
        first_loaded = db.session.execute(db.select(Contract.id).order_by(Contract.id)
                                          .offset(DEMO_AGREEMENTS).limit(1)).scalar()
        imported = db.session.execute(db.select(OutboxMessage).where(OutboxMessage.status == "imported")).scalars().all()
        assert len(imported) > 20
        assert all(row.contract_id >= first_loaded and row.sent_at is None for row in imported)
        assert {row.kind for row in imported} >= {"breach", "sponsor_reminder"}

        def queued_for_loaded():
            return db.session.execute(db.select(db.func.count()).select_from(OutboxMessage).where(
                OutboxMessage.status == "queued", OutboxMessage.contract_id >= first_loaded)).scalar()

        sweep(NOW)
        db.session.commit()
        assert queued_for_loaded() == 0  # the same moment: everything due is already recorded
        sweep(datetime(2026, 11, 27, 15, 30, tzinfo=timezone.utc))  # a week on: only what fell due since
        db.session.commit()
        assert 0 < queued_for_loaded() < len(imported)


def test_postgresql_plans_the_loaded_set_with_fresh_statistics(app, seeded):
    """Pages asked for right after a bulk load are planned from the loaded rows, not from empty tables."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite keeps its default plans (see demo.writing.refresh_statistics)")
        analysed = dict(db.session.execute(db.text(
            "SELECT relname, last_analyze FROM pg_stat_user_tables WHERE relname IN ('contracts', 'tracks', 'events')")).all())
    assert set(analysed) == {"contracts", "tracks", "events"}
    assert all(when is not None for when in analysed.values())


def test_the_loaded_rows_add_up_and_hang_on_one_continuous_chain(app, seeded):
    """Every loaded contract, track and event is where the others say it is, and the trail is one chain
    with no gap: the loader's chunks, written while the next is built, neither drop nor repeat rows."""
    from tracker.demo.scenarios import DEMO_AGREEMENTS
    from tracker.models import AuditEntry

    with app.app_context():
        count, last = db.session.execute(db.select(db.func.count(AuditEntry.id), db.func.max(AuditEntry.id))).one()
        assert count == last  # ids 1..last, none missing
        assert audit.verify(db.session) is None
        loaded = [c for c in _contracts() if c.id > DEMO_AGREEMENTS]
        assert len(loaded) == COUNT - DEMO_AGREEMENTS
        tracks = [t for c in loaded for t in c.tracks]
        assert all(len(t.events) == t.version for t in tracks)  # one version per event, from receipt on
        events = db.session.execute(db.select(db.func.count(Event.id)).where(Event.contract_id > DEMO_AGREEMENTS)).scalar()
        assert events == sum(t.version for t in tracks)
        created = set(db.session.execute(db.select(AuditEntry.entity_id).where(
            AuditEntry.entity == "contract", AuditEntry.field == "reference")).scalars())
        assert {str(c.id) for c in loaded} <= created  # each loaded contract's creation is in the trail
        opened = set(db.session.execute(db.select(AuditEntry.entity_id).where(AuditEntry.entity == "track")).scalars())
        assert {str(t.id) for t in tracks} <= opened
