"""backup and restore on the engine under test, including a backup taken while others write."""
from __future__ import annotations

import os
import threading
import time
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, text

from tracker import audit, create_app
from tracker.contracts.input import parse_contract
from tracker.contracts.operations import create_contract
from tracker.extensions import db
from tracker.models import Contract
from tracker.pipeline.operations import apply_action

TABLES = ("contracts", "tracks", "events", "audit_entries", "sponsors", "users", "sites", "policies")


@pytest.fixture
def empty_database(app, tmp_path):
    """A URL of a new, empty database on the same engine as the suite's."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    name = f"tracker_restore_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in TABLES}
    finally:
        engine.dispose()


def _write_contracts(app, sponsor_id: int, stop: threading.Event, written: list) -> None:
    """Create contracts and move them, one transaction each, until told to stop."""
    with app.app_context():
        while not stop.is_set():
            now = datetime.now(timezone.utc)
            draft = parse_contract({"sponsor_id": sponsor_id, "title": "Written during the backup",
                                    "protocol_number": "BK-1", "phase": "I", "coordinating_site": "GR",
                                    "sites": ["GR", "IB"], "received_on": (date.today() - timedelta(days=3)).isoformat()},
                                   today=date.today())
            contract = create_contract(draft, actor=audit.SYSTEM, now=now)
            db.session.commit()
            apply_action(contract.coordinating_track, "mark_complete", actor=audit.SYSTEM, now=datetime.now(timezone.utc))
            db.session.commit()
            written.append(contract.reference)
        db.session.remove()


def _restored_app(url: str):
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test-secret",
                       "RATELIMIT_ENABLED": False})


def test_a_backup_taken_during_writes_restores_whole(app, make_sponsor, make_contract, empty_database, tmp_path):
    sponsor_id = make_sponsor()
    for _ in range(3):
        make_contract(sponsor_id)
    anchored = app.test_cli_runner().invoke(args=["audit", "anchor"])  # as the scheduler does every five minutes
    assert anchored.exit_code == 0, anchored.output
    stop, written = threading.Event(), []
    writer = threading.Thread(target=_write_contracts, args=(app, sponsor_id, stop, written))
    writer.start()
    try:
        while len(written) < 3:
            time.sleep(0.05)
        taken = app.test_cli_runner().invoke(args=["backup", "--to", str(tmp_path / "live.backup")])
    finally:
        stop.set()
        writer.join(timeout=60)
    assert taken.exit_code == 0, taken.output
    assert len(written) >= 3

    restored = _restored_app(empty_database)
    done = restored.test_cli_runner().invoke(args=["restore", "--from", str(tmp_path / "live.backup")])
    assert done.exit_code == 0, done.output
    with restored.app_context():
        assert audit.verify(db.session) is None  # no half-written transaction broke the chain
        contracts = db.session.execute(db.select(Contract)).scalars().all()
        assert len(contracts) >= 6
        for contract in contracts:  # each contract whole: both tracks, each opened by its event
            assert len(contract.tracks) == 2
            assert all(any(e.action == "receive" for e in t.events) for t in contract.tracks)
            for track in contract.tracks:
                assert track.stage == track.events[-1].to_stage
        verify = restored.test_cli_runner().invoke(args=["audit", "verify"])
        assert verify.exit_code == 0, verify.output
        db.session.remove()


def test_a_quiet_backup_restores_identical_row_counts(app, make_sponsor, make_contract, empty_database, tmp_path):
    sponsor_id = make_sponsor()
    for _ in range(4):
        make_contract(sponsor_id)
    source = app.config["SQLALCHEMY_DATABASE_URI"]
    assert app.test_cli_runner().invoke(args=["backup", "--to", str(tmp_path / "quiet.backup")]).exit_code == 0
    restored = _restored_app(empty_database)
    assert restored.test_cli_runner().invoke(args=["restore", "--from", str(tmp_path / "quiet.backup")]).exit_code == 0
    assert _counts(empty_database) == _counts(source)


def test_refusals_name_the_problem_and_change_nothing(app, make_sponsor, empty_database, tmp_path):
    make_sponsor()
    cli = app.test_cli_runner()
    existing = tmp_path / "exists.backup"
    existing.write_bytes(b"x")
    refused = cli.invoke(args=["backup", "--to", str(existing)])
    assert refused.exit_code == 1 and "already exists" in refused.output and existing.read_bytes() == b"x"
    refused = cli.invoke(args=["backup", "--to", str(tmp_path / "no" / "such" / "dir" / "b")])
    assert refused.exit_code == 1 and "does not exist" in refused.output
    refused = cli.invoke(args=["restore", "--from", str(tmp_path / "missing.backup")])
    assert refused.exit_code == 1 and "no backup file" in refused.output
    # Restoring over the live, non-empty database is refused before anything is read.
    assert cli.invoke(args=["backup", "--to", str(tmp_path / "good.backup")]).exit_code == 0
    before = _counts(app.config["SQLALCHEMY_DATABASE_URI"])
    refused = cli.invoke(args=["restore", "--from", str(tmp_path / "good.backup")])
    assert refused.exit_code == 1 and "not empty" in refused.output
    assert _counts(app.config["SQLALCHEMY_DATABASE_URI"]) == before
    # A file that is not a backup is refused and leaves the empty target empty.
    garbage = tmp_path / "garbage.backup"
    garbage.write_bytes(os.urandom(4096))
    target = _restored_app(empty_database)
    refused = target.test_cli_runner().invoke(args=["restore", "--from", str(garbage)])
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    engine = create_engine(empty_database)
    try:
        from sqlalchemy import inspect
        assert inspect(engine).get_table_names() == []
    finally:
        engine.dispose()
