"""backup and restore: a consistent copy of the live database, and loading one into an empty database."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from tracker.errors import DomainError
from tracker.extensions import db


def _fail(exc: DomainError):
    errors = getattr(exc, "errors", None)
    raise click.ClickException("; ".join(errors.values()) if errors else exc.message)


@click.command("backup")
@click.option("--to", "to", required=True, help="A new file to write the backup to.")
@with_appcontext
def backup_command(to: str):
    """Copy the live database to a file (SQLite online backup; pg_dump custom format for PostgreSQL)."""
    from tracker.maintenance.backup import backup

    try:
        path = backup(db.engine, to)
    except DomainError as exc:
        _fail(exc)
    click.echo(f"Backup written to {path} ({path.stat().st_size} bytes).")


@click.command("restore")
@click.option("--from", "source", required=True, help="A backup file written by the backup command.")
@with_appcontext
def restore_command(source: str):
    """Load a backup into the empty database that TRACKER_DATABASE_URL names."""
    from tracker.maintenance.backup import restore

    db.session.remove()
    try:
        restore(db.engine, source)
    except DomainError as exc:
        _fail(exc)
    click.echo("Restored. Run `flask --app tracker audit verify` to check the audit trail.")


COMMANDS = (backup_command, restore_command)
