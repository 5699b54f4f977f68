"""The staff's pages: the work queue, contracts and their documents, signing set-up, the conversation
with sponsors, sponsors and their contacts, the dashboard.

The contracts and documents blueprints each gather routes from two modules, so they are made here.
"""
from __future__ import annotations

from flask import Blueprint, Flask

contracts_bp = Blueprint("contracts", __name__)
documents_bp = Blueprint("documents", __name__)


def register(app: Flask) -> None:
    from tracker.web.staff import audit_export, contract_form, contracts, conversation, dashboard, documents
    from tracker.web.staff import amendments, invitations, negotiated, queue, signatories, sponsors

    del contract_form, contracts, documents, negotiated  # imported for their routes
    app.register_blueprint(contracts_bp)
    app.register_blueprint(documents_bp)
    for module in (queue, audit_export, conversation, invitations, sponsors, signatories, dashboard, amendments):
        app.register_blueprint(module.bp)
