"""`flask --app tracker audit verify`: 0 on an intact trail, 1 naming the first row tampered with."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timezone

import pytest
from sqlalchemy import text

from tracker import ROOT, audit
from tracker.extensions import db
from tracker.models import AuditEntry, Contract
from tracker.pipeline.operations import apply_action


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=list(args))


@pytest.fixture
def trail(app, make_sponsor, make_contract):
    """A contract taken to signature: a trail of some dozens of rows. Returns the audit row ids."""
    reference = make_contract(make_sponsor())
    with app.app_context():
        contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
        for action in ("mark_complete", "send_to_sponsor", "sponsor_replied", "agree"):
            apply_action(contract.coordinating_track, action, actor=audit.SYSTEM, now=datetime.now(timezone.utc))
        db.session.commit()
        audit.anchor(datetime.now(timezone.utc))  # as the scheduler does every few minutes
        return db.session.execute(db.select(AuditEntry.id).order_by(AuditEntry.id)).scalars().all()


def _sql(app, statement, **params):
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(text(statement), params)


def _middle(ids):
    return ids[len(ids) // 2]


def test_an_intact_trail_verifies(cli, trail):
    result = cli("audit", "verify")
    assert result.exit_code == 0, result.output
    assert f"intact: {len(trail)} entries" in result.output


def test_a_missing_anchor_log_fails_the_check_when_the_trail_has_entries(app, cli, trail):
    """Deleting the log must not make verify pass: with no log, deleting the trail's last rows goes unseen."""
    audit.log_path(app.config["AUDIT_ANCHOR_DIR"]).unlink()
    result = cli("audit", "verify")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"Anchor log missing: {audit.log_path(app.config['AUDIT_ANCHOR_DIR'])} does not exist, yet the trail " \
           f"holds {len(trail)} entries" in result.output


def test_an_altered_value_is_named(app, cli, trail):
    target = _middle(trail)
    _sql(app, "UPDATE audit_entries SET new_value = 'executed' WHERE id = :id", id=target)
    result = cli("audit", "verify")
    assert result.exit_code == 1
    assert f"broken at entry {target} " in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("column, value", [("actor_email", "someone@else.test"), ("reason", "edited"),
                                           ("at", "2001-01-01 00:00:00")])
def test_any_altered_column_is_named(app, cli, trail, column, value):
    target = _middle(trail)
    _sql(app, f"UPDATE audit_entries SET {column} = :v WHERE id = :id", v=value, id=target)
    result = cli("audit", "verify")
    assert result.exit_code == 1 and f"broken at entry {target} " in result.output


def test_a_rewritten_hash_breaks_the_next_link(app, cli, trail):
    """Someone who alters a row and recomputes its hash is still caught: the next row no longer links."""
    target = _middle(trail)
    with app.app_context():
        row = db.session.get(AuditEntry, target)
        row.new_value = "executed"
        forged = audit._digest(row)
        db.session.rollback()
    _sql(app, "UPDATE audit_entries SET new_value = 'executed', hash = :h WHERE id = :id", h=forged, id=target)
    result = cli("audit", "verify")
    assert result.exit_code == 1
    assert f"broken at entry {trail[trail.index(target) + 1]} " in result.output


def test_a_deleted_middle_row_is_named(app, cli, trail):
    target = _middle(trail)
    _sql(app, "DELETE FROM audit_entries WHERE id = :id", id=target)
    result = cli("audit", "verify")
    assert result.exit_code == 1
    # The first row that no longer checks out is the one after the gap.
    assert f"broken at entry {trail[trail.index(target) + 1]} " in result.output


def test_a_deleted_first_row_is_named(app, cli, trail):
    _sql(app, "DELETE FROM audit_entries WHERE id = :id", id=trail[0])
    result = cli("audit", "verify")
    assert result.exit_code == 1 and f"broken at entry {trail[1]} " in result.output


def test_actions_keep_the_trail_intact(app, cli, trail, make_sponsor, make_contract):
    """New rows appended after many actions on several contracts still link up."""
    sponsor_id = make_sponsor("Helix Therapeutics Inc.", "US")
    for _ in range(3):
        reference = make_contract(sponsor_id)
        with app.app_context():
            contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
            apply_action(contract.coordinating_track, "mark_complete", actor=audit.SYSTEM,
                         now=datetime.now(timezone.utc))
            db.session.commit()
    assert cli("audit", "verify").exit_code == 0


def _run(app):
    env = dict(os.environ, TRACKER_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"])
    return subprocess.run([sys.executable, "-m", "flask", "--app", "tracker", "audit", "verify"], cwd=ROOT,
                          capture_output=True, text=True, env=env, timeout=60)


def test_a_real_process_exits_0_then_1_without_traceback(app, trail):
    intact = _run(app)
    assert intact.returncode == 0, intact.stderr
    assert f"intact: {len(trail)} entries" in intact.stdout
    target = _middle(trail)
    _sql(app, "UPDATE audit_entries SET new_value = 'cancelled' WHERE id = :id", id=target)
    broken = _run(app)
    assert broken.returncode == 1
    assert f"Audit trail broken at entry {target} " in broken.stderr
    assert "Traceback" not in broken.stderr + broken.stdout
