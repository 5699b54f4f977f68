"""Storage guarantees: UTC in, aware datetimes out, and SQLite fit for concurrent writers."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.exc import StatementError

from tracker.extensions import db
from tracker.models import Sponsor


def test_datetimes_come_back_aware_and_in_utc(ctx):
    paris = datetime(2026, 3, 31, 18, 30, tzinfo=ZoneInfo("America/New_York"))
    db.session.add(Sponsor(name="Zone test", created_at=paris))
    db.session.commit()
    db.session.expire_all()
    stored = db.session.execute(db.select(Sponsor).where(Sponsor.name == "Zone test")).scalar_one()
    assert stored.created_at.tzinfo is not None
    assert stored.created_at.utcoffset() == timedelta(0)
    assert stored.created_at == paris
    assert stored.created_at.astimezone(ZoneInfo("Europe/Paris")).date().isoformat() == "2026-04-01"


def test_naive_datetimes_are_refused(ctx):
    db.session.add(Sponsor(name="Naive", created_at=datetime(2026, 1, 1, 12, 0)))
    with pytest.raises(StatementError, match="naive datetime"):
        db.session.commit()
    db.session.rollback()


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(ctx):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite settings")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_schema_matches_the_models(app):
    """The migrations build exactly what the models describe (no forgotten revision)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with app.app_context(), db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == []


def test_the_partial_indexes_on_open_tracks_name_every_open_stage():
    """The queue's index of open tracks (ix_tracks_open_due) lists the open stages itself: a stage added to
    the pipeline must be added there too (and in a migration), or the queue stops reading that index."""
    from tracker.models.contracts import OPEN_TRACK_STAGES
    from tracker.stages.rules import OPEN_STAGES

    assert OPEN_TRACK_STAGES == tuple(OPEN_STAGES)


def test_health_reports_the_database(client, ctx):
    assert client.get("/api/v1/health").json["database"] == "ok"
    assert db.session.execute(text("SELECT 1")).scalar() == 1
