"""The flask commands of SPEC 5b; each is a thin call into the layers below."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from tracker import audit
from tracker.database import utcnow
from tracker.errors import DomainError, InvalidInput
from tracker.extensions import db

users = AppGroup("users", help="Manage people who sign in.")
sponsors = AppGroup("sponsors", help="Manage sponsor companies.")
tokens = AppGroup("tokens", help="Issue API tokens for programs.")
audit_cli = AppGroup("audit", help="Check the audit trail.")


def _fail(exc: DomainError):
    db.session.rollback()
    if isinstance(exc, InvalidInput):
        detail = "; ".join(f"{k}: {v}" for k, v in exc.errors.items())
        raise click.ClickException(detail)
    raise click.ClickException(exc.message)


@click.command("init-db")
@with_appcontext
def init_db():
    """Create or upgrade the schema and seed the partner sites (idempotent)."""
    from flask_migrate import upgrade

    from tracker.seeding import seed_reference_data

    upgrade(directory=current_app.extensions["migrate"].directory)
    added = seed_reference_data(now=utcnow())
    db.session.commit()
    click.echo(f"Database ready ({db.engine.url.render_as_string(hide_password=True)}); "
               f"{added} site(s) added.")


@click.command("seed-demo")
@with_appcontext
@click.option("--contracts", "count", type=click.IntRange(0, 1_000_000), default=12, show_default=True,
              help="How many demo contracts to create.")
def seed_demo(count: int):
    """Demo sponsors, users and contracts in every stage; prints the logins."""
    from tracker.demo import DEMO_PASSWORD, seed

    logins = seed(count=count, now=utcnow(), echo=click.echo)
    click.echo("Demo logins (password for all: %s):" % DEMO_PASSWORD)
    for email, role, where in logins:
        click.echo(f"  {email:<34} {role:<8} {where}")


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, help="admin, manager, legal or sponsor")
@click.option("--site", default=None, help="Site code, for staff (GR, IB...)")
@click.option("--sponsor", default=None, help="Sponsor name, for sponsor users")
@click.option("--password", required=True)
def users_create(email, name, role, site, sponsor, password):
    """Create a user."""
    from tracker.operations.people import create_user

    try:
        user = create_user({"email": email, "name": name, "role": role, "site": site, "sponsor": sponsor,
                            "password": password}, actor=audit.SYSTEM, now=utcnow())
        db.session.commit()
    except DomainError as exc:
        _fail(exc)
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


@sponsors.command("create")
@click.option("--name", required=True)
@click.option("--country", default=None, help="Two-letter ISO code, such as FR or US")
def sponsors_create(name, country):
    """Create a sponsor company and print its id."""
    from tracker.operations.people import create_sponsor

    try:
        sponsor = create_sponsor({"name": name, "country": country}, actor=audit.SYSTEM, now=utcnow())
        db.session.commit()
    except DomainError as exc:
        _fail(exc)
    click.echo(sponsor.id)


@tokens.command("create")
@click.option("--email", required=True)
def tokens_create(email):
    """Print a new API token for a user, alone on its line (it is not shown again)."""
    from tracker.operations.people import create_token, find_user_by_email

    try:
        user = find_user_by_email(email)
        token = create_token(user, actor=audit.SYSTEM, now=utcnow())
        db.session.commit()
    except DomainError as exc:
        _fail(exc)
    click.echo(token)


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


def init_app(app: Flask) -> None:
    from tracker.alerts import cli as alerts_cli  # sla sweep, outbox send, scheduler

    for command in (init_db, seed_demo, users, sponsors, tokens, audit_cli):
        app.cli.add_command(command)
    alerts_cli.register(app)
