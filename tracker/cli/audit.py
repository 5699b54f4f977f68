"""audit verify and audit anchor: check the trail, and copy its head outside the database."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from tracker import audit
from tracker.database import utcnow
from tracker.extensions import db

audit_cli = AppGroup("audit", help="Check the audit trail and anchor it outside the database.")


@audit_cli.command("verify")
def audit_verify():
    """Check the keyed hash chain and the anchors; exit 1 naming the first altered or missing entry,
    or when the trail has entries and the anchor log is missing."""
    finding, summary = audit.verify_all(db.session, require_log=True)
    if finding is not None:
        click.echo(finding.message if finding.message.endswith(".") else finding.message + ".", err=True)
        raise SystemExit(1)
    line = f"Audit trail intact: {summary.entries} entries"
    if summary.plain:
        line += f" ({summary.plain} from before the chain was keyed)"
    if summary.anchors:
        last = summary.anchors[-1]
        line += f"; {len(summary.anchors)} anchor(s) match, the last records entry {last.seq} at {last.at}"
    else:
        line += f"; no anchor yet in {audit.anchor_directory()}"
    click.echo(line + ".")


@audit_cli.command("anchor")
def audit_anchor():
    """Append the chain's head (entry number, hash, time) to the anchor log outside the database."""
    try:
        anchored = audit.anchor(utcnow())
    except audit.AnchorLogError as exc:
        raise click.ClickException(str(exc))
    if anchored is None:
        seq, _hash = audit.head()
        click.echo(f"Nothing new: entry {seq} is already anchored.")
    else:
        click.echo(f"Anchored entry {anchored.seq} ({anchored.hash[:16]}...) at {anchored.at} "
                   f"in {audit.anchor_directory()}.")


COMMANDS = (audit_cli,)
