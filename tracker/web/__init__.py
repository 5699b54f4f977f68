"""The pages for people, in rooms by audience: ``auth`` (signing in, one's own account), ``staff``,
``admin``, ``portal`` (sponsors) and ``signing`` (signatories' links), with what they share in ``shared``."""
from __future__ import annotations

from flask import Flask
from flask_babel import get_locale

from tracker.stages.rules import HOLDER_LABELS, PARTY_LABELS, STAGE_LABELS, event_label, holder


def init_app(app: Flask) -> None:
    from tracker.web import admin, auth, portal, signing, staff
    from tracker.web.shared import error_pages, refusals

    for room in (auth, staff, admin, portal, signing):
        room.register(app)
    refusals.init_app(app)
    error_pages.init_app(app)

    @app.context_processor
    def page_helpers():
        return {
            "current_locale": str(get_locale()),
            "stage_label": lambda s: STAGE_LABELS.get(s, s),
            "event_label": event_label,
            "holder_of": holder,
            "holder_label": lambda h: HOLDER_LABELS.get(h, ""),
            "party_label": lambda p: PARTY_LABELS.get(p, p),
        }
