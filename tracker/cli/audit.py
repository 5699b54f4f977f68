"""audit verify: check the audit trail."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from tracker import audit
from tracker.extensions import db

audit_cli = AppGroup("audit", help="Check the audit trail.")


@audit_cli.command("verify")
def audit_verify():
    """Check the hash chain; exit 1 naming the first altered row."""
    bad = audit.verify(db.session)
    if bad is not None:
        click.echo(f"Audit trail broken at entry {bad.id} ({bad.entity} {bad.entity_id}, field {bad.field}, "
                   f"recorded {bad.at.isoformat()}).", err=True)
        raise SystemExit(1)
    count = db.session.execute(db.select(db.func.count(audit.AuditEntry.id))).scalar()
    click.echo(f"Audit trail intact: {count} entries.")


COMMANDS = (audit_cli,)
