"""Editing a contract through its page, and reading back what the audit trail recorded of it."""
from __future__ import annotations

from tests.helpers.web import csrf_token
from tracker.extensions import db
from tracker.models import AuditEntry, Contract


def edit_form(client, url, **over) -> dict:
    """The fields of the contract edit form at ``url``, filled with valid values, with ``over`` replacing some."""
    data = {"csrf_token": csrf_token(client, url), "title": "A phase I trial", "protocol_number": "PRO-001",
            "phase": "I", "acronym": "ESCALADE", "indication": "Sarcoma", "patients": "24",
            "investigators-0-site": "GR", "investigators-0-name": "Dr Claire Martin",
            "investigators-1-site": "IB", "investigators-1-name": "",
            "budget-0-item": "Screening visit", "budget-0-amount": "450", "budget-0-unit": "EUR per patient"}
    data.update(over)
    return data


def contract_audit(app, reference) -> set[tuple]:
    """(entity, field, old value, new value) of every audit row of a contract."""
    with app.app_context():
        contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
        return {(e.entity, e.field, e.old_value, e.new_value) for e in db.session.execute(
            db.select(AuditEntry).where(AuditEntry.contract_id == contract.id)).scalars()}
