"""The administrators' pages: people, sites and their calendars, the SLA policy, contract templates,
the outbox and webhooks."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from tracker.web.admin import outbox, policy, sites, templates, users, webhooks

    for module in (policy, sites, users, templates, outbox, webhooks):
        app.register_blueprint(module.bp)
