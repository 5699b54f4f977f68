"""init-db and seed-demo: the schema, the reference data and the demo data."""
from __future__ import annotations

import os

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker.database import utcnow
from tracker.extensions import db


@click.command("init-db")
@with_appcontext
def init_db():
    """Create or upgrade the schema and seed the partner sites (idempotent)."""
    from flask_migrate import upgrade

    from tracker.metrics import record
    from tracker.seeding import seed_reference_data
    from tracker.sla import stored

    upgrade(directory=current_app.extensions["migrate"].directory)
    added = seed_reference_data(now=utcnow())
    stored.backfill(utcnow())
    record.backfill()  # the metrics' figures of contracts that have none, from their events
    db.session.commit()
    click.echo(f"Database ready ({db.engine.url.render_as_string(hide_password=True)}); "
               f"{added} site(s) added.")


@click.command("seed-demo")
@with_appcontext
@click.option("--contracts", "count", type=click.IntRange(0, 1_000_000), default=12, show_default=True,
              help="How many demo contracts to create.")
def seed_demo(count: int):
    """Demo sponsors, users and contracts in every stage; prints the logins."""
    from tracker.demo.parties import DEMO_PASSWORD
    from tracker.demo.scenarios import DEMO_AGREEMENTS
    from tracker.demo.seed import seed

    messages: list[str] = []
    # The bar shows on a terminal for the large sets; the small demo prints what it always printed.
    quiet = None if count > DEMO_AGREEMENTS else open(os.devnull, "w")
    with click.progressbar(length=count, label="Demo contracts", show_pos=True, file=quiet) as bar:
        logins = seed(count=count, now=utcnow(), echo=lambda line: messages.append(line), progress=bar.update)
    if quiet:
        quiet.close()
    for line in messages:
        click.echo(line)
    click.echo("Demo logins (password for all: %s):" % DEMO_PASSWORD)
    for email, role, where in logins:
        click.echo(f"  {email:<34} {role:<8} {where}")


COMMANDS = (init_db, seed_demo)
