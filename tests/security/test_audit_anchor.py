"""An insider with the database but not the key cannot rewrite the audit trail unseen, nor cut its end."""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import stat
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import text

from tracker import ROOT, audit
from tracker.audit.anchors import log_path
from tracker.audit.chain import plain_digest
from tracker.extensions import db
from tracker.models import AuditEntry, Contract
from tracker.pipeline.operations import apply_action

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=list(args))


@pytest.fixture
def trail(app, make_sponsor, make_contract):
    reference = make_contract(make_sponsor())
    with app.app_context():
        contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
        for action in ("mark_complete", "send_to_sponsor", "sponsor_replied"):
            apply_action(contract.coordinating_track, action, actor=audit.SYSTEM, now=datetime.now(timezone.utc))
        db.session.commit()
        return db.session.execute(db.select(AuditEntry.id).order_by(AuditEntry.id)).scalars().all()


def _sql(app, statement, **params):
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(text(statement), params)


def _forge_from(app, first_id: int, digest) -> None:
    """What an insider with write access can do: edit a row, then recompute every later link."""
    with app.app_context():
        rows = db.session.execute(db.select(AuditEntry).where(AuditEntry.id >= first_id - 1)
                                  .order_by(AuditEntry.id)).scalars().all()
        prev = rows[0].hash if rows[0].id < first_id else audit.GENESIS
        forged = []
        for row in rows:
            if row.id < first_id:
                continue
            if row.id == first_id:
                row.new_value = "executed"
            row.prev_hash = prev
            row.hash = digest(row)
            prev = row.hash
            forged.append((row.id, row.new_value, row.prev_hash, row.hash))
        db.session.rollback()
    for row_id, value, prev_hash, digest_value in forged:
        _sql(app, "UPDATE audit_entries SET new_value = :v, prev_hash = :p, hash = :h WHERE id = :id",
             v=value, p=prev_hash, h=digest_value, id=row_id)


def _wrong_key(row):
    from tracker.audit.chain import keyed_digest

    return keyed_digest(row, "a key guessed by the insider")


@pytest.mark.parametrize("digest", [plain_digest, _wrong_key], ids=["app's-plain-sha256", "wrong-key"])
def test_a_row_edited_and_every_later_hash_recomputed_is_caught(app, cli, trail, digest):
    target = trail[len(trail) // 2]
    _forge_from(app, target, digest)
    result = cli("audit", "verify")
    assert result.exit_code == 1
    assert f"broken at entry {target} " in result.output


def test_rewriting_the_whole_trail_with_plain_hashes_is_caught_by_the_anchor(app, cli, trail):
    assert cli("audit", "anchor").exit_code == 0
    _forge_from(app, trail[0], plain_digest)
    result = cli("audit", "verify")
    assert result.exit_code == 1 and "differs from the anchor" in result.output


def test_rows_deleted_from_the_end_after_an_anchor_are_named(app, cli, trail):
    anchored = cli("audit", "anchor")
    assert anchored.exit_code == 0 and f"Anchored entry {trail[-1]} " in anchored.output
    assert cli("audit", "verify").exit_code == 0
    _sql(app, "DELETE FROM audit_entries WHERE id > :id", id=trail[-4])
    result = cli("audit", "verify")
    assert result.exit_code == 1
    assert f"entries {trail[-3]} to {trail[-1]} are missing" in result.output and "deleted from the end" in result.output


def test_every_row_deleted_is_caught(app, cli, trail):
    assert cli("audit", "anchor").exit_code == 0
    _sql(app, "DELETE FROM audit_entries")
    result = cli("audit", "verify")
    assert result.exit_code == 1 and f"entries 1 to {trail[-1]} are missing" in result.output


def test_anchoring_refuses_a_head_that_went_backwards(app, cli, trail):
    assert cli("audit", "anchor").exit_code == 0
    _sql(app, "DELETE FROM audit_entries WHERE id = :id", id=trail[-1])
    refused = cli("audit", "anchor")
    assert refused.exit_code == 1 and refused.output.startswith("Error:") and "deleted or rewritten" in refused.output


def test_the_anchor_log_is_appended_signed_and_private(app, cli, trail, make_sponsor):
    assert cli("audit", "anchor").exit_code == 0
    unchanged = cli("audit", "anchor")
    assert unchanged.exit_code == 0 and "already anchored" in unchanged.output
    make_sponsor("Helix Therapeutics Inc.", "US")  # the trail grows
    assert cli("audit", "anchor").exit_code == 0
    path = log_path(app.config["AUDIT_ANCHOR_DIR"])
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line["seq"] for line in lines] == [trail[-1], trail[-1] + 2]
    assert all(set(line) == {"seq", "hash", "at", "mac"} for line in lines)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with app.app_context():
        assert lines[-1]["hash"] == audit.head()[1]


