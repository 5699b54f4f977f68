"""The sponsor's portal: its pages (``pages``) and what a sponsor does from them (``actions``), on one blueprint.

The blueprint and what applies to every portal request live here, so neither module adds to the other's.
"""
from __future__ import annotations

from flask import Blueprint, Flask, render_template
from flask_babel import gettext as _
from flask_login import current_user

from tracker.api.limits import volume_wait

bp = Blueprint("portal", __name__, url_prefix="/portal")


def uploader() -> str:
    """The key a sponsor user's uploads are counted under."""
    return f"portal-user:{current_user.get_id()}" if current_user.is_authenticated else "portal-anonymous"


@bp.before_request
def _upload_volume():
    """A sponsor's uploads count against the same volume as an API token's (TRACKER_API_UPLOAD_LIMIT)."""
    wait = volume_wait(uploader())
    if wait is None:
        return None
    minutes = max(1, -(-wait // 60))
    message = _("You have uploaded as much as allowed for now; try again in %(n)d minutes.", n=minutes)
    page = render_template("errors/error.html", status=429, title=_("Too many uploads"), message=message)
    return page, 429, {"Retry-After": str(wait)}


def register(app: Flask) -> None:
    from tracker.web.portal import actions, pages

    del actions, pages  # imported for their routes
    app.register_blueprint(bp)
