"""The public signing pages a signatory's one-time link opens (no account needed)."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from tracker.web.signing import pages

    app.register_blueprint(pages.bp)
