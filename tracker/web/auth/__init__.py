"""Signing in and out, and what each person keeps for themself: password, API tokens, notification
settings and calendar feed; with the guard every page request passes (session time limits)."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from tracker.extensions import login_manager
from tracker.people import accounts


def register(app: Flask) -> None:
    from tracker.web.auth import account, calendar_feed, notifications, session_guard, sign_in

    for module in (sign_in, account, notifications, calendar_feed):
        app.register_blueprint(module.bp)
    session_guard.init_app(app)

    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(session_id: str):
        # "<id>:<generation>": a disabled account or an ended generation signs the cookie out.
        return accounts.user_for_session(session_id)
