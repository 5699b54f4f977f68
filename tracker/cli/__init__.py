"""The flask commands of SPEC 5b, each a thin call into the features.

A domain refusal ends a command with a one-line ``Error: ...`` and exit status 1;
nothing is stored (``run`` wraps the work in one transaction).
"""
from __future__ import annotations

import click
from flask import Flask

from tracker.errors import DomainError
from tracker.transaction import atomic


def run(work):
    """Run an operation in one transaction; a refusal becomes a one-line error and exit status 1."""
    try:
        with atomic():
            return work()
    except DomainError as exc:
        errors = getattr(exc, "errors", None)
        raise click.ClickException("; ".join(f"{k}: {v}" for k, v in errors.items()) if errors else exc.message)


def init_app(app: Flask) -> None:
    from tracker.cli import alerts, audit, data, maintenance, people

    for module in (data, people, audit, alerts, maintenance):
        for command in module.COMMANDS:
            app.cli.add_command(command)