def test_an_altered_or_forged_anchor_line_is_named(app, cli, trail):
    assert cli("audit", "anchor").exit_code == 0
    path = log_path(app.config["AUDIT_ANCHOR_DIR"])
    line = json.loads(path.read_text())
    line["seq"] = line["seq"] - 1
    path.write_text(json.dumps(line) + "\n")
    result = cli("audit", "verify")
    assert result.exit_code == 1 and "line 1" in result.output and "not signed" in result.output


def test_a_trail_from_before_the_key_still_verifies_and_cannot_be_extended_unkeyed(app, cli, trail, make_sponsor):
    """Rows hashed with plain SHA-256 (before this version) verify as a prefix, sealed by the first keyed row."""
    _forge_from_plain(app)  # the same rows, as the previous version of the application wrote them
    assert cli("audit", "anchor").exit_code == 0
    result = cli("audit", "verify")
    assert result.exit_code == 0, result.output
    assert f"({len(trail)} from before the chain was keyed)" in result.output
    make_sponsor("Helix Therapeutics Inc.", "US")  # the application now appends keyed rows
    assert cli("audit", "verify").exit_code == 0
    with app.app_context():
        last = db.session.execute(db.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).scalar_one()
        forged, last_id = plain_digest(last), last.id
        db.session.rollback()
    _sql(app, "UPDATE audit_entries SET hash = :h WHERE id = :id", h=forged, id=last_id)
    assert cli("audit", "verify").exit_code == 1  # after a keyed row, a plain hash is a forgery


def _forge_from_plain(app):
    with app.app_context():
        rows = db.session.execute(db.select(AuditEntry).order_by(AuditEntry.id)).scalars().all()
        prev, updates = audit.GENESIS, []
        for row in rows:
            row.prev_hash = prev
            row.hash = plain_digest(row)
            prev = row.hash
            updates.append((row.id, row.prev_hash, row.hash))
        db.session.rollback()
    for row_id, prev_hash, digest in updates:
        _sql(app, "UPDATE audit_entries SET prev_hash = :p, hash = :h WHERE id = :id", p=prev_hash, h=digest, id=row_id)


def test_new_rows_carry_keyed_hashes(app, trail):
    with app.app_context():
        row = db.session.get(AuditEntry, trail[-1])
        assert row.hash != plain_digest(row)
        from tracker.audit.chain import _body

        assert row.hash == hmac.new(b"test-audit-key", _body(row), hashlib.sha256).hexdigest()


def _run(app, *args):
    env = dict(os.environ, TRACKER_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"])
    return subprocess.run([sys.executable, "-m", "flask", "--app", "tracker", "audit", *args], cwd=ROOT,
                          capture_output=True, text=True, env=env, timeout=60)


def test_real_processes_anchor_then_catch_the_deleted_tail(app, trail):
    anchored = _run(app, "anchor")
    assert anchored.returncode == 0, anchored.stderr
    assert _run(app, "verify").returncode == 0
    _sql(app, "DELETE FROM audit_entries WHERE id >= :id", id=trail[-2])
    broken = _run(app, "verify")
    assert broken.returncode == 1 and "are missing" in broken.stderr
    assert "Traceback" not in broken.stderr + broken.stdout


def test_the_scheduler_anchors_every_five_minutes_and_the_job_writes_the_head(app, trail):
    from tracker import jobs
    from tracker.jobs.scheduler import build

    scheduler = build(app, start=NOW)
    trigger = scheduler.get_job("anchor").trigger
    assert trigger.interval == timedelta(minutes=5)
    with app.app_context():
        assert jobs.anchor(NOW) == f"anchored entry {trail[-1]}"
        assert jobs.anchor(NOW) == "audit head already anchored"
    anchored = json.loads(log_path(app.config["AUDIT_ANCHOR_DIR"]).read_text())
    assert anchored["at"] == "2026-11-30T09:00:00+00:00"


def test_the_key_is_read_from_the_environment_or_kept_private_in_the_instance_folder(tmp_path, monkeypatch):
    from tracker.config import load_config

    monkeypatch.delenv("TRACKER_AUDIT_KEY", raising=False)
    first = load_config(str(tmp_path))["AUDIT_KEY"]
    assert first == load_config(str(tmp_path))["AUDIT_KEY"] and len(first) > 40
    assert stat.S_IMODE((Path(tmp_path) / "audit_key").stat().st_mode) == 0o600
    monkeypatch.setenv("TRACKER_AUDIT_KEY", "from-the-vault")
    assert load_config(str(tmp_path))["AUDIT_KEY"] == "from-the-vault"
    assert load_config(str(tmp_path))["AUDIT_ANCHOR_DIR"] == os.environ["TRACKER_AUDIT_ANCHOR_DIR"]
