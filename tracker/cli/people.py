"""users, sponsors and tokens: people and programs, from the command line."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from tracker import audit
from tracker.cli import run
from tracker.database import utcnow

users = AppGroup("users", help="Manage people who sign in.")
sponsors = AppGroup("sponsors", help="Manage sponsor companies.")
tokens = AppGroup("tokens", help="Issue and revoke API tokens for programs.")


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, help="admin, manager, legal or sponsor")
@click.option("--site", default=None, help="Site code, for staff (GR, IB...)")
@click.option("--sponsor", default=None, help="Sponsor name, for sponsor users")
@click.option("--password", required=True)
def users_create(email, name, role, site, sponsor, password):
    """Create a user."""
    from tracker.people.operations import create_user

    user = run(lambda: create_user({"email": email, "name": name, "role": role, "site": site, "sponsor": sponsor,
                                    "password": password}, actor=audit.SYSTEM, now=utcnow()))
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


@users.command("disable")
@click.option("--email", required=True)
def users_disable(email):
    """Disable a user: their sessions, remember-me cookies, API tokens and pending links end at once."""
    from tracker.people.accounts import disable_user
    from tracker.people.operations import find_user_by_email

    run(lambda: disable_user(find_user_by_email(email), actor=audit.SYSTEM, now=utcnow()))
    click.echo(f"Disabled {email.strip().lower()}: sessions and tokens ended.")


@users.command("enable")
@click.option("--email", required=True)
def users_enable(email):
    """Let a disabled user sign in again with their password (old sessions and tokens stay ended)."""
    from tracker.people.accounts import enable_user
    from tracker.people.operations import find_user_by_email

    run(lambda: enable_user(find_user_by_email(email), actor=audit.SYSTEM, now=utcnow()))
    click.echo(f"Enabled {email.strip().lower()}.")


@sponsors.command("create")
@click.option("--name", required=True)
@click.option("--country", default=None, help="Two-letter ISO code, such as FR or US")
@click.option("--legal-name", default=None, help="Name as registered")
@click.option("--legal-form", default=None, help="SA, SAS, GmbH, Inc...")
@click.option("--registration-number", default=None,
              help="France: SIREN (9 digits) or SIRET (14 digits), checksum verified; elsewhere free text")
@click.option("--address", default=None, help="Registered office")
@click.option("--vat-number", default=None, help="Intra-community VAT number, such as FR40303265045")
@click.option("--representative", default=None, help="Name of the person who signs for the sponsor")
@click.option("--representative-title", default=None, help="Their title, such as Chief Executive Officer")
@click.option("--language", default=None, help="Language of its agreements: fr or en")
def sponsors_create(**options):
    """Create a sponsor company with its legal identity and print its id."""
    from tracker.people.sponsors import create_sponsor

    data = {name: value for name, value in options.items() if value is not None}
    sponsor = run(lambda: create_sponsor(data, actor=audit.SYSTEM, now=utcnow()))
    click.echo(sponsor.id)


@tokens.command("create")
@click.option("--email", required=True)
@click.option("--days", type=click.IntRange(1, 3660), default=None,
              help="Days the token stays valid (by default, until it is revoked)")
def tokens_create(email, days):
    """Print a new API token for a user, alone on its line (it is not shown again)."""
    from tracker.people.operations import find_user_by_email
    from tracker.people.tokens import create_token

    click.echo(run(lambda: create_token(find_user_by_email(email), actor=audit.SYSTEM, now=utcnow(), days=days)))


@tokens.command("revoke")
@click.option("--email", required=True)
@click.option("--prefix", default=None, help="The token's first characters, as its owner's tokens page shows")
@click.option("--all", "every", is_flag=True, help="Revoke every valid token of the user (the default)")
def tokens_revoke(email, prefix, every):
    """Revoke a user's tokens: all of them, or the one shown with --prefix; programs using them are refused."""
    from tracker.people.accounts import revoke_tokens
    from tracker.people.operations import find_user_by_email
    from tracker.people.tokens import revoke_by_prefix

    if prefix is not None and every:
        raise click.ClickException("give either --prefix P or --all, not both.")

    def revoke():
        user = find_user_by_email(email)
        if prefix is None:
            return revoke_tokens(user, actor=audit.SYSTEM, now=utcnow())
        return revoke_by_prefix(user, prefix, actor=audit.SYSTEM, now=utcnow())

    click.echo(f"Revoked {run(revoke)} token(s) of {email.strip().lower()}.")


COMMANDS = (users, sponsors, tokens)
